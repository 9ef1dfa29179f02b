"""Rendering mail: subjects, both parts from templates, escaping, the GIF, the MIME message."""

from __future__ import annotations

from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser

import pytest

from tweetnow.mailer.email_message import (
    Sender,
    build_email,
    check_recipient,
    message_id_for,
)
from tweetnow.mailer.giphy import Gif
from tweetnow.mailer.rendering import (
    MailRenderer,
    ReconnectNeededMail,
    ThoughtMail,
    TweetFailedMail,
    WelcomeMail,
    short,
)
from tweetnow.mailer.send_failures import InvalidRecipient

APP = "http://127.0.0.1:8000"
GIF = Gif(
    url="https://media.giphy.com/media/abc/giphy.gif",
    title="Coffee Time",
    page_url="https://giphy.com/gifs/coffee-abc",
    width=480,
    height=270,
)
NASTY = '<script>alert("hi")</script> & <b>bold</b>'


@pytest.fixture
def renderer() -> MailRenderer:
    return MailRenderer(app_url=APP + "/")


def test_welcome_has_both_parts_and_names_the_user(renderer):
    mail = renderer.render(WelcomeMail(username="alice"))
    assert mail.subject == "Welcome to tweetnow"
    assert "Welcome to tweetnow, @alice!" in mail.text
    assert "Welcome to tweetnow, @alice!" in mail.html
    assert f"Open tweetnow: {APP}\n" in mail.text
    assert f'href="{APP}"' in mail.html
    assert "<" not in mail.text


def test_welcome_without_a_user_still_reads_well(renderer):
    mail = renderer.render(WelcomeMail(username=None))
    assert "Welcome to tweetnow!" in mail.text
    assert "an account" in mail.text


def test_thought_with_a_gif(renderer):
    mail = renderer.render(ThoughtMail(thought="Mondays need coffee", sender="alice", gif=GIF))
    assert mail.subject == "A thought from @alice: Mondays need coffee"
    assert "@alice sent you a thought:\n\nMondays need coffee\n" in mail.text
    assert GIF.url in mail.text
    assert f'<img src="{GIF.url}" alt="Coffee Time" width="480" height="270"' in mail.html
    assert f'<a href="{GIF.page_url}">' in mail.html
    assert "Powered by GIPHY" in mail.html


def test_thought_without_a_gif_has_no_image(renderer):
    mail = renderer.render(ThoughtMail(thought="Quiet thought", sender=None))
    assert mail.subject == "A thought: Quiet thought"
    assert "Quiet thought" in mail.text and "Quiet thought" in mail.html
    assert "<img" not in mail.html
    assert "GIPHY" not in mail.html and "GIPHY" not in mail.text


def test_user_text_is_escaped_in_html_and_kept_as_is_in_text(renderer):
    mail = renderer.render(ThoughtMail(thought=NASTY, sender="mallory"))
    assert "<script>" not in mail.html and "<b>bold</b>" not in mail.html
    assert "&lt;script&gt;alert(&#34;hi&#34;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in (
        mail.html
    )
    assert NASTY in mail.text


def test_gif_fields_are_escaped_too(renderer):
    gif = Gif(url='https://x.test/a.gif" onerror="alert(1)', title="<i>t</i>", page_url=None)
    html = renderer.render(ThoughtMail(thought="t", sender=None, gif=gif)).html
    assert 'onerror="alert(1)"' not in html
    assert "&lt;i&gt;t&lt;/i&gt;" in html


def test_tweet_failed_names_the_text_and_the_reason(renderer):
    mail = renderer.render(
        TweetFailedMail(text="hello <world>", reason="X refused it as a duplicate", username="bob")
    )
    assert mail.subject == "Your tweet could not be posted: hello <world>"
    assert "hello <world>" in mail.text
    assert "Why: X refused it as a duplicate" in mail.text
    assert "hello &lt;world&gt;" in mail.html
    assert "<strong>Why:</strong> X refused it as a duplicate" in mail.html


def test_reconnect_needed_names_the_account_the_reason_and_where_to_reconnect(renderer):
    mail = renderer.render(
        ReconnectNeededMail(handle="ada_alt", reason="X refused <access>", username="ada")
    )
    assert mail.subject == "Reconnect @ada_alt: its tweets are waiting"
    assert "Why: X refused <access>" in mail.text
    assert "/account" in mail.text
    assert "X refused &lt;access&gt;" in mail.html
    assert "@ada_alt" in mail.html and "/account" in mail.html


def test_long_or_multiline_text_is_cut_for_the_subject():
    assert short("a\n  b\tc") == "a b c"
    cut = short("word " * 40)
    assert len(cut) == 60 and cut.endswith("…")


def test_sender_from_mail_from():
    sender = Sender.parse("tweetnow <no-reply@tweetnow.example>")
    assert sender.address == "no-reply@tweetnow.example"
    assert sender.domain == "tweetnow.example"
    assert sender.header == "tweetnow <no-reply@tweetnow.example>"
    with pytest.raises(ValueError, match="MAIL_FROM must be one address"):
        Sender.parse("nobody")


@pytest.mark.parametrize("bad", ["not an address", "a@b", "x@y.com\r\nBcc: z@y.com", "@b.com"])
def test_invalid_recipients_are_refused_before_any_smtp(bad):
    with pytest.raises(InvalidRecipient):
        check_recipient(bad)


def test_message_is_multipart_alternative_with_a_stable_message_id(renderer):
    rendered = renderer.render(ThoughtMail(thought="ünïcode ✓ " + NASTY, sender="alice", gif=GIF))
    sender = Sender.parse("tweetnow <no-reply@tweetnow.example>")
    message_id = message_id_for(7, "job-123", sender.domain)
    assert (
        message_id
        == message_id_for(7, "job-123", sender.domain)
        == ("<mail-7.job-123@tweetnow.example>")
    )
    message = build_email(
        rendered,
        sender=sender,
        recipient="friend@example.com",
        message_id=message_id,
        date=datetime(2026, 11, 23, 10, 0, tzinfo=UTC),
    )
    parsed = BytesParser(policy=policy.default).parsebytes(message.as_bytes())
    assert parsed.get_content_type() == "multipart/alternative"
    assert parsed["From"] == "tweetnow <no-reply@tweetnow.example>"
    assert parsed["To"] == "friend@example.com"
    assert parsed["Subject"] == rendered.subject
    assert parsed["Message-ID"] == message_id
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parsed["Date"] == "Mon, 23 Nov 2026 10:00:00 +0000"
    plain, html = (p for p in parsed.iter_parts())
    assert plain.get_content_type() == "text/plain"
    assert html.get_content_type() == "text/html"
    assert plain.get_content() == rendered.text
    assert html.get_content() == rendered.html
    assert plain.get_content_charset() == "utf-8"
