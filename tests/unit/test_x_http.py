"""One call to X over the standard library: every answer comes back, error statuses
too; only no answer raises, as timed out or unreachable; a redirect is an answer, not
a second request carrying the credentials elsewhere."""

from __future__ import annotations

import pytest

from tests.support.answering_server import answering_server
from tests.support.processes import free_port
from tests.support.silent_server import silent_server
from tweetnow.shared.x_http import XTimedOut, XUnreachable, call_x


def test_an_error_status_is_an_answer_with_its_body():
    with answering_server(403, b'{"error": "invalid_client"}') as x:
        answer = call_x("POST", x.url + "/token", timeout_s=2, body=b"a=1")
    assert answer.status == 403
    assert answer.json_object() == {"error": "invalid_client"}


def test_a_redirect_is_an_answer_and_the_credentials_go_nowhere_else():
    with answering_server(200) as elsewhere:
        with answering_server(302, location=elsewhere.url + "/token") as x:
            answer = call_x(
                "POST", x.url + "/token", timeout_s=2, headers={"Authorization": "Basic c2VjcmV0"}
            )
        assert answer.status == 302
        assert x.received == ["Basic c2VjcmV0"]
        assert elsewhere.received == []


def test_a_silent_x_is_timed_out():
    with silent_server() as url, pytest.raises(XTimedOut):
        call_x("POST", url + "/token", timeout_s=0.3)


def test_an_x_nobody_listens_for_is_unreachable():
    with pytest.raises(XUnreachable):
        call_x("POST", f"http://127.0.0.1:{free_port()}/token", timeout_s=2)
