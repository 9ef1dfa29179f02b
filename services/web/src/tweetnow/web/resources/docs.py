"""GET /openapi.json."""

from __future__ import annotations

import falcon

from ..openapi import build_openapi


class OpenApiDocument:
    def __init__(self) -> None:
        self.document = build_openapi()

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = self.document
