"""Middleware: the request's database connection goes back to the pool when it is done.

Nothing is opened up front: the first query of a request takes a connection
from the pool (peewee connects on first use), so a request that never touches
the database (``/healthz``, an enqueue-only path) pays nothing for it.
"""

from __future__ import annotations

import falcon

from tweetnow.shared.db import database


class DatabaseConnection:
    def process_response(
        self, req: falcon.Request, resp: falcon.Response, resource: object, req_succeeded: bool
    ) -> None:
        if not database.is_closed():
            database.close()
