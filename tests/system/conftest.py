"""System tests: the stack fixtures come from tests/conftest.py; every test here is marked
``system``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.system)


@pytest.fixture(autouse=True)
def _sandbox_without_faults(no_faults: None) -> Iterator[None]:
    yield
