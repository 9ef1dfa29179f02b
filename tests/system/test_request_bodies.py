"""Bodies sent with ``Transfer-Encoding: chunked`` through real gunicorn: gunicorn passes
them without a Content-Length, and they are read like any other, up to MAX_BODY_BYTES."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from urllib.parse import urlsplit

from tests.support.stack import Person, Stack

#: The web's default MAX_BODY_BYTES (the test stack keeps it).
MAX_BODY_BYTES = 65536


def in_chunks(data: bytes, size: int = 1000) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def post_chunked(
    stack: Stack, path: str, body: bytes, headers: dict[str, str]
) -> tuple[int, dict[str, str], bytes]:
    """POST ``body`` in chunks, with no Content-Length; the status, headers and body."""
    url = urlsplit(stack.web_url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    try:
        conn.request("POST", path, body=in_chunks(body), headers=headers, encode_chunked=True)
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def api_headers(person: Person, content_type: str) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {person.token}",
        "Content-Type": content_type,
        "Transfer-Encoding": "chunked",
    }


def test_a_chunked_json_body_is_read_like_any_other(stack: Stack):
    ada = stack.sign_in()
    ada.create_token()
    text = "sent in chunks " + "x" * 200
    body = json.dumps({"text": text}).encode()
    status, _, answer = post_chunked(
        stack, "/api/tweets", body, api_headers(ada, "application/json")
    )
    assert status == 202, answer
    job = ada.wait_job(json.loads(answer)["job"]["id"])
    assert job["status"] == "succeeded", job
    assert [t["text"] for t in stack.sandbox_tweets(ada.username)] == [text]


def test_a_chunked_body_over_the_limit_is_413(stack: Stack):
    bob = stack.sign_in()
    bob.create_token()
    body = json.dumps({"text": "x" * MAX_BODY_BYTES}).encode()
    status, _, answer = post_chunked(
        stack, "/api/tweets", body, api_headers(bob, "application/json")
    )
    assert status == 413, answer
    assert f"over {MAX_BODY_BYTES} bytes" in json.loads(answer)["description"]
    assert stack.sandbox_tweets(bob.username) == []


def test_a_chunked_sign_out_form_is_read_for_its_csrf_token(stack: Stack):
    cleo = stack.sign_in()
    cookies = "; ".join(f"{k}={v}" for k, v in cleo.session.cookies.items())
    status, headers, answer = post_chunked(
        stack,
        "/auth/logout",
        f"csrf_token={cleo.csrf}".encode(),
        {"Cookie": cookies, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 303, answer
    assert headers["location"] == "/"
    r = cleo.session.get(cleo.url("/api/me"), timeout=10)
    assert r.status_code == 401  # the session is over
