"""Finding a GIF for a thought on GIPHY (``GET /v1/gifs/search``).

A GIF is a nicety: when GIPHY is slow, down, or answers with something we
cannot read, the lookup gives None and the mail goes out without one.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import requests

from tweetnow.shared.logs import get_logger

log = get_logger(__name__)

#: GIPHY takes search terms of at most 50 characters.
MAX_QUERY_CHARS = 50
#: Renditions in order of preference for a mail: small enough to load fast, still animated.
RENDITIONS = ("downsized", "downsized_medium", "fixed_width", "original")


@dataclass(frozen=True)
class Gif:
    url: str  # the image itself
    title: str
    page_url: str | None  # the GIF's page on GIPHY, for attribution
    width: int | None = None
    height: int | None = None

    def to_data(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_data(cls, data: Any) -> Gif | None:
        """The GIF stored in a mail's data by an earlier attempt, if any."""
        if not isinstance(data, dict) or not _is_web_url(data.get("url")):
            return None
        return cls(
            url=data["url"],
            title=str(data.get("title") or ""),
            page_url=data.get("page_url") if _is_web_url(data.get("page_url")) else None,
            width=_int_or_none(data.get("width")),
            height=_int_or_none(data.get("height")),
        )


def _is_web_url(value: object) -> bool:
    return isinstance(value, str) and value.startswith(("https://", "http://"))


def _int_or_none(value: object) -> int | None:
    try:
        number = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def search_query(thought: str) -> str:
    """The thought as GIPHY search terms: whitespace collapsed, cut at a word if it can be."""
    words = " ".join(thought.split())
    if len(words) <= MAX_QUERY_CHARS:
        return words
    cut = words[: MAX_QUERY_CHARS + 1].rsplit(" ", 1)[0]
    return cut if cut and len(cut) <= MAX_QUERY_CHARS else words[:MAX_QUERY_CHARS]


def first_gif(body: Any) -> Gif | None:
    """The first usable GIF in a search response, or None."""
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        return None
    for item in body["data"]:
        if not isinstance(item, dict) or not isinstance(item.get("images"), dict):
            continue
        for name in RENDITIONS:
            rendition = item["images"].get(name)
            if isinstance(rendition, dict) and _is_web_url(rendition.get("url")):
                page = item.get("url")
                return Gif(
                    url=rendition["url"],
                    title=str(item.get("title") or "").strip(),
                    page_url=page if _is_web_url(page) else None,
                    width=_int_or_none(rendition.get("width")),
                    height=_int_or_none(rendition.get("height")),
                )
    return None


class GiphySearch:
    def __init__(
        self,
        *,
        api_url: str,
        api_key: str,
        timeout_s: float,
        session: requests.Session | None = None,
        rating: str = "g",
    ) -> None:
        self.endpoint = api_url.rstrip("/") + "/v1/gifs/search"
        self.api_key = api_key
        self.timeout_s = timeout_s
        #: None: a fresh connection per search (worker threads share this object).
        self.session = session
        self.rating = rating

    def find(self, thought: str) -> Gif | None:
        """One GIF for ``thought``, or None (nothing found, or GIPHY failed: logged)."""
        query = search_query(thought)
        if not query:
            return None
        params = {
            "api_key": self.api_key,
            "q": query,
            "limit": "1",
            "rating": self.rating,
            "lang": "en",
        }
        try:
            get = self.session.get if self.session is not None else requests.get
            response = get(self.endpoint, params=params, timeout=self.timeout_s)
        except requests.RequestException as exc:
            log.warning("giphy_unreachable", error=type(exc).__name__)
            return None
        if response.status_code != 200:
            log.warning("giphy_refused", status=response.status_code)
            return None
        try:
            body = response.json()
        except ValueError:
            log.warning("giphy_unreadable", reason="not JSON")
            return None
        gif = first_gif(body)
        log.info("giphy_searched", found=gif is not None)
        return gif
