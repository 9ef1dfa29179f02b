"""The outbox rule: a row is committed first, then its message is sent.

If the broker cannot be reached, the row stays ``queued`` with its job id and
the sweeper (a recurring job) sends the message later with that same id.
Nothing accepted is lost, and no message ever points at a missing row.
"""

from __future__ import annotations

import dramatiq
import redis
from dramatiq.errors import BrokerError

from .contracts import Contract, P, send
from .log_setup import get_logger

log = get_logger(__name__)


def send_or_defer(
    broker: dramatiq.Broker,
    contract: Contract[P],
    payload: P,
    *,
    job_id: str,
    delay_ms: int | None = None,
    owner_id: str | int | None = None,
    request_id: str | None = None,
) -> bool:
    """Send the job; on a broker outage leave it to the sweeper. True if it was sent."""
    try:
        send(
            broker,
            contract,
            payload,
            message_id=job_id,
            delay_ms=delay_ms,
            owner_id=owner_id,
            request_id=request_id,
        )
    except (redis.RedisError, BrokerError) as exc:
        log.warning("enqueue_deferred", job_id=job_id, actor=contract.actor_name, error=str(exc))
        return False
    return True
