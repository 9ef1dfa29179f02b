"""Where Dramatiq's Redis broker keeps each queue (namespace ``dramatiq``).

``<q>`` ready ids (list) and ``<q>.msgs`` their payloads; ``<q>.DQ``/``.DQ.msgs``
delayed messages (workers prefetch the ids, so the hash is the count);
``<q>.XQ`` dead ids by time (sorted set) and ``<q>.XQ.msgs``. Ids are Dramatiq's
per-enqueue ``redis_message_id``, not the job's message id.
"""

from __future__ import annotations

from tweetnow.shared.messages import MAIL_QUEUE, TWEETS_QUEUE
from tweetnow.shared.periodic import PERIODIC_QUEUE

NAMESPACE = "dramatiq"
QUEUES: tuple[str, ...] = (TWEETS_QUEUE, MAIL_QUEUE, PERIODIC_QUEUE)
HEARTBEATS = f"{NAMESPACE}:__heartbeats__"


def ready_list(queue: str) -> str:
    return f"{NAMESPACE}:{queue}"


def ready_msgs(queue: str) -> str:
    return f"{NAMESPACE}:{queue}.msgs"


def delayed_msgs(queue: str) -> str:
    return f"{NAMESPACE}:{queue}.DQ.msgs"


def dead_set(queue: str) -> str:
    return f"{NAMESPACE}:{queue}.XQ"


def dead_msgs(queue: str) -> str:
    return f"{NAMESPACE}:{queue}.XQ.msgs"
