"""SMTP: reading SMTP_URL, sorting failures, and sending to a real SMTP server (the sink)."""

from __future__ import annotations

import smtplib
import socket
import ssl
import threading
from collections.abc import Iterator
from email.message import EmailMessage

import pytest

from tests.support.processes import free_port
from tests.support.smtp_sink import SmtpSink, self_signed_tls
from tweetnow.mailer.send_failures import (
    InvalidRecipient,
    Outcome,
    UnrenderableMail,
    classify,
)
from tweetnow.mailer.smtp import Security, SmtpSender, SmtpTarget, parse_smtp_url
from tweetnow.shared.settings import Settings

# --- SMTP_URL ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "target"),
    [
        ("smtp://127.0.0.1:1025", SmtpTarget("127.0.0.1", 1025, Security.PLAIN)),
        ("smtp://mail.internal", SmtpTarget("mail.internal", 25, Security.PLAIN)),
        (
            "smtp+starttls://user:pass@smtp.example.com:587",
            SmtpTarget("smtp.example.com", 587, Security.STARTTLS, "user", "pass"),
        ),
        (
            "smtp+starttls://user:pass@smtp.example.com",
            SmtpTarget("smtp.example.com", 587, Security.STARTTLS, "user", "pass"),
        ),
        (
            "smtps://apikey:s3cr%40t%3Ax@smtp.example.com:465",
            SmtpTarget("smtp.example.com", 465, Security.TLS, "apikey", "s3cr@t:x"),
        ),
        (
            "SMTPS://me%40example.com:pw@smtp.example.com",
            SmtpTarget("smtp.example.com", 465, Security.TLS, "me@example.com", "pw"),
        ),
    ],
)
def test_smtp_url_forms(url, target):
    assert parse_smtp_url(url) == target


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://127.0.0.1:1025", "must start with one of smtp://"),
        ("smtp://", "names no host"),
        ("smtp://host:99999", "port"),
        ("smtp://host:25/path", "no path"),
        ("smtps://user@host", "no password"),
    ],
)
def test_bad_smtp_urls_say_what_is_wrong(url, words):
    with pytest.raises(ValueError, match=words):
        parse_smtp_url(url)


def test_the_password_never_shows_in_logs_or_repr():
    target = parse_smtp_url("smtps://user:hunter2@smtp.example.com")
    assert "hunter2" not in target.describe()
    assert "hunter2" not in repr(target)
    assert target.describe() == "smtps://user@smtp.example.com:465"


# --- sorting failures -------------------------------------------------------------


@pytest.mark.parametrize(
    ("exc", "outcome", "words"),
    [
        (smtplib.SMTPDataError(451, b"4.3.0 Try again later"), Outcome.TRANSIENT, "451 4.3.0"),
        (smtplib.SMTPDataError(554, b"5.7.1 Spam"), Outcome.PERMANENT, "554 5.7.1 Spam"),
        (
            smtplib.SMTPRecipientsRefused({"x@example.com": (550, b"5.1.1 No such user")}),
            Outcome.PERMANENT,
            "refused x@example.com: 550 5.1.1 No such user",
        ),
        (
            smtplib.SMTPRecipientsRefused({"x@example.com": (450, b"4.2.0 Greylisted")}),
            Outcome.TRANSIENT,
            "450 4.2.0 Greylisted",
        ),
        (
            smtplib.SMTPSenderRefused(553, b"5.7.1 Not allowed", "a@b.c"),
            Outcome.PERMANENT,
            "refused the sender a@b.c",
        ),
        (smtplib.SMTPAuthenticationError(535, b"5.7.8 Bad creds"), Outcome.PERMANENT, "login"),
        (smtplib.SMTPAuthenticationError(454, b"4.7.0 Later"), Outcome.TRANSIENT, "login"),
        (smtplib.SMTPConnectError(421, b"Too busy"), Outcome.TRANSIENT, "421 Too busy"),
        (smtplib.SMTPResponseException(421, b"closing"), Outcome.TRANSIENT, "421 closing"),
        (smtplib.SMTPResponseException(-1, b""), Outcome.TRANSIENT, "unreadable"),
        (smtplib.SMTPServerDisconnected("gone"), Outcome.TRANSIENT, "closed the connection"),
        (
            smtplib.SMTPServerDisconnected("Connection unexpectedly closed: timed out"),
            Outcome.TRANSIENT,
            "did not answer in time",
        ),
        (smtplib.SMTPNotSupportedError("no STARTTLS"), Outcome.PERMANENT, "lacks"),
        (ConnectionRefusedError(111, "Connection refused"), Outcome.TRANSIENT, "refused"),
        (TimeoutError("timed out"), Outcome.TRANSIENT, "did not answer in time"),
        (socket.gaierror(-2, "Name unknown"), Outcome.TRANSIENT, "look up"),
        (ConnectionResetError(104, "reset"), Outcome.TRANSIENT, "could not talk"),
        (ssl.SSLError(1, "bad handshake"), Outcome.TRANSIENT, "TLS"),
        (InvalidRecipient("'x' (no @)"), Outcome.PERMANENT, "recipient address is not valid"),
        (UnrenderableMail("the tweet is gone"), Outcome.PERMANENT, "the tweet is gone"),
    ],
)
def test_failures_are_sorted_by_what_they_mean(exc, outcome, words):
    failure = classify(exc)
    assert failure is not None
    assert failure.outcome is outcome
    assert words in failure.reason


