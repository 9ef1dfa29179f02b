"""Every e-mail address in a log event is masked, wherever in the event it is."""

from __future__ import annotations

from tweetnow.shared.logs import mask_addresses, mask_event_addresses


def test_an_address_keeps_its_first_character_and_its_domain():
    assert mask_addresses("to ada.lovelace+x@example.com.") == "to a***@example.com."
    assert mask_addresses("<bob@mail.example.co.uk> and c@ex.io") == (
        "<b***@mail.example.co.uk> and c***@ex.io"
    )
    assert mask_addresses("no address at 127.0.0.1, user@host or @ada") == (
        "no address at 127.0.0.1, user@host or @ada"
    )


def test_every_value_of_an_event_is_masked():
    event = {
        "event": "mail to ada@example.com failed",
        "reason": "550 <ada@example.com> no such user",
        "recipients": ["ada@example.com", "bo@example.org"],
        "detail": {"to": ("ada@example.com",), "attempt": 2},
        "error": ValueError("refused ada@example.com"),
        "count": 3,
    }
    assert mask_event_addresses(None, "info", event) == {
        "event": "mail to a***@example.com failed",
        "reason": "550 <a***@example.com> no such user",
        "recipients": ["a***@example.com", "b***@example.org"],
        "detail": {"to": ("a***@example.com",), "attempt": 2},
        "error": "refused a***@example.com",
        "count": 3,
    }
