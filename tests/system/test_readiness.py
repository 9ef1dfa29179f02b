"""Ready means ready: once /readyz answers 200, sign-ins succeed, even while the workers
are still starting and many people sign in at once."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from tests.support.local_stack import LocalStack
from tests.support.processes import console_script, wait_until
from tests.support.stack import Stack

SIGN_INS = 60


def ready(stack: LocalStack) -> requests.Response | None:
    try:
        return requests.get(f"{stack.env['PUBLIC_BASE_URL']}/readyz", timeout=2)
    except requests.RequestException:
        return None


def sign_in_outcome(stack: Stack) -> str:
    """ "ok", or what went wrong: a 5xx fails the whole dance."""
    try:
        stack.sign_in()
    except (AssertionError, requests.RequestException) as exc:
        return f"{type(exc).__name__}: {exc}"[:200]
    return "ok"


@pytest.fixture
def starting(tmp_path: Path) -> Iterator[Callable[..., LocalStack]]:
    """Launch a stack of this test's own, stopped when the test ends."""
    if os.environ.get("TWEETNOW_TEST_WEB_URL"):
        pytest.skip("starts its own processes (not an external stack)")
    started: list[LocalStack] = []

    def launch(*, migrate: bool = True) -> LocalStack:
        started.append(LocalStack.launch(tmp_path, migrate=migrate))
        return started[-1]

    yield launch
    for stack in started:
        stack.stop()


def test_60_sign_ins_right_after_ready_none_answers_5xx(starting):
    local = starting()

    def is_ready() -> bool:
        r = ready(local)
        return r is not None and r.status_code == 200

    wait_until(is_ready, timeout=60, what="/readyz to answer 200", every=0.02)
    stack = Stack(
        web_url=local.env["PUBLIC_BASE_URL"], sandbox_url=local.env["X_SANDBOX_PUBLIC_URL"]
    )
    wait_until(
        lambda: requests.get(f"{stack.sandbox_url}/_sandbox/health", timeout=2).ok,
        timeout=30,
        what="the sandbox",
    )
    with ThreadPoolExecutor(SIGN_INS) as pool:
        outcomes = list(pool.map(lambda _: sign_in_outcome(stack), range(SIGN_INS)))
    failures = [o for o in outcomes if o != "ok"]
    assert failures == [], local.logs()


def test_not_ready_until_the_schema_is_migrated(starting):
    local = starting(migrate=False)
    wait_until(lambda: ready(local) is not None, timeout=60, what="the web to answer")
    r = ready(local)
    assert r is not None and r.status_code == 503
    assert r.json()["checks"]["database"].startswith("not migrated")
    subprocess.run(
        [console_script("tweetnow-migrate")],
        env={**os.environ, **local.env},
        check=True,
        timeout=60,
    )
    r = ready(local)
    assert r is not None and r.status_code == 200, r.text
