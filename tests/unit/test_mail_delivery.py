"""Sending a mail row: claimed once, sent once, every failure recorded on the row.

A real SQLite database and a real SMTP server (the sink); GIPHY is a stub here.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import dramatiq
import pytest

from tests.support.processes import free_port
from tests.support.smtp_sink import SmtpSink
from tweetnow.mailer import mail_rows
from tweetnow.mailer.composing import MailComposer
from tweetnow.mailer.delivery import MailDelivery, TransientMailError
from tweetnow.mailer.email_message import Sender
from tweetnow.mailer.giphy import Gif
from tweetnow.mailer.rendering import MailRenderer
from tweetnow.mailer.smtp import SmtpSender, parse_smtp_url
from tweetnow.shared.contracts import PermanentFailure
from tweetnow.shared.models import Mail, MailKind, MailStatus, Tweet, TweetStatus, User

GIF = Gif(url="https://media.giphy.com/media/abc/giphy.gif", title="Coffee", page_url=None)


class StubGiphy:
    def __init__(self, gif: Gif | None) -> None:
        self.gif = gif
        self.searches: list[str] = []

    def find(self, thought: str) -> Gif | None:
        self.searches.append(thought)
        return self.gif


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    s = SmtpSink().start()
    yield s
    s.stop()


def make_delivery(smtp_url: str, giphy: StubGiphy | None = None) -> MailDelivery:
    return MailDelivery(
        composer=MailComposer(giphy),  # type: ignore[arg-type]
        renderer=MailRenderer(app_url="http://127.0.0.1:8000"),
        smtp=SmtpSender(parse_smtp_url(smtp_url), timeout_s=5),
        sender=Sender.parse("tweetnow <no-reply@tweetnow.example>"),
        lease_s=30,
    )


@pytest.fixture
def delivery(sink: SmtpSink) -> MailDelivery:
    return make_delivery(sink.url)


@pytest.fixture
def user(alice) -> User:
    return alice[0]


def new_mail(
    user: User | None,
    kind: MailKind = MailKind.THOUGHT,
    recipient: str = "friend@example.com",
    **data: object,
) -> Mail:
    if kind == MailKind.THOUGHT and not data:
        data = {"thought": "Mondays need coffee"}
    return Mail.create(
        user=user, kind=kind, recipient=recipient, data=json.dumps(data), job_id=str(uuid.uuid4())
    )


def reload(mail: Mail) -> Mail:
    return Mail.get_by_id(mail.id)


def test_a_mail_is_sent_once_and_recorded(delivery, sink, user):
    mail = new_mail(user)
    delivery.deliver(mail.id, last_attempt=False)
    row = reload(mail)
    assert (row.status, row.attempts, row.error, row.lease_until) == ("sent", 1, None, None)
    assert row.sent_at is not None
    (received,) = sink.received
    assert received.recipients == ("friend@example.com",)
    assert received["Subject"] == "A thought from @alice: Mondays need coffee"
    assert received.message_id == f"<mail-{mail.id}.{mail.job_id}@tweetnow.example>"
    assert "Mondays need coffee" in received.text and "Mondays need coffee" in received.html

    # A redelivered message finds the row sent and does nothing.
    delivery.deliver(mail.id, last_attempt=False)
    assert len(sink.received) == 1
    assert reload(mail).attempts == 1


def test_a_mail_another_worker_is_sending_is_left_alone(delivery, sink, user):
    mail = new_mail(user)
    assert isinstance(mail_rows.claim(mail.id, lease_s=30), mail_rows.Claimed)
    with pytest.raises(dramatiq.Retry) as caught:
        delivery.deliver(mail.id, last_attempt=False)
    assert 29_000 <= caught.value.delay <= 31_000
    assert sink.received == []


def test_a_dead_workers_lease_runs_out_and_another_sends(delivery, sink, user):
    mail = new_mail(user)
    mail_rows.claim(mail.id, lease_s=-1)  # claimed, then its worker died
    delivery.deliver(mail.id, last_attempt=False)
    row = reload(mail)
    assert (row.status, row.attempts) == ("sent", 2)
    assert len(sink.received) == 1


def test_451_releases_the_mail_then_it_goes_out_once_with_the_same_id(delivery, sink, user):
    mail = new_mail(user)
    sink.answer_next("451 4.3.0 Mailbox busy, try later")
    with pytest.raises(TransientMailError) as caught:
        delivery.deliver(mail.id, last_attempt=False)
    row = reload(mail)
    assert (row.status, row.attempts) == ("queued", 1)
    # The person reads a summary; the job's error (the admin's) keeps the server's reply.
    assert row.error == "the mail server asked to try again later; retrying"
    assert str(caught.value) == "the mail server answered 451 4.3.0 Mailbox busy, try later"
    assert sink.received == []

    delivery.deliver(mail.id, last_attempt=False)
    row = reload(mail)
    assert (row.status, row.attempts, row.error) == ("sent", 2, None)
    (received,) = sink.received
    assert received.message_id == f"<mail-{mail.id}.{mail.job_id}@tweetnow.example>"


def test_550_for_the_recipient_fails_at_once_with_the_reason(delivery, sink, user):
    mail = new_mail(user, recipient="nobody@example.com")
    sink.refuse("nobody@example.com")
    with pytest.raises(PermanentFailure) as caught:
        delivery.deliver(mail.id, last_attempt=False)
    row = reload(mail)
    assert (row.status, row.attempts) == ("failed", 1)
    assert row.error == "the receiving mail server refused the address"
    assert str(caught.value) == (
        "the receiving mail server refused nobody@example.com: 550 5.1.1 No such mailbox here"
    )
    # Failed is final: a redelivery changes nothing.
    delivery.deliver(mail.id, last_attempt=False)
    assert reload(mail).attempts == 1


def test_no_server_is_retried_and_the_last_attempt_gives_up(user):
    delivery = make_delivery(f"smtp://127.0.0.1:{free_port()}")
    mail = new_mail(user)
    with pytest.raises(TransientMailError):
        delivery.deliver(mail.id, last_attempt=False)
    assert reload(mail).status == "queued"
    assert "connection refused" in reload(mail).error
    with pytest.raises(PermanentFailure):
        delivery.deliver(mail.id, last_attempt=True)
    row = reload(mail)
    assert row.status == "failed"
    assert row.error == (
        "gave up after 2 attempts: could not connect to the mail server (connection refused)"
    )


def test_an_invalid_recipient_fails_without_talking_to_smtp(delivery, sink, user):
    mail = new_mail(user, recipient="not an address")
    with pytest.raises(PermanentFailure):
        delivery.deliver(mail.id, last_attempt=False)
    row = reload(mail)
    assert row.status == "failed"
    assert row.error.startswith("the recipient address is not valid")
    assert sink.received == []


def test_the_gif_found_goes_in_and_a_retry_sends_the_same_one(sink, user):
    giphy = StubGiphy(GIF)
    delivery = make_delivery(sink.url, giphy)
    mail = new_mail(user, thought="coffee please")
    sink.answer_next("451 4.3.0 later")
    with pytest.raises(TransientMailError):
        delivery.deliver(mail.id, last_attempt=False)
    assert json.loads(reload(mail).data)["gif"]["url"] == GIF.url
    giphy.gif = Gif(url="https://media.giphy.com/other.gif", title="Other", page_url=None)
    delivery.deliver(mail.id, last_attempt=False)
    assert giphy.searches == ["coffee please"]  # asked once
    (received,) = sink.received
    assert f'<img src="{GIF.url}"' in received.html
    assert GIF.url in received.text


def test_no_gif_found_still_sends_the_thought(sink, user):
    delivery = make_delivery(sink.url, StubGiphy(None))
    mail = new_mail(user)
    delivery.deliver(mail.id, last_attempt=False)
    (received,) = sink.received
    assert "<img" not in received.html
    assert reload(mail).status == "sent"


def test_without_a_giphy_key_no_search_happens(delivery, sink, user):
    mail = new_mail(user)
    delivery.deliver(mail.id, last_attempt=False)
    assert "<img" not in sink.received[0].html


def test_tweet_failed_tells_the_author_the_text_and_the_reason(delivery, sink, user):
    tweet = Tweet.create(
        user=user,
        text="my <tweet>",
        status=TweetStatus.FAILED,
        job_id=str(uuid.uuid4()),
        error="X refused it as a duplicate of a tweet already on the account",
    )
    mail = new_mail(user, MailKind.TWEET_FAILED, "alice@example.com", tweet_id=tweet.id)
    delivery.deliver(mail.id, last_attempt=False)
    (received,) = sink.received
    assert received["Subject"] == "Your tweet could not be posted: my <tweet>"
    assert "my <tweet>" in received.text
    assert "Why: X refused it as a duplicate" in received.text
    assert "my &lt;tweet&gt;" in received.html


def test_tweet_failed_uses_what_the_tweeter_recorded_even_if_the_tweet_is_gone(
    delivery, sink, user
):
    mail = new_mail(
        user,
        MailKind.TWEET_FAILED,
        "alice@example.com",
        tweet_id=999_999,
        text="recorded text",
        reason="X refused the tweet: too long",
    )
    delivery.deliver(mail.id, last_attempt=False)
    (received,) = sink.received
    assert "recorded text" in received.text
    assert "Why: X refused the tweet: too long" in received.text


def test_tweet_failed_about_a_deleted_tweet_fails_at_once(delivery, sink, user):
    mail = new_mail(user, MailKind.TWEET_FAILED, "alice@example.com", tweet_id=999_999)
    with pytest.raises(PermanentFailure, match="is gone"):
        delivery.deliver(mail.id, last_attempt=False)
    assert reload(mail).status == MailStatus.FAILED
    assert sink.received == []


def test_welcome(delivery, sink, user):
    mail = new_mail(user, MailKind.WELCOME, "alice@example.com")
    delivery.deliver(mail.id, last_attempt=False)
    (received,) = sink.received
    assert received["Subject"] == "Welcome to tweetnow"
    assert received["From"] == "tweetnow <no-reply@tweetnow.example>"
    assert received.envelope_from == "no-reply@tweetnow.example"
    assert "@alice" in received.text and "@alice" in received.html


def test_an_unexpected_error_releases_the_mail_for_a_retry(sink, user):
    class Broken:
        def find(self, thought: str) -> Gif | None:
            raise RuntimeError("bug")

    delivery = make_delivery(sink.url, Broken())  # type: ignore[arg-type]
    mail = new_mail(user)
    with pytest.raises(RuntimeError):
        delivery.deliver(mail.id, last_attempt=False)
    assert (reload(mail).status, reload(mail).error) == ("queued", "an unexpected error; retrying")
    with pytest.raises(PermanentFailure, match="gave up after 2 attempts: RuntimeError: bug"):
        delivery.deliver(mail.id, last_attempt=True)
    assert reload(mail).error == "gave up after 2 attempts: an unexpected error"


def test_a_missing_row_is_logged_and_dropped(delivery, sink, db):
    delivery.deliver(424242, last_attempt=False)
    assert sink.received == []
