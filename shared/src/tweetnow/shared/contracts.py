"""Message contracts: one declaration shared by the producer and the consumer.

A contract names the Dramatiq queue and actor, the payload schema (JSON types
only: ids, not objects) and its version. Producers call ``send()`` without
importing any consumer code; a consumer registers its function with
``@consumes(CONTRACT, broker=..., retry=...)``, which validates every payload
before the function runs and dead-letters a payload that does not fit, at
once, with the reason. How a consumer retries is its own business, decided
from the settings it was started with (``messages.retry_policy``), so a
producer never needs them. Schemas evolve additively: new fields are optional,
unknown fields are ignored, so a new producer can run beside an old consumer.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import dramatiq
import msgspec

P = TypeVar("P", bound=msgspec.Struct)


class PoisonMessage(Exception):
    """The message's payload does not match its contract: dead-letter it at once."""


class PermanentFailure(Exception):
    """The work can never succeed (e.g. X refused the content): fail, never retry."""


@dataclass(frozen=True, kw_only=True)
class RetryPolicy:
    """How the consumer side treats a failed attempt of a contract's jobs."""

    max_retries: int
    min_backoff_ms: int
    max_backoff_ms: int
    #: Exceptions that end the job at once as failed, never retried.
    permanent: tuple[type[BaseException], ...] = (PermanentFailure,)


@dataclass(frozen=True, kw_only=True)
class Contract(Generic[P]):
    actor_name: str
    queue: str
    payload: type[P]
    version: int
    description: str = ""
    extra_options: dict[str, Any] = field(default_factory=dict)

    def message(
        self,
        payload: P,
        *,
        message_id: str | None = None,
        owner_id: str | int | None = None,
        request_id: str | None = None,
    ) -> dramatiq.Message[Any]:
        options: dict[str, Any] = {"contract_version": self.version}
        if owner_id is not None:
            options["owner_id"] = str(owner_id)
        if request_id:
            options["request_id"] = request_id
        message: dramatiq.Message[Any] = dramatiq.Message(
            queue_name=self.queue,
            actor_name=self.actor_name,
            args=(),
            kwargs=msgspec.to_builtins(payload),
            options=options,
        )
        return message.copy(message_id=message_id) if message_id else message

    def decode(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> P:
        """The typed payload, or PoisonMessage saying what does not fit."""
        if args:
            raise PoisonMessage(
                f"{self.actor_name} v{self.version} takes keyword fields only, got {len(args)} "
                "positional argument(s)"
            )
        try:
            return msgspec.convert(kwargs, type=self.payload)
        except msgspec.ValidationError as exc:
            raise PoisonMessage(
                f"payload does not match {self.actor_name} v{self.version}: {exc}"
            ) from None


def send(
    broker: dramatiq.Broker,
    contract: Contract[P],
    payload: P,
    *,
    message_id: str | None = None,
    delay_ms: int | None = None,
    owner_id: str | int | None = None,
    request_id: str | None = None,
) -> dramatiq.Message[Any]:
    """Enqueue a job for ``contract``; the consumer may live in another service."""
    message = contract.message(
        payload, message_id=message_id, owner_id=owner_id, request_id=request_id
    )
    return broker.enqueue(message, delay=delay_ms)


def consumes(
    contract: Contract[P], *, broker: dramatiq.Broker, retry: RetryPolicy
) -> Callable[[Callable[[P], Any]], dramatiq.Actor[..., Any]]:
    """Register ``fn(payload)`` on ``broker`` as the Dramatiq actor that consumes ``contract``."""

    def decorator(fn: Callable[[P], Any]) -> dramatiq.Actor[..., Any]:
        @functools.wraps(fn)
        def handler(*args: Any, **kwargs: Any) -> Any:
            return fn(contract.decode(args, kwargs))

        declare = dramatiq.actor(
            broker=broker,
            actor_name=contract.actor_name,
            queue_name=contract.queue,
            max_retries=retry.max_retries,
            min_backoff=retry.min_backoff_ms,
            max_backoff=retry.max_backoff_ms,
            throws=(PoisonMessage, *retry.permanent),
            **contract.extra_options,
        )
        return declare(handler)

    return decorator
