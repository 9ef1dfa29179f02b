"""The words of the route table: a path, the resource behind it, and what each method says.

``app.py`` lists every route once in these terms. Falcon is given the paths
from that list, ``middleware/operations.py`` holds each operation to the caller
and body it declares, and ``openapi.py`` documents the API from the same list:
what is documented is what is served and enforced.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import falcon

#: Who may call an operation: anyone, a signed-in person (API token or browser
#: session), or a browser session only.
Caller = Literal["anyone", "user", "session"]


@dataclass(frozen=True)
class Answer:
    """One documented response: its status, its body's struct (None: no body), and why."""

    status: int
    struct: type | None
    description: str
    #: Response headers worth documenting, each with what it says.
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class QueryParam:
    """A whole-number query parameter from 1 to ``maximum``."""

    name: str
    maximum: int


@dataclass(frozen=True)
class HeaderParam:
    """A request header the operation reads, and what it does."""

    name: str
    description: str


@dataclass(frozen=True)
class Operation:
    """What one method of a route does, takes and answers.

    ``errors`` are the usual error statuses, documented with their standard
    wording; an ``answers`` entry for the same status words it for this
    operation instead.
    """

    summary: str
    answers: tuple[Answer, ...]
    errors: tuple[int, ...] = ()
    body: type | None = None
    #: A multipart/form-data body's JSON Schema, for the document only: the resource
    #: reads such a body itself (``body`` is for JSON bodies, read by a middleware).
    form: dict[str, Any] | None = None
    caller: Caller = "user"
    query: tuple[QueryParam, ...] = ()
    headers: tuple[HeaderParam, ...] = ()


@dataclass(frozen=True)
class Route:
    """A path served by ``resource`` (its ``on_<method>_<suffix>`` responders when a
    suffix is given); ``operations``, by lower-case method, are the ones published in
    /openapi.json."""

    path: str
    resource: object
    suffix: str | None = None
    operations: Mapping[str, Operation] = field(default_factory=dict)


def add_routes(app: falcon.App, routes: Iterable[Route]) -> None:
    for route in routes:
        if route.suffix is None:
            app.add_route(route.path, route.resource)
        else:
            app.add_route(route.path, route.resource, suffix=route.suffix)
