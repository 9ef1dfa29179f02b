"""X's v2 media upload on the sandbox: initialize, append, finalize, status and alt text
with X's rules, posts carrying the images, and every answer in the shape of X's
OpenAPI document (tests/support/x_shapes.py)."""

from __future__ import annotations

import hashlib

import jsonschema
import pytest

from tests.support import x_shapes
from tests.support.sandbox_client import Account, FakeClock, Sandbox

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
GIF = b"GIF89a" + b"\x00" * 500


def conforms(body: object, schema: x_shapes.Schema) -> None:
    jsonschema.validate(body, schema)


def initialize(sandbox: Sandbox, account: Account, media_type: str, total: int, **extra):
    body = {"media_type": media_type, "total_bytes": total, **extra}
    return sandbox.signed("POST", "/2/media/upload/initialize", account=account, json=body)


def append(sandbox: Sandbox, account: Account, media_id: str, index: int | str, data: bytes):
    return sandbox.signed(
        "POST",
        f"/2/media/upload/{media_id}/append",
        account=account,
        multipart={"media": data, "segment_index": str(index).encode()},
    )


def uploaded(
    sandbox: Sandbox, account: Account, data: bytes, media_type: str, *, chunk: int = 1000
) -> str:
    """A finalized upload's media id (its status asked once, as a client waits for a GIF)."""
    r = initialize(sandbox, account, media_type, len(data))
    assert r.status_code == 200, r.text
    conforms(r.json, x_shapes.MEDIA_UPLOAD)
    media_id = r.json["data"]["id"]
    for index, start in enumerate(range(0, len(data), chunk)):
        r = append(sandbox, account, media_id, index, data[start : start + chunk])
        assert r.status_code == 200, r.text
        conforms(r.json, x_shapes.MEDIA_APPENDED)
    r = sandbox.signed("POST", f"/2/media/upload/{media_id}/finalize", account=account)
    assert r.status_code == 200, r.text
    conforms(r.json, x_shapes.MEDIA_UPLOAD)
    assert r.json["data"]["size"] == len(data)
    if "processing_info" in r.json["data"]:
        status = sandbox.signed(
            "GET",
            "/2/media/upload",
            account=account,
            params={"command": "STATUS", "media_id": media_id},
        )
        conforms(status.json, x_shapes.MEDIA_UPLOAD)
        assert status.json["data"]["processing_info"]["state"] == "succeeded"
    return media_id


def post(sandbox: Sandbox, account: Account, text: str, media_ids: list[str]):
    body = {"text": text, "media": {"media_ids": media_ids}}
    return sandbox.signed("POST", "/2/tweets", account=account, json=body)


def test_an_image_uploaded_in_chunks_with_alt_text_goes_with_a_post(
    sandbox: Sandbox, alice: Account
):
    media_id = uploaded(sandbox, alice, PNG, "image/png", chunk=700)
    r = sandbox.signed(
        "POST",
        "/2/media/metadata",
        account=alice,
        json={"id": media_id, "metadata": {"alt_text": {"text": "Bytes in a row"}}},
    )
    assert r.status_code == 200, r.text
    conforms(r.json, x_shapes.METADATA_CREATED)
    gif_id = uploaded(sandbox, alice, GIF, "image/gif")

    r = post(sandbox, alice, "with an image", [media_id])
    assert r.status_code == 201, r.text
    conforms(r.json, x_shapes.TWEET_CREATED)
    [on_x] = sandbox.posted()
    assert on_x["media_ids"] == [media_id]
    assert on_x["media"] == [
        {
            "id": media_id,
            "type": "image/png",
            "size": len(PNG),
            "sha256": hashlib.sha256(PNG).hexdigest(),
            "alt_text": "Bytes in a row",
        }
    ]
    assert post(sandbox, alice, "a GIF", [gif_id]).status_code == 201


@pytest.mark.parametrize(
    ("media_type", "total", "extra", "message"),
    [
        ("image/bmp", 100, {}, "not supported"),
        ("image/png", 5 * 1024 * 1024 + 1, {}, "File size exceeds"),
        ("image/gif", 15 * 1024 * 1024 + 1, {}, "File size exceeds"),
        ("image/gif", 100, {"media_category": "tweet_image"}, "not valid for category"),
        ("image/png", 0, {}, "total_bytes"),
    ],
)
def test_initialize_refuses_what_x_refuses(
    sandbox: Sandbox, alice: Account, media_type: str, total: int, extra: dict, message: str
):
    r = initialize(sandbox, alice, media_type, total, **extra)
    assert r.status_code == 400
    conforms(r.json, x_shapes.INVALID_REQUEST)
    assert message in r.json["errors"][0]["message"]


