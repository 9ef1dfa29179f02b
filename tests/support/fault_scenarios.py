"""The fault scenarios' client traffic (many people posting, then waiting for the end),
and what became of everything accepted, for the summary table of the fault suite."""

from __future__ import annotations

import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import requests

from tests.support.stack import Person, Stack

FINAL_TWEET_STATES = {"sent", "failed", "canceled"}


@dataclass
class Outcome:
    scenario: str
    accepted: int = 0
    sent: int = 0
    #: reason -> how many ended failed with it
    failed: Counter[str] = field(default_factory=Counter)
    #: accepted, yet neither sent nor failed, or sent but not at X / the SMTP server
    lost: int = 0
    #: effects seen more than once (a tweet posted twice, a mail received twice)
    duplicated: int = 0
    #: requests the service refused (never accepted, so never owed), by status code
    refused: Counter[int] = field(default_factory=Counter)
    #: seconds from the end of the fault until every accepted item was final
    recovery_s: float | None = None

    @property
    def failed_total(self) -> int:
        return sum(self.failed.values())

    def tally(self, status: str, error: str | None, copies: int) -> None:
        """Count one accepted item by its row's final status and the copies seen outside."""
        self.duplicated += copies > 1
        if status == "sent" and copies >= 1:
            self.sent += 1
        elif status == "failed" and copies == 0:
            self.failed[error or "(no reason)"] += 1
        else:
            self.lost += 1

    @staticmethod
    def table(outcomes: list[Outcome]) -> list[str]:
        head = (
            "scenario",
            "accepted",
            "sent",
            "failed",
            "lost",
            "duplicated",
            "refused",
            "recovery",
        )
        rows = [
            (
                o.scenario,
                str(o.accepted),
                str(o.sent),
                str(o.failed_total),
                str(o.lost),
                str(o.duplicated),
                ", ".join(f"{n}x{code}" for code, n in sorted(o.refused.items())) or "0",
                "-" if o.recovery_s is None else f"{o.recovery_s:.0f} s",
            )
            for o in outcomes
        ]
        widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
        lines = [
            "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in [head, *rows]
        ]
        for o in outcomes:
            for reason, n in o.failed.most_common():
                lines.append(f"  {o.scenario}: {n} failed with {reason!r}")
        return lines


#: Outcomes of this run's scenarios, printed at the end of the session.
OUTCOMES: list[Outcome] = []


@dataclass(frozen=True)
class Posted:
    person: Person
    tweet_id: int
    text: str


def tweet_outcome(scenario: str, stack: Stack, posted: list[Posted]) -> Outcome:
    """Read every accepted tweet's final row and what the sandbox (X) holds."""
    outcome = Outcome(scenario, accepted=len(posted))
    on_x: Counter[str] = Counter()
    for username in {p.person.username for p in posted}:
        on_x.update(t["text"] for t in stack.sandbox_tweets(username))
    with ThreadPoolExecutor(8) as pool:
        rows = list(pool.map(lambda p: p.person.tweet(p.tweet_id), posted))
    for p, row in zip(posted, rows, strict=True):
        outcome.tally(row["status"], row["error"], on_x[p.text])
    OUTCOMES.append(outcome)
    return outcome


def people(stack: Stack, n: int) -> list[Person]:
    found = [stack.sign_in() for _ in range(n)]
    for person in found:
        person.create_token()
    return found


def post_tweets(
    everyone: list[Person], per_person: int, outcome: Outcome, *, pace_s: float = 0.0
) -> list[Posted]:
    """Each person posts ``per_person`` tweets in its own thread, ``pace_s`` apart.
    A request the web refuses (not 202) is counted, never retried: it was not accepted."""
    run = uuid.uuid4().hex[:6]

    def one_person(person: Person) -> list[Posted]:
        posted = []
        for i in range(per_person):
            text = f"fault {run} {person.username} {i}"
            try:
                r = person.post_tweet(text)
            except requests.RequestException:
                outcome.refused[0] += 1
                continue
            if r.status_code == 202:
                posted.append(Posted(person, r.json()["tweet"]["id"], text))
            else:
                outcome.refused[r.status_code] += 1
            time.sleep(pace_s)
        return posted

    with ThreadPoolExecutor(len(everyone)) as pool:
        return [p for batch in pool.map(one_person, everyone) for p in batch]


def wait_settled(posted: list[Posted], *, timeout: float) -> None:
    """Until every accepted tweet's row is final, or the timeout (the outcome says what is not)."""
    pending = list(posted)
    deadline = time.monotonic() + timeout
    with ThreadPoolExecutor(8) as pool:
        while pending and time.monotonic() < deadline:
            rows = list(pool.map(lambda p: p.person.tweet(p.tweet_id), pending))
            pending = [
                p
                for p, row in zip(pending, rows, strict=True)
                if row["status"] not in FINAL_TWEET_STATES
            ]
            if pending:
                time.sleep(1)
