"""The SMTP server down for 15 s (a minute in the issue, shortened) while mail is accepted.

The test stack's mail backoff (200 ms to 2 s, 8 retries) gives up after about 10 s,
far shorter than production's (5 s to 30 min). For this scenario the mailer is
restarted with MAIL_MAX_BACKOFF_MS=8000, so its retries span 18 s or more, as
production's span an outage of a minute many times over.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest

from tests.support.fault_scenarios import OUTCOMES, Outcome, people
from tests.support.local_stack import LocalStack
from tests.support.processes import wait_until
from tests.support.smtp_sink import SmtpSink
from tests.support.stack import Stack

DOWN_S = 15
PEOPLE = 10
PER_PERSON = 2  # under THOUGHTS_PER_HOUR


@pytest.fixture
def patient_mailer(local: LocalStack) -> Iterator[SmtpSink]:
    assert local.smtp is not None
    for proc in local.mailers:
        proc.stop()
    old = list(local.mailers)
    local.mailers.clear()
    mailer = local.start_mailer(MAIL_MAX_BACKOFF_MS="8000")
    local.smtp.reset()
    yield local.smtp
    local.smtp.start()
    mailer.stop()
    local.mailers.clear()
    local.mailers.extend(old)
    for proc in old:
        proc.start().wait_for_log("Worker process is ready for action", timeout=30)


@pytest.mark.timeout(180)
def test_smtp_down_15_s_every_mail_arrives_exactly_once(
    stack: Stack, patient_mailer: SmtpSink
) -> None:
    smtp = patient_mailer
    everyone = people(stack, PEOPLE)
    smtp.stop()
    down_at = time.monotonic()
    accepted: list[tuple[object, int, str]] = []
    for person in everyone:
        for i in range(PER_PERSON):
            to = f"outage-{uuid.uuid4().hex[:10]}@example.com"
            r = person.api().post(
                person.url("/api/thoughts"), json={"email": to, "thought": f"later {i}"}, timeout=10
            )
            assert r.status_code == 202, r.text
            accepted.append((person, r.json()["mail"]["id"], to))
    time.sleep(max(0.0, DOWN_S - (time.monotonic() - down_at)))
    smtp.start()

    def view(person, mail_id: int) -> dict:
        r = person.api().get(person.url(f"/api/mail/{mail_id}"), timeout=10)
        r.raise_for_status()
        return r.json()

    def settled() -> bool:
        return all(view(p, m)["status"] in ("sent", "failed") for p, m, _ in accepted)

    wait_until(settled, timeout=90, what="every mail to be sent or failed", every=1)
    time.sleep(1.5)  # a second copy would arrive now
    outcome = Outcome(f"SMTP down {DOWN_S} s", accepted=len(accepted))
    for person, mail_id, to in accepted:
        row = view(person, mail_id)
        outcome.tally(row["status"], row["error"], len(smtp.to(to)))
    OUTCOMES.append(outcome)
    assert (outcome.lost, outcome.duplicated) == (0, 0), outcome
    assert outcome.sent == outcome.accepted, outcome
