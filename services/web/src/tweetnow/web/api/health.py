"""Liveness and readiness, for the orchestrator and the load balancer."""

from __future__ import annotations

import falcon
import redis

from tweetnow.shared.db import database

from ..schemas import Health


class Liveness:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = Health(status="ok")


class Readiness:
    """200 when Redis and the database answer, 503 saying which does not."""

    def __init__(self, redis_client: redis.Redis) -> None:
        self.redis = redis_client

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        checks: dict[str, str] = {}
        try:
            self.redis.ping()
            checks["redis"] = "ok"
        except Exception as exc:
            checks["redis"] = f"unreachable: {type(exc).__name__}"
        try:
            database.execute_sql("SELECT 1")
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"unreachable: {type(exc).__name__}"
        ready = all(v == "ok" for v in checks.values())
        resp.status = falcon.HTTP_200 if ready else falcon.HTTP_503
        resp.media = Health(status="ok" if ready else "unavailable", checks=checks)