def test_errors_that_are_not_about_sending_are_not_sorted():
    assert classify(KeyError("x")) is None


# --- sending to a real SMTP server --------------------------------------------------


def message(to: str = "friend@example.com") -> EmailMessage:
    m = EmailMessage()
    m["From"] = "tweetnow <no-reply@tweetnow.example>"
    m["To"] = to
    m["Subject"] = "Hi ✓"
    m["Message-ID"] = "<mail-1.job@tweetnow.example>"
    m.set_content("plain ✓")
    m.add_alternative("<p>html ✓</p>", subtype="html")
    return m


def send(sink_url: str, to: str = "friend@example.com", **kwargs) -> None:
    sender = SmtpSender(parse_smtp_url(sink_url), timeout_s=kwargs.pop("timeout_s", 5), **kwargs)
    sender.send(message(to), sender="no-reply@tweetnow.example", recipient=to)


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    s = SmtpSink().start()
    yield s
    s.stop()


def test_plain_smtp_delivers_both_parts(sink):
    send(sink.url)
    (mail,) = sink.received
    assert mail.envelope_from == "no-reply@tweetnow.example"
    assert mail.recipients == ("friend@example.com",)
    assert mail.message_id == "<mail-1.job@tweetnow.example>"
    assert mail.text == "plain ✓\n"
    assert mail.html == "<p>html ✓</p>\n"


def test_starttls_then_login(tmp_path):
    server_tls, client_tls = self_signed_tls(tmp_path)
    sink = SmtpSink(starttls=server_tls, credentials=("mailer", "p@ss:word")).start()
    try:
        url = "smtp+starttls://mailer:p%40ss%3Aword@127.0.0.1:" + str(sink.port)
        send(url, ssl_context=client_tls)
        assert sink.logins == ["mailer"]
        assert sink.received[0].login == "mailer"
    finally:
        sink.stop()


def test_implicit_tls_then_login(tmp_path):
    server_tls, client_tls = self_signed_tls(tmp_path)
    sink = SmtpSink(implicit_tls=server_tls, credentials=("mailer", "pw")).start()
    try:
        send(sink.url, ssl_context=client_tls)
        assert [m.login for m in sink.received] == ["mailer"]
    finally:
        sink.stop()


def test_a_wrong_password_is_a_permanent_failure(tmp_path):
    server_tls, client_tls = self_signed_tls(tmp_path)
    sink = SmtpSink(starttls=server_tls, credentials=("mailer", "right")).start()
    try:
        url = f"smtp+starttls://mailer:wrong@127.0.0.1:{sink.port}"
        with pytest.raises(smtplib.SMTPAuthenticationError) as caught:
            send(url, ssl_context=client_tls)
        assert classify(caught.value).outcome is Outcome.PERMANENT
        assert sink.received == []
    finally:
        sink.stop()


