"""One call to X (or the sandbox) over the standard library, on a deadline.

The web's calls to X are few and small: sign-in's token requests and its "who is
this" lookup. Made with ``urllib.request`` they leave requests, urllib3 and tweepy
out of the web's workers (about 6 MiB of each one's memory); the tweeter posts with
tweepy on requests, as before.

Every answer X gives, error statuses too, comes back as an ``XAnswer``. Only the
calls that got no answer raise: ``XTimedOut`` when X was silent for ``timeout_s``,
``XUnreachable`` when it could not be reached at all. Redirects are not followed:
a token request answered with one is an answer (3xx), not a second request that
would carry the credentials elsewhere.
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import Message
from typing import Any


class XCallFailed(Exception):
    """X gave no answer to a call: see the two kinds below."""


class XTimedOut(XCallFailed, TimeoutError):
    """X did not answer within the call's timeout."""


class XUnreachable(XCallFailed, ConnectionError):
    """X could not be reached: refused, reset, or a name that does not resolve."""


@dataclass(frozen=True)
class XAnswer:
    status: int
    headers: Message
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json_object(self) -> dict[str, Any]:
        """The body as a JSON object; empty when it is not one."""
        try:
            found = json.loads(self.body)
        except ValueError:
            return {}
        return found if isinstance(found, dict) else {}


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def call_x(
    method: str,
    url: str,
    *,
    timeout_s: float,
    headers: Mapping[str, str] | None = None,
    body: bytes | None = None,
) -> XAnswer:
    """``method url`` with ``headers`` and ``body``, waiting at most ``timeout_s`` for
    each step (connecting, each read), as requests' timeout does."""
    request = urllib.request.Request(url, data=body, headers=dict(headers or {}), method=method)
    try:
        with _OPENER.open(request, timeout=timeout_s) as response:
            return XAnswer(response.status, response.headers, response.read())
    except urllib.error.HTTPError as exc:  # an answer, with an error status
        with exc:
            try:
                body = exc.read()
            except (http.client.HTTPException, OSError):  # its body cut off: the status stands
                body = b""
            return XAnswer(exc.code, exc.headers, body)
    except TimeoutError as exc:
        raise XTimedOut(f"X did not answer within {timeout_s:g} s") from exc
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise XTimedOut(f"X did not answer within {timeout_s:g} s") from exc
        raise XUnreachable(f"could not reach X: {exc.reason}") from exc
    except (http.client.HTTPException, OSError) as exc:
        raise XUnreachable(f"could not reach X: {exc}") from exc
