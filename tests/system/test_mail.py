"""Mail end to end: the web accepts, the real mailer process sends, the SMTP sink receives.

Every test here reads what arrived at the test run's own SMTP server, so they
run only against processes this test run started.
"""

from __future__ import annotations

import html
import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.support.processes import Process, wait_until
from tests.support.smtp_sink import ReceivedMail, SmtpSink
from tests.support.stack import Person, Stack

#: After a mail arrives, watch this long for a second copy.
SETTLE_S = 1.5
#: The X handle the test stack lets into /admin.
ADMIN = "opsadmin"


def address(tag: str) -> str:
    return f"{tag}-{uuid.uuid4().hex[:10]}@example.com"


@pytest.fixture
def smtp(local) -> Iterator[SmtpSink]:
    sink = local.smtp
    assert sink is not None
    sink.reset()
    yield sink
    sink.reset()
    sink.start()  # a test may have stopped it


@pytest.fixture
def person(stack: Stack) -> Person:
    return stack.sign_in()


def send_thought(person: Person, email: str, thought: str) -> dict:
    r = person.api().post(
        person.url("/api/thoughts"), json={"email": email, "thought": thought}, timeout=10
    )
    assert r.status_code == 202, (r.status_code, r.text)
    return r.json()


def mail_view(person: Person, mail_id: int) -> dict:
    r = person.api().get(person.url(f"/api/mail/{mail_id}"), timeout=10)
    r.raise_for_status()
    return r.json()


def wait_mail_status(person: Person, mail_id: int, status: str, timeout: float = 20) -> dict:
    seen: dict = {}

    def reached() -> bool:
        seen.update(mail_view(person, mail_id))
        return seen["status"] == status

    wait_until(reached, timeout=timeout, what=f"mail {mail_id} to be {status}", every=0.1)
    return seen


def copies(sink: SmtpSink, message_id: str) -> list[ReceivedMail]:
    return [m for m in sink.received if m.message_id == message_id]


def arrives_once(sink: SmtpSink, recipient: str) -> ReceivedMail:
    mail = sink.wait_for_recipient(recipient)
    time.sleep(SETTLE_S)
    assert mail.message_id is not None
    assert len(copies(sink, mail.message_id)) == 1, "the same mail arrived twice"
    assert len(sink.to(recipient)) == 1
    return mail


# --- mail that goes out -------------------------------------------------------------


def test_a_thought_arrives_with_both_parts(person, smtp):
    to = address("thought")
    thought = "Mondays need <more> coffee & cake"
    accepted = send_thought(person, to, thought)
    mail = arrives_once(smtp, to)
    assert mail.recipients == (to,)
    assert mail["To"] == to
    assert mail["From"] == "tweetnow <no-reply@tweetnow.localhost>"
    assert mail["Subject"] == f"A thought from @{person.username}: {thought}"
    assert mail.message_id == (
        f"<mail-{accepted['mail']['id']}.{accepted['job']['id']}@tweetnow.localhost>"
    )
    assert mail.message.get_content_type() == "multipart/alternative"
    assert thought in mail.text
    assert "Mondays need &lt;more&gt; coffee &amp; cake" in mail.html
    # The stack's mailer has no GIPHY key: no GIF, and the thought still goes out.
    assert "<img" not in mail.html
    view = wait_mail_status(person, accepted["mail"]["id"], "sent")
    assert view["sent_at"] is not None and view["error"] is None
    job = person.wait_job(accepted["job"]["id"])
    assert (job["status"], job["attempts"]) == ("succeeded", 1)


def test_the_first_address_gets_a_welcome_and_a_new_one_does_not(person, smtp):
    first, second = address("welcome"), address("again")
    r = person.api().patch(person.url("/api/me"), json={"email": first}, timeout=10)
    assert r.status_code == 200, r.text
    mail = arrives_once(smtp, first)
    assert mail["Subject"] == "Welcome to tweetnow"
    assert f"Welcome to tweetnow, @{person.username}!" in mail.text
    assert f"Welcome to tweetnow, @{person.username}!" in mail.html
    r = person.api().patch(person.url("/api/me"), json={"email": second}, timeout=10)
    assert r.status_code == 200, r.text
    time.sleep(SETTLE_S)
    assert smtp.to(second) == []