def test_an_untrusted_certificate_is_refused(tmp_path):
    server_tls, _ = self_signed_tls(tmp_path)
    sink = SmtpSink(implicit_tls=server_tls).start()
    try:
        with pytest.raises(ssl.SSLCertVerificationError) as caught:
            send(sink.url)  # the system's trust store does not know the sink's certificate
        assert classify(caught.value).outcome is Outcome.TRANSIENT
        assert sink.received == []
    finally:
        sink.stop()


def test_451_on_data_is_transient_and_the_next_try_goes_through(sink):
    sink.answer_next("451 4.3.0 Try again later")
    with pytest.raises(smtplib.SMTPDataError) as caught:
        send(sink.url)
    assert classify(caught.value).outcome is Outcome.TRANSIENT
    assert sink.received == []
    send(sink.url)
    assert len(sink.received) == 1


def test_550_for_the_recipient_is_permanent(sink):
    sink.refuse("nobody@example.com")
    with pytest.raises(smtplib.SMTPRecipientsRefused) as caught:
        send(sink.url, to="nobody@example.com")
    failure = classify(caught.value)
    assert failure.outcome is Outcome.PERMANENT
    assert "550 5.1.1 No such mailbox here" in failure.reason


def test_no_server_is_transient():
    with pytest.raises(ConnectionRefusedError) as caught:
        send(f"smtp://127.0.0.1:{free_port()}")
    assert classify(caught.value).outcome is Outcome.TRANSIENT


def test_a_server_that_never_answers_times_out():
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts (backlog), never speaks
        port = silent.getsockname()[1]
        with pytest.raises((TimeoutError, smtplib.SMTPServerDisconnected)) as caught:
            send(f"smtp://127.0.0.1:{port}", timeout_s=0.3)
    failure = classify(caught.value)
    assert failure.outcome is Outcome.TRANSIENT
    assert failure.reason == "the mail server did not answer in time"


def test_a_server_that_hangs_up_is_transient():
    with socket.create_server(("127.0.0.1", 0)) as rude:
        port = rude.getsockname()[1]

        def hang_up() -> None:
            conn, _ = rude.accept()
            conn.close()

        thread = threading.Thread(target=hang_up, daemon=True)
        thread.start()
        with pytest.raises(smtplib.SMTPServerDisconnected) as caught:
            send(f"smtp://127.0.0.1:{port}")
        thread.join(5)
    assert classify(caught.value).outcome is Outcome.TRANSIENT


def test_stop_then_start_on_the_same_port(sink):
    sink.stop()
    with pytest.raises(ConnectionRefusedError):
        send(sink.url)
    sink.start()
    send(sink.url)
    assert len(sink.received) == 1


def test_mail_timeouts_and_lease_from_the_environment():
    s = Settings.from_env({})
    assert (s.smtp_timeout_s, s.giphy_timeout_s, s.mail_lease_s) == (10.0, 3.0, 38.0)
    s = Settings.from_env({"SMTP_TIMEOUT_S": "2", "GIPHY_TIMEOUT_S": "0.5"})
    assert s.mail_lease_s == 11.5  # always longer than one whole attempt
    assert Settings.from_env({"MAIL_LEASE_S": "60"}).mail_lease_s == 60.0


@pytest.mark.parametrize(
    "exc",
    [
        smtplib.SMTPRecipientsRefused({"x@example.com": (550, b"5.1.1 unknown at mx.internal")}),
        smtplib.SMTPResponseException(554, b"5.7.1 rejected by policy at mx.internal"),
        smtplib.SMTPResponseException(451, b"4.3.0 greylisted by mx.internal"),
        smtplib.SMTPSenderRefused(553, b"5.7.1 not allowed at mx.internal", "no-reply@t.example"),
        smtplib.SMTPAuthenticationError(535, b"5.7.8 bad login at mx.internal"),
        smtplib.SMTPConnectError(421, b"mx.internal too busy"),
    ],
)
def test_the_summary_leaves_the_servers_reply_out_and_the_reason_keeps_it(exc):
    failure = classify(exc)
    assert failure is not None
    assert "mx.internal" in failure.reason
    assert "mx.internal" not in failure.summary
    assert not any(code in failure.summary for code in ("421", "451", "535", "55", "5.", "4."))
    assert "x@example.com" not in failure.summary
