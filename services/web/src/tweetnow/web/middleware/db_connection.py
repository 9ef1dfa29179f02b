"""Middleware: one database connection per request, closed when the response is done."""

from __future__ import annotations

from tweetnow.shared.db import database


class DatabaseConnection:
    def process_request(self, req, resp) -> None:
        database.connect(reuse_if_open=True)

    def process_response(self, req, resp, resource, req_succeeded: bool) -> None:
        if not database.is_closed():
            database.close()