def test_append_and_finalize_hold_to_x_rules(sandbox: Sandbox, alice: Account):
    media_id = initialize(sandbox, alice, "image/png", len(PNG)).json["data"]["id"]
    too_big = append(sandbox, alice, media_id, 0, b"x" * (5 * 1024 * 1024 + 1))
    assert too_big.status_code == 413
    conforms(too_big.json, x_shapes.PROBLEM)
    bad_index = append(sandbox, alice, media_id, 1000, PNG[:10])
    assert bad_index.status_code == 400
    conforms(bad_index.json, x_shapes.INVALID_REQUEST)
    assert append(sandbox, alice, media_id, 0, PNG[:100]).status_code == 200
    short = sandbox.signed("POST", f"/2/media/upload/{media_id}/finalize", account=alice)
    assert short.status_code == 400
    assert "File size mismatch" in short.json["errors"][0]["message"]
    # Not yet finalized: a post cannot carry it.
    r = post(sandbox, alice, "too early", [media_id])
    assert r.status_code == 400
    conforms(r.json, x_shapes.INVALID_REQUEST)

    liar = initialize(sandbox, alice, "image/jpeg", len(PNG)).json["data"]["id"]
    append(sandbox, alice, liar, 0, PNG)
    r = sandbox.signed("POST", f"/2/media/upload/{liar}/finalize", account=alice)
    assert r.status_code == 400
    assert "not a valid [image/jpeg]" in r.json["errors"][0]["message"]


def test_media_ids_are_the_uploaders_and_expire(
    sandbox: Sandbox, alice: Account, bob: Account, clock: FakeClock
):
    media_id = uploaded(sandbox, alice, PNG, "image/png")
    assert post(sandbox, bob, "not mine", [media_id]).status_code == 400
    clock.advance(86_400)
    r = post(sandbox, alice, "too late", [media_id])
    assert r.status_code == 400
    assert r.json["errors"][0]["parameters"] == {"media.media_ids": [media_id]}
    assert sandbox.posted() == []


def test_a_post_takes_four_images_or_one_gif(sandbox: Sandbox, alice: Account):
    images = [uploaded(sandbox, alice, PNG, "image/png") for _ in range(5)]
    gif = uploaded(sandbox, alice, GIF, "image/gif")
    assert post(sandbox, alice, "five", images).status_code == 400
    assert post(sandbox, alice, "gif and image", [gif, images[0]]).status_code == 400
    assert post(sandbox, alice, "four", images[:4]).status_code == 201


def test_alt_text_over_1000_characters_is_refused(sandbox: Sandbox, alice: Account):
    media_id = uploaded(sandbox, alice, PNG, "image/png")
    body = {"id": media_id, "metadata": {"alt_text": {"text": "a" * 1001}}}
    r = sandbox.signed("POST", "/2/media/metadata", account=alice, json=body)
    assert r.status_code == 400
    conforms(r.json, x_shapes.INVALID_REQUEST)


def test_the_other_endpoints_answer_in_x_shapes(sandbox: Sandbox, alice: Account):
    created = sandbox.post_tweet(alice, "shaped")
    conforms(created.json, x_shapes.TWEET_CREATED)
    me = sandbox.signed("GET", "/2/users/me", account=alice)
    conforms(me.json, x_shapes.USER)
    timeline = sandbox.signed(
        "GET",
        f"/2/users/{alice.user_id}/tweets",
        account=alice,
        params={"tweet.fields": "created_at,author_id"},
    )
    conforms(timeline.json, x_shapes.USER_TWEETS)
    duplicate = sandbox.post_tweet(alice, "shaped")
    assert duplicate.status_code == 403
    conforms(duplicate.json, x_shapes.PROBLEM)
    too_long = sandbox.post_tweet(alice, "x" * 281)
    conforms(too_long.json, x_shapes.INVALID_REQUEST)
    unsigned = sandbox.client.simulate_get("/2/users/me")
    assert unsigned.status_code == 401
    conforms(unsigned.json, x_shapes.PROBLEM)
    missing = sandbox.signed("DELETE", "/2/tweets/1", account=alice)
    assert missing.status_code == 404
    conforms(missing.json, x_shapes.PROBLEM)
    for error in missing.json["errors"]:
        conforms(error, x_shapes.RESOURCE_NOT_FOUND)
    deleted = sandbox.signed("DELETE", f"/2/tweets/{created.json['data']['id']}", account=alice)
    conforms(deleted.json, x_shapes.TWEET_DELETED)


def test_media_requests_can_be_made_to_fail_one_by_one(sandbox: Sandbox, alice: Account):
    sandbox.set_faults(next_media_errors=[None, 503])
    media_id = initialize(sandbox, alice, "image/png", len(PNG)).json["data"]["id"]
    failed = append(sandbox, alice, media_id, 0, PNG)
    assert failed.status_code == 503
    conforms(failed.json, x_shapes.PROBLEM)
    assert append(sandbox, alice, media_id, 0, PNG).status_code == 200
