"""Celery app with the same no-op task (`celery -A bench.noop_celery worker`)."""

from __future__ import annotations

import os

from celery import Celery

from bench.noop_contract import record_pickup

app = Celery("bench", broker=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
app.conf.update(task_ignore_result=True, worker_hijack_root_logger=False)


@app.task(name="bench_noop")
def bench_noop(sent_at: float) -> None:
    record_pickup(sent_at)
