"""The baseline for POST /api/tweets: a Falcon endpoint that reads the JSON body and
answers 202 with JSON, no auth, no database, no Redis; served by the same gunicorn
settings as the web (`gunicorn -c python:tweetnow.web.gunicorn_conf bench.bare_falcon:app`)."""

from __future__ import annotations

import falcon


class Accept:
    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        body = req.get_media()
        resp.status = falcon.HTTP_202
        resp.media = {"accepted": len(body.get("text", ""))}


app = falcon.App()
app.add_route("/api/tweets", Accept())
