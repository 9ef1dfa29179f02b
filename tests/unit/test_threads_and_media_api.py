"""Threads and images through the JSON API in-process: what is accepted, and every bad
input's 4xx, leaving nothing behind."""

from __future__ import annotations

import io
import os

import pytest
from PIL import Image

from tests.support.web_api import assert_nothing_written, bearer
from tweetnow.shared.models import Media, MediaBytes, ThreadPart, Tweet

BOUNDARY = "unit-test-boundary"


def multipart(fields: dict[str, tuple[str | None, bytes]]) -> tuple[bytes, dict[str, str]]:
    """A multipart/form-data body: each field a (file name or None, bytes)."""
    out = b""
    for name, (filename, value) in fields.items():
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        out += f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n".encode()
        out += value + b"\r\n"
    out += f"--{BOUNDARY}--\r\n".encode()
    return out, {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}


def image(fmt: str, size: tuple[int, int] = (16, 9), *, noise: bool = False) -> bytes:
    out = io.BytesIO()
    if noise:
        picture = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        picture = Image.new("RGB", size, (1, 2, 3))
    picture.save(out, format=fmt)
    return out.getvalue()


def upload(client, token: str, data: bytes, alt_text: str | None = None, name: str = "a.png"):
    fields: dict[str, tuple[str | None, bytes]] = {"file": (name, data)}
    if alt_text is not None:
        fields["alt_text"] = (None, alt_text.encode())
    body, headers = multipart(fields)
    return client.simulate_post("/api/media", body=body, headers={**headers, **bearer(token)})


def test_an_image_is_kept_with_what_pillow_read_from_it(client, alice):
    user, token = alice
    data = image("WEBP", (20, 10))
    r = upload(client, token, data, "A tiny brown box", name="box.gif")
    assert r.status_code == 201, r.text
    assert r.json == {
        "id": r.json["id"],
        "type": "image/webp",
        "size": len(data),
        "width": 20,
        "height": 10,
        "alt_text": "A tiny brown box",
    }
    row = Media.get_by_id(r.json["id"])
    assert bytes(MediaBytes.get(MediaBytes.media == row.id).data) == data
    assert row.user_id == user.id


@pytest.mark.parametrize(
    ("data", "alt", "status", "words"),
    [
        (b"%PDF-1.7 not an image", None, 415, "JPEG, PNG or WebP up to 5 MB, or GIF up to 15 MB"),
        (image("BMP"), None, 415, "This is a BMP image"),
        (image("TIFF"), None, 415, "This is a TIFF image"),
        (image("PNG", (64, 64), noise=True)[:2000], None, 422, "damaged"),
        (b"", None, 422, "empty"),
        (image("PNG"), "x" * 1001, 422, "`alt_text` is 1,001 characters"),
    ],
)
def test_what_is_not_an_image_x_takes_is_refused_and_not_kept(
    client, alice, data: bytes, alt: str | None, status: int, words: str
):
    _, token = alice
    r = upload(client, token, data, alt)
    assert r.status_code == status, r.text
    assert words in r.json["description"]
    assert Media.select().count() == 0
    assert MediaBytes.select().count() == 0


def test_a_png_over_5_mb_is_413_whatever_it_is_called(client, alice):
    _, token = alice
    big = image("PNG", (1400, 1300), noise=True)
    assert len(big) > 5 * 1024 * 1024
    r = upload(client, token, big, name="small.gif")
    assert r.status_code == 413
    assert "PNG image is" in r.json["description"]
    assert Media.select().count() == 0


def test_media_needs_a_multipart_body_with_a_file(client, alice):
    _, token = alice
    as_json = client.simulate_post("/api/media", json={"file": "x"}, headers=bearer(token))
    assert as_json.status_code == 415
    body, headers = multipart({"alt_text": (None, b"only words")})
    no_file = client.simulate_post("/api/media", body=body, headers={**headers, **bearer(token)})
    assert no_file.status_code == 422
    assert "`file`" in no_file.json["description"]
    anonymous = client.simulate_post("/api/media", body=body, headers=headers)
    assert anonymous.status_code == 401


def test_a_thread_is_one_tweet_with_its_parts(client, alice):
    _, token = alice
    r = client.simulate_post(
        "/api/tweets", json={"thread": ["first", {"text": "second"}]}, headers=bearer(token)
    )
    assert r.status_code == 202, r.text
    tweet = r.json["tweet"]
    assert tweet["text"] == "first"
    assert [(p["text"], p["status"], p["x_tweet_id"]) for p in tweet["parts"]] == [
        ("first", "queued", None),
        ("second", "queued", None),
    ]
    assert [p.text for p in ThreadPart.select().order_by(ThreadPart.position)] == [
        "first",
        "second",
    ]
    assert (
        client.simulate_get(f"/api/tweets/{tweet['id']}", headers=bearer(token)).json["parts"]
        == tweet["parts"]
    )
    single = client.simulate_post("/api/tweets", json={"text": "one"}, headers=bearer(token))
    assert single.json["tweet"]["parts"] is None


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"thread": ["only one"]}, "2 to 25 parts; this one has 1"),
        ({"thread": [f"part {n}" for n in range(26)]}, "this one has 26"),
        ({"thread": ["fine", "x" * 281]}, "Part 2 of the thread: the text is 281 characters"),
        ({"thread": ["fine", "   "]}, "Part 2 of the thread"),
        ({"text": "a", "thread": ["b", "c"]}, "either `text` or `thread`"),
        ({"text": "a", "media_ids": [999]}, "No image 999 of yours"),
        ({"thread": ["a", {"text": "b", "extra": 1}]}, "unknown field `extra`"),
    ],
)
def test_bad_threads_and_media_ids_are_refused_and_leave_nothing(
    client, alice, redis_client, body: dict, words: str
):
    _, token = alice
    r = client.simulate_post("/api/tweets", json=body, headers=bearer(token))
    assert r.status_code == 422, r.text
    assert words in r.json["description"]
    assert Tweet.select().count() == 0
    assert ThreadPart.select().count() == 0
    assert_nothing_written(redis_client)


def test_images_go_4_at_most_or_1_gif_and_only_the_owners(client, alice, bob):
    _, token = alice
    _, bobs_token = bob
    pngs = [upload(client, token, image("PNG")).json["id"] for _ in range(5)]
    gif = upload(client, token, image("GIF")).json["id"]
    bobs = upload(client, bobs_token, image("PNG")).json["id"]

    def post(media_ids, **extra):
        body = {"text": "pictures", "media_ids": media_ids, **extra}
        return client.simulate_post("/api/tweets", json=body, headers=bearer(token))

    assert "At most 4 images" in post(pngs).json["description"]
    assert "A GIF goes alone" in post([gif, pngs[0]]).json["description"]
    assert "No image" in post([bobs]).json["description"]
    assert "only once" in post([pngs[0], pngs[0]]).json["description"]
    assert Tweet.select().count() == 0

    accepted = post(pngs[:4])
    assert accepted.status_code == 202
    assert accepted.json["tweet"]["media_ids"] == pngs[:4]
    assert "already on another tweet" in post([pngs[0]]).json["description"]
    thread = client.simulate_post(
        "/api/tweets",
        json={"thread": ["a", {"text": "b", "media_ids": [gif]}], "media_ids": [pngs[4]]},
        headers=bearer(token),
    )
    assert thread.status_code == 202, thread.text
    assert [p["media_ids"] for p in thread.json["tweet"]["parts"]] == [[pngs[4]], [gif]]
