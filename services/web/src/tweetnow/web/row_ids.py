"""Row ids in URLs: whole numbers the database can hold (a signed 64-bit integer).

A larger number in a path is simply not found (404); in a query it is a 400.
"""

from __future__ import annotations

from falcon.routing import IntConverter

MAX_ROW_ID = 2**63 - 1


class RowIdConverter(IntConverter):
    """``{name:id}`` in a route: 1 to MAX_ROW_ID, else no match."""

    def __init__(self) -> None:
        super().__init__(min=1, max=MAX_ROW_ID)
