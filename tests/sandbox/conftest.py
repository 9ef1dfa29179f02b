"""The sandbox app in-process, with a clock the tests move."""

from __future__ import annotations

import pytest
from falcon import testing

from tests.support.sandbox_client import Account, FakeClock, Sandbox
from x_sandbox.app import create_app
from x_sandbox.settings import SandboxSettings
from x_sandbox.state import SandboxState


@pytest.fixture
def settings() -> SandboxSettings:
    return SandboxSettings(public_url="http://127.0.0.1:8081")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def state() -> SandboxState:
    return SandboxState()


@pytest.fixture
def sandbox(settings: SandboxSettings, clock: FakeClock, state: SandboxState) -> Sandbox:
    client = testing.TestClient(create_app(settings, clock=clock, state=state))
    return Sandbox(client, settings)


@pytest.fixture
def alice(sandbox: Sandbox) -> Account:
    return sandbox.sign_in("alice")


@pytest.fixture
def bob(sandbox: Sandbox) -> Account:
    return sandbox.sign_in("bob")