def test_a_tweet_that_fails_is_mailed_to_its_author(stack, person, smtp):
    to = address("author")
    r = person.api().patch(person.url("/api/me"), json={"email": to}, timeout=10)
    assert r.status_code == 200, r.text
    stack.set_faults(next_errors=[400])
    text = f"never to be posted {uuid.uuid4().hex[:8]}"
    r = person.post_tweet(text)
    assert person.wait_job(r.json()["job"]["id"])["status"] == "failed"
    notice = smtp.wait_for(
        lambda m: to in m.recipients and m["Subject"].startswith("Your tweet could not be posted"),
        what="the failed-tweet notice",
    )
    assert notice["Subject"] == f"Your tweet could not be posted: {text}"
    assert text in notice.text and text in notice.html
    assert "X refused the tweet" in notice.text
    assert "X refused the tweet" in notice.html


# --- SMTP trouble -------------------------------------------------------------------


def test_451_first_then_the_mail_arrives_exactly_once(person, smtp):
    smtp.answer_next("451 4.3.0 Mailbox busy, try again later")
    to = address("busy")
    accepted = send_thought(person, to, "patience")
    arrives_once(smtp, to)
    job = person.wait_job(accepted["job"]["id"])
    assert (job["status"], job["attempts"]) == ("succeeded", 2)
    assert wait_mail_status(person, accepted["mail"]["id"], "sent")["error"] is None


def test_no_server_at_first_then_a_server_the_mail_arrives_exactly_once(person, smtp):
    smtp.stop()
    to = address("later")
    accepted = send_thought(person, to, "see you later")
    mail_id = accepted["mail"]["id"]

    def refused_once() -> bool:
        error = mail_view(person, mail_id)["error"] or ""
        return "connection refused" in error

    wait_until(refused_once, timeout=20, what="a refused connection on the mail", every=0.1)
    assert mail_view(person, mail_id)["status"] in ("queued", "sending")
    smtp.start()
    arrives_once(smtp, to)
    job = person.wait_job(accepted["job"]["id"])
    assert job["status"] == "succeeded" and job["attempts"] >= 2
    assert wait_mail_status(person, mail_id, "sent")["error"] is None


def test_a_refused_recipient_fails_at_once_with_a_summary_and_the_admin_sees_the_reply(
    stack, person, smtp
):
    to = address("nobody")
    reply = "550 5.1.1 <nobody> No such mailbox here"
    smtp.refuse(to, reply)
    accepted = send_thought(person, to, "into the void")
    job = person.wait_job(accepted["job"]["id"])
    assert (job["status"], job["attempts"]) == ("failed", 1)  # never retried
    # The person reads what happened, not the mail server's reply.
    view = wait_mail_status(person, accepted["mail"]["id"], "failed")
    assert view["error"] == "the receiving mail server refused the address"
    assert job["error"] == view["error"]
    assert smtp.received == []

    admin = stack.sign_in(ADMIN)
    page = admin.session.get(admin.url(f"/admin/mail/{accepted['mail']['id']}"), timeout=10)
    assert page.status_code == 200
    assert f"the receiving mail server refused {to}: {html.escape(reply)}" in page.text


# --- GIFs from a local stand-in for GIPHY -------------------------------------------------


