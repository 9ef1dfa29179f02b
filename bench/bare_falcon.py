"""The baseline for the web: a Falcon app with a GET that answers JSON and a POST that
reads a JSON body and answers 202 with JSON; no auth, no database, no Redis; served
by the same gunicorn settings as the web
(`gunicorn -c python:tweetnow.web.gunicorn_conf bench.bare_falcon:app`)."""

from __future__ import annotations

import falcon


class Health:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = {"status": "ok"}


class Accept:
    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        body = req.get_media()
        resp.status = falcon.HTTP_202
        resp.media = {"accepted": len(body.get("text", ""))}


app = falcon.App()
app.add_route("/healthz", Health())
app.add_route("/api/tweets", Accept())
