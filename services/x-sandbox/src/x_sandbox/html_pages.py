"""The sandbox's HTML pages, and how they are sent. Every piece of user text goes
through ``escape``."""

from __future__ import annotations

from html import escape

import falcon

from x_sandbox.tweets import SandboxTweet

_STYLE = """
body { font: 16px/1.45 system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem;
       color: #0f1419; }
header { border-bottom: 1px solid #cfd9de; margin-bottom: 1rem; }
.note { color: #536471; font-size: .9rem; }
.tweet { border: 1px solid #cfd9de; border-radius: 12px; padding: .75rem 1rem; margin: .75rem 0; }
.tweet p { white-space: pre-wrap; overflow-wrap: anywhere; margin: .35rem 0; }
.who { font-weight: 600; }
.error { color: #b00020; }
form { display: grid; gap: .6rem; max-width: 22rem; }
input, button { font: inherit; padding: .45rem .6rem; }
""".strip()

#: Pages never load scripts or anything from elsewhere.
CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"


def _layout(title: str, body: str) -> str:
    return (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} · X sandbox</title><style>{_STYLE}</style></head>\n"
        f'<body><header><p class="note">X sandbox — a local stand-in for X (development '
        f"and tests only)</p></header>\n{body}\n</body></html>\n"
    )


def _tweet(tweet: SandboxTweet, public_url: str) -> str:
    url = f"{public_url}/{tweet.username}/status/{tweet.id}"
    return (
        '<article class="tweet">'
        f'<span class="who">@{escape(tweet.username)}</span> '
        f'<a class="note" href="{escape(url)}">'
        f'<time datetime="{tweet.created_at_iso}">{tweet.created_at_iso}</time></a>'
        f"<p>{escape(tweet.text)}</p></article>"
    )


def tweet_list_page(tweets: list[SandboxTweet], total: int, public_url: str) -> str:
    """The newest ``tweets`` of ``total`` posted."""
    if not tweets:
        items = '<p class="note">Nothing posted yet.</p>'
    else:
        shown = f"the newest {len(tweets)} of {total}" if total > len(tweets) else f"{total}"
        items = f'<p class="note">Showing {shown}, newest first.</p>\n' + "\n".join(
            _tweet(t, public_url) for t in tweets
        )
    return _layout("Posted", f"<h1>Posted tweets</h1>\n{items}")


def tweet_page(tweet: SandboxTweet, public_url: str) -> str:
    return _layout(f"@{tweet.username}", _tweet(tweet, public_url))


def consent_page(token: str, *, username: str = "", error: str | None = None) -> str:
    message = f'<p class="error">{escape(error)}</p>' if error else ""
    body = f"""<h1>Sign in to X</h1>
<p>An app asks to use your X account. Type any X user name: the sandbox creates the
account the first time.</p>
{message}
<form method="post">
  <input type="hidden" name="oauth_token" value="{escape(token)}">
  <label>User name <input name="username" value="{escape(username)}" maxlength="15"
    pattern="[A-Za-z0-9_]{{1,15}}" autocomplete="username" autofocus></label>
  <button name="action" value="approve">Authorize app</button>
  <button name="action" value="cancel" formnovalidate>Cancel</button>
</form>"""
    return _layout("Authorize app", body)


def verifier_page(verifier: str) -> str:
    body = (
        "<h1>Authorized</h1><p>Enter this PIN in the app:</p>"
        f"<p><strong>{escape(verifier)}</strong></p>"
    )
    return _layout("Authorized", body)


def message_page(title: str, message: str) -> str:
    return _layout(title, f"<h1>{escape(title)}</h1><p>{escape(message)}</p>")


def send_html(resp: falcon.Response, page: str, status: int = 200) -> None:
    resp.status = status
    resp.content_type = falcon.MEDIA_HTML
    resp.set_header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    resp.set_header("X-Content-Type-Options", "nosniff")
    resp.text = page


def oauth2_consent_page(
    fields: dict[str, str], *, username: str = "", error: str | None = None
) -> str:
    """The OAuth 2.0 consent page: the request rides along in hidden fields."""
    message = f'<p class="error">{escape(error)}</p>' if error else ""
    hidden = "\n".join(
        f'  <input type="hidden" name="{escape(name)}" value="{escape(value)}">'
        for name, value in fields.items()
    )
    scopes = ", ".join(escape(s) for s in fields.get("scope", "").split())
    body = f"""<h1>Sign in to X</h1>
<p>An app asks to use your X account ({scopes}). Type any X user name: the sandbox creates
the account the first time.</p>
{message}
<form method="post">
{hidden}
  <label>User name <input name="username" value="{escape(username)}" maxlength="15"
    pattern="[A-Za-z0-9_]{{1,15}}" autocomplete="username" autofocus></label>
  <button name="action" value="approve">Authorize app</button>
  <button name="action" value="cancel" formnovalidate>Cancel</button>
</form>"""
    return _layout("Authorize app", body)