@dataclass
class FakeGiphy:
    """GIPHY's search endpoint on loopback: its JSON shape, or a 500, or a slow answer."""

    status: int = 200
    delay_s: float = 0.0
    queries: list[dict[str, str]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    @staticmethod
    def gif_url(query: str) -> str:
        gif_id = uuid.uuid5(uuid.NAMESPACE_URL, query).hex
        return f"https://media.giphy.test/media/{gif_id}/giphy-downsized.gif"

    def answer(self, path: str) -> tuple[int, dict]:
        parts = urlsplit(path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        self.queries.append(query)
        time.sleep(self.delay_s)
        if parts.path != "/v1/gifs/search":
            return 404, {"meta": {"status": 404, "msg": "Not Found"}}
        if self.status != 200:
            return self.status, {"meta": {"status": self.status, "msg": "Internal Server Error"}}
        item = {
            "type": "gif",
            "id": "fake1",
            "url": "https://giphy.test/gifs/fake1",
            "title": f"{query.get('q', '')} GIF",
            "images": {
                "original": {"url": "https://media.giphy.test/o.gif", "width": "480"},
                "downsized": {"url": self.gif_url(query.get("q", "")), "width": "320"},
            },
        }
        body = {
            "data": [item],
            "pagination": {"total_count": 1, "count": 1, "offset": 0},
            "meta": {"status": 200, "msg": "OK", "response_id": "fake"},
        }
        return 200, body

    def start(self) -> FakeGiphy:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, body = fake.answer(self.path)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


@pytest.fixture(scope="module")
def giphy(local_stack) -> Iterator[FakeGiphy]:
    """The stack's mailers swapped for one that searches the fake GIPHY, for this module."""
    if local_stack is None:
        pytest.skip("needs processes started by this test run (not an external stack)")
    fake = FakeGiphy().start()
    running: list[Process] = [p for p in local_stack.mailers if p.alive()]
    for proc in running:
        proc.stop()
    local_stack.start_mailer(
        GIPHY_API_KEY="test-giphy-key", GIPHY_API_URL=fake.url, GIPHY_TIMEOUT_S="0.5"
    )
    try:
        yield fake
    finally:
        for proc in local_stack.mailers:
            proc.stop()
        for _ in running:
            local_stack.start_mailer()
        fake.stop()


@pytest.fixture
def fake_giphy(giphy: FakeGiphy) -> Iterator[FakeGiphy]:
    giphy.status, giphy.delay_s = 200, 0.0
    giphy.queries.clear()
    yield giphy
    giphy.status, giphy.delay_s = 200, 0.0


def test_the_gif_found_for_the_thought_is_in_the_mail(person, smtp, fake_giphy):
    to = address("gif")
    send_thought(person, to, "Friday   dance\nparty")
    mail = arrives_once(smtp, to)
    gif = FakeGiphy.gif_url("Friday dance party")
    assert f'<img src="{gif}"' in mail.html
    assert gif in mail.text
    assert "Powered by GIPHY" in mail.html
    assert [(q["q"], q["api_key"], q["limit"]) for q in fake_giphy.queries] == [
        ("Friday dance party", "test-giphy-key", "1")
    ]


def test_giphy_answering_500_still_sends_the_thought_without_a_gif(person, smtp, fake_giphy):
    fake_giphy.status = 500
    to = address("nogif")
    accepted = send_thought(person, to, "GIPHY is down today")
    mail = arrives_once(smtp, to)
    assert "GIPHY is down today" in mail.text and "GIPHY is down today" in mail.html
    assert "<img" not in mail.html
    assert len(fake_giphy.queries) == 1
    job = person.wait_job(accepted["job"]["id"])
    assert (job["status"], job["attempts"]) == ("succeeded", 1)


def test_a_slow_giphy_does_not_hold_the_mail_back(person, smtp, fake_giphy):
    fake_giphy.delay_s = 8.0
    to = address("slowgif")
    started = time.monotonic()
    send_thought(person, to, "waiting on GIPHY")
    mail = smtp.wait_for_recipient(to)
    # The mailer gives GIPHY 0.5 s; the rest of the margin is for a loaded machine.
    assert time.monotonic() - started < 6  # GIPHY's answer would take 8 s
    assert "<img" not in mail.html
    assert "waiting on GIPHY" in mail.text
