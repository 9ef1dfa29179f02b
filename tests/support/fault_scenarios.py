"""What the fault scenarios accepted and what became of it, for the summary table."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from tests.support.stack import Person, Stack


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

    @property
    def failed_total(self) -> int:
        return sum(self.failed.values())

    @staticmethod
    def table(outcomes: list[Outcome]) -> list[str]:
        head = ("scenario", "accepted", "sent", "failed", "lost", "duplicated", "refused")
        rows = [
            (
                o.scenario,
                str(o.accepted),
                str(o.sent),
                str(o.failed_total),
                str(o.lost),
                str(o.duplicated),
                ", ".join(f"{n}x{code}" for code, n in sorted(o.refused.items())) or "0",
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
        copies = on_x[p.text]
        if copies > 1:
            outcome.duplicated += 1
        if row["status"] == "sent" and copies >= 1:
            outcome.sent += 1
        elif row["status"] == "failed" and copies == 0:
            outcome.failed[row["error"] or "(no reason)"] += 1
        else:
            outcome.lost += 1
    OUTCOMES.append(outcome)
    return outcome
