"""The landing page."""

from __future__ import annotations

from html import escape

import falcon

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>tweetnow</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>tweetnow</h1><p>Post to X without waiting for X.</p>{body}</main></body></html>
"""


class Home:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        user = req.context.user
        if user is None:
            body = '<p><a href="/auth/x/login">Sign in with X</a></p>'
        else:
            body = f"<p>Signed in as @{escape(user.username)}.</p>"
        resp.content_type = falcon.MEDIA_HTML
        resp.text = PAGE.format(body=body)
