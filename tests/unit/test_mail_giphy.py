"""Finding a GIF on GIPHY: the request we make, the answer we read, and every way it fails."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from requests.adapters import BaseAdapter

from tests.support.silent_server import silent_server
from tweetnow.mailer.giphy import Gif, GiphySearch, first_gif, search_query

API = "https://giphy.test"


def giphy_item(gif_id: str = "abc", **images: dict) -> dict:
    return {
        "type": "gif",
        "id": gif_id,
        "url": f"https://giphy.com/gifs/coffee-{gif_id}",
        "title": "Coffee Time GIF",
        "images": images
        or {
            "original": {
                "url": f"https://media.giphy.com/media/{gif_id}/giphy.gif",
                "width": "480",
                "height": "270",
            },
            "downsized": {
                "url": f"https://media.giphy.com/media/{gif_id}/giphy-downsized.gif",
                "width": "320",
                "height": "180",
            },
        },
    }


def search_body(*items: dict) -> dict:
    return {
        "data": list(items),
        "pagination": {"total_count": len(items), "count": len(items), "offset": 0},
        "meta": {"status": 200, "msg": "OK", "response_id": "r1"},
    }


class FakeGiphy(BaseAdapter):
    """Answers requests in-process, the way GIPHY would (or would not)."""

    def __init__(self, answer: Callable[[requests.PreparedRequest], requests.Response]) -> None:
        super().__init__()
        self.answer = answer
        self.requests: list[requests.PreparedRequest] = []

    def send(self, request, **kwargs):
        self.requests.append(request)
        self.timeout = kwargs.get("timeout")
        return self.answer(request)

    def close(self) -> None:
        pass


def respond(status: int, body: object) -> Callable[[requests.PreparedRequest], requests.Response]:
    def answer(request: requests.PreparedRequest) -> requests.Response:
        response = requests.Response()
        response.status_code = status
        response._content = body if isinstance(body, bytes) else json.dumps(body).encode()
        response.headers["Content-Type"] = "application/json"
        response.url = request.url
        response.request = request
        return response

    return answer


def raise_(exc: Exception) -> Callable[[requests.PreparedRequest], requests.Response]:
    def answer(request: requests.PreparedRequest) -> requests.Response:
        raise exc

    return answer


def client(answer) -> tuple[GiphySearch, FakeGiphy]:
    fake = FakeGiphy(answer)
    session = requests.Session()
    session.mount(API, fake)
    return GiphySearch(api_url=API + "/", api_key="k3y", timeout_s=1.5, session=session), fake


def test_search_asks_for_one_safe_gif_and_reads_the_smaller_rendition():
    giphy, fake = client(respond(200, search_body(giphy_item())))
    gif = giphy.find("  Mondays\nneed   coffee ")
    assert gif == Gif(
        url="https://media.giphy.com/media/abc/giphy-downsized.gif",
        title="Coffee Time GIF",
        page_url="https://giphy.com/gifs/coffee-abc",
        width=320,
        height=180,
    )
    (request,) = fake.requests
    parts = urlsplit(request.url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{API}/v1/gifs/search"
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query == {"api_key": "k3y", "q": "Mondays need coffee", "limit": "1", "rating": "g",
                     "lang": "en"}  # fmt: skip
    assert fake.timeout == 1.5


def test_nothing_found_is_no_gif():
    giphy, _ = client(respond(200, search_body()))
    assert giphy.find("zzzz") is None


@pytest.mark.parametrize(
    "answer",
    [
        respond(500, {"meta": {"status": 500, "msg": "Internal error"}}),
        respond(401, {"meta": {"status": 401, "msg": "Unauthorized"}}),
        respond(429, {"meta": {"status": 429, "msg": "Too many requests"}}),
        respond(200, b"<html>not json</html>"),
        respond(200, {"data": "nope"}),
        raise_(requests.Timeout("read timed out")),
        raise_(requests.ConnectionError("refused")),
    ],
    ids=["500", "401", "429", "not-json", "bad-shape", "timeout", "refused"],
)
def test_any_trouble_means_no_gif_not_an_error(answer):
    giphy, _ = client(answer)
    assert giphy.find("coffee") is None


def test_an_empty_thought_asks_nothing():
    giphy, fake = client(respond(200, search_body(giphy_item())))
    assert giphy.find("   ") is None
    assert fake.requests == []


def test_renditions_without_a_web_url_are_skipped():
    item = giphy_item(
        original={"url": "javascript:alert(1)"},
        fixed_width={"url": "https://media.giphy.com/media/x/200w.gif", "width": "200"},
    )
    gif = first_gif(search_body(item))
    assert gif is not None
    assert gif.url == "https://media.giphy.com/media/x/200w.gif"
    assert (gif.width, gif.height) == (200, None)
    assert first_gif(search_body(giphy_item(original={"url": "ftp://x"}))) is None


def test_query_is_cut_to_fifty_characters_at_a_word():
    assert search_query("short") == "short"
    q = search_query("coffee " * 20)
    assert len(q) <= 50 and q.endswith("coffee")
    assert search_query("x" * 80) == "x" * 50


def test_a_stored_gif_round_trips_and_junk_is_ignored():
    gif = Gif(url="https://m.test/a.gif", title="A", page_url=None, width=1, height=2)
    assert Gif.from_data(gif.to_data()) == gif
    assert Gif.from_data(None) is None
    assert Gif.from_data({"url": "data:image/gif;base64,AAAA"}) is None


def test_a_giphy_that_never_answers_gives_no_gif_after_its_timeout():
    with silent_server() as api_url:
        search = GiphySearch(api_url=api_url, api_key="k3y", timeout_s=0.3)
        started = time.monotonic()
        assert search.find("waiting for a GIF") is None
    assert time.monotonic() - started < 5  # 0.3 s, against a server that never answers
