"""Threads and images, end to end: the API, the tweeter, and what arrives on "X" (the
sandbox) — reply chains, a thread resumed where it failed, images with their bytes and
alt texts, and files that are not images refused."""

from __future__ import annotations

import hashlib
import io
import itertools
import os
import uuid

import redis
from PIL import Image

from tests.support.processes import wait_until
from tests.support.stack import Person, Stack


def unique(text: str) -> str:
    return f"{text} {uuid.uuid4().hex[:8]}"


def image_bytes(fmt: str, size: tuple[int, int], *, noise: bool = False) -> bytes:
    """An image in ``fmt``; with ``noise`` its pixels are random, so it does not compress."""
    if noise:
        image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        image = Image.new("RGB", size, (30, 120, 200))
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


def upload(person: Person, data: bytes, filename: str, alt_text: str | None = None):
    form = {"alt_text": alt_text} if alt_text is not None else None
    return person.api().post(
        person.url("/api/media"),
        files={"file": (filename, data, "application/octet-stream")},
        data=form,
        timeout=30,
    )


def post_thread(person: Person, parts: list[object]):
    return person.api().post(person.url("/api/tweets"), json={"thread": parts}, timeout=10)


def assert_reply_chain(posted: list[dict], texts: list[str]) -> None:
    assert [t["text"] for t in posted] == texts
    assert posted[0]["in_reply_to_tweet_id"] is None
    for before, after in itertools.pairwise(posted):
        assert after["in_reply_to_tweet_id"] == before["id"]


def test_a_three_part_thread_is_posted_as_a_reply_chain(stack: Stack):
    alice = stack.sign_in()
    texts = [unique("Thread, one"), unique("two"), unique("three")]
    r = post_thread(alice, texts)
    assert r.status_code == 202, r.text
    accepted = r.json()["tweet"]
    assert accepted["text"] == texts[0]
    assert [p["text"] for p in accepted["parts"]] == texts
    assert [p["status"] for p in accepted["parts"]] == ["queued"] * 3

    job = alice.wait_job(r.json()["job"]["id"])
    assert job["status"] == "succeeded", job
    posted = stack.sandbox_tweets(alice.username)
    assert_reply_chain(posted, texts)
    tweet = alice.tweet(accepted["id"])
    assert tweet["status"] == "sent"
    assert tweet["x_tweet_id"] == posted[0]["id"]
    assert [p["x_tweet_id"] for p in tweet["parts"]] == [t["id"] for t in posted]
    assert [p["status"] for p in tweet["parts"]] == ["sent"] * 3
    assert tweet["parts"][2]["url"].endswith(f"/{alice.username}/status/{posted[2]['id']}")


def test_a_thread_refused_at_part_2_resumes_there_on_retry_with_part_1_posted_once(
    stack: Stack,
):
    bob = stack.sign_in()
    texts = [unique("Resumed, one"), unique("two"), unique("three")]
    stack.set_faults(next_errors=[None, 400])  # part 1 goes through, part 2 is refused
    r = post_thread(bob, texts)
    tweet_id = r.json()["tweet"]["id"]
    job = bob.wait_job(r.json()["job"]["id"])
    assert job["status"] == "failed", job
    failed = bob.tweet(tweet_id)
    assert failed["status"] == "failed"
    assert failed["error"].startswith("Part 2 of 3: X refused the tweet")
    assert [p["status"] for p in failed["parts"]] == ["sent", "failed", "queued"]
    assert failed["parts"][1]["error"] == failed["error"]
    assert [t["text"] for t in stack.sandbox_tweets(bob.username)] == texts[:1]

    retried = bob.api().post(bob.url(f"/api/tweets/{tweet_id}/retry"), timeout=10)
    assert retried.status_code == 202, retried.text
    assert bob.wait_job(retried.json()["job"]["id"])["status"] == "succeeded"
    assert_reply_chain(stack.sandbox_tweets(bob.username), texts)
    assert [p["status"] for p in bob.tweet(tweet_id)["parts"]] == ["sent"] * 3


def test_a_thread_whose_part_2_meets_an_outage_is_retried_from_part_2(stack: Stack):
    carol = stack.sign_in()
    texts = [unique("Outage, one"), unique("two")]
    stack.set_faults(next_errors=[None, 503])
    r = post_thread(carol, texts)
    job = carol.wait_job(r.json()["job"]["id"])
    assert job["status"] == "succeeded", job
    assert job["attempts"] == 2
    assert_reply_chain(stack.sandbox_tweets(carol.username), texts)


def test_a_worker_killed_between_parts_leaves_every_part_posted_once(stack: Stack, local):
    dave = stack.sign_in()
    dave.create_token()
    stack.set_faults(latency_ms=1500)
    texts = [unique("Killed, one"), unique("two"), unique("three")]
    r = post_thread(dave, texts)
    job_id, tweet_id = r.json()["job"]["id"], r.json()["tweet"]["id"]
    # Part 1 is on X and recorded; the worker is waiting on X for part 2.
    wait_until(
        lambda: dave.tweet(tweet_id)["parts"][0]["status"] == "sent", timeout=15, what="part 1"
    )
    worker = redis.Redis.from_url(local.redis.url).hget(f"tweetnow:job:{job_id}", "worker")
    assert worker, "the running job names no worker"
    pgid = os.getpgid(int(worker.decode().rsplit(":", 1)[1]))
    (victim,) = [t for t in local.tweeters if t.pid == pgid]
    victim.kill()
    victim.popen.wait(5)
    local.tweeters.remove(victim)
    local.start_tweeter()
    job = dave.wait_job(job_id, timeout=60)
    assert job["status"] == "succeeded", job
    assert_reply_chain(stack.sandbox_tweets(dave.username), texts)
    assert [p["status"] for p in dave.tweet(tweet_id)["parts"]] == ["sent"] * 3


def test_a_tweet_with_two_images_arrives_with_their_bytes_and_alt_texts(stack: Stack):
    erin = stack.sign_in()
    # Over 1 MB, so it goes to X in more than one chunk.
    photo = image_bytes("PNG", (800, 600), noise=True)
    assert len(photo) > 1024 * 1024
    drawing = image_bytes("JPEG", (64, 48))
    first = upload(erin, photo, "photo.png", "Static in many colours")
    assert first.status_code == 201, first.text
    assert first.json() | {"id": 0} == {
        "id": 0,
        "type": "image/png",
        "size": len(photo),
        "width": 800,
        "height": 600,
        "alt_text": "Static in many colours",
    }
    second = upload(erin, drawing, "not-really.gif", "A blue rectangle")
    assert second.status_code == 201, second.text
    assert second.json()["type"] == "image/jpeg"  # read from the bytes, not the name
    media_ids = [first.json()["id"], second.json()["id"]]

    text = unique("Two pictures")
    r = erin.post_tweet(text, media_ids=media_ids)
    assert r.status_code == 202, r.text
    assert r.json()["tweet"]["media_ids"] == media_ids
    job = erin.wait_job(r.json()["job"]["id"])
    assert job["status"] == "succeeded", job

    [posted] = stack.sandbox_tweets(erin.username)
    assert posted["text"] == text
    assert len(posted["media_ids"]) == 2
    assert [(m["type"], m["size"], m["sha256"], m["alt_text"]) for m in posted["media"]] == [
        ("image/png", len(photo), hashlib.sha256(photo).hexdigest(), "Static in many colours"),
        ("image/jpeg", len(drawing), hashlib.sha256(drawing).hexdigest(), "A blue rectangle"),
    ]
    # An image goes with one tweet only.
    again = erin.post_tweet(unique("again"), media_ids=media_ids[:1])
    assert again.status_code == 422
    assert "already on another tweet" in again.json()["description"]


def test_an_upload_interrupted_by_x_starts_again_and_the_tweet_has_every_image(stack: Stack):
    hal = stack.sign_in()
    first, second = image_bytes("PNG", (30, 30)), image_bytes("JPEG", (40, 20))
    media_ids = [upload(hal, first, "a.png", "first").json()["id"]]
    media_ids.append(upload(hal, second, "b.jpg", "second").json()["id"])
    # Image 1 goes up (initialize, append, finalize, alt text); X fails image 2's append.
    stack.set_faults(next_media_errors=[None, None, None, None, None, 503])
    text = unique("Both images or none")
    r = hal.post_tweet(text, media_ids=media_ids)
    job = hal.wait_job(r.json()["job"]["id"])
    assert job["status"] == "succeeded", job
    assert job["attempts"] == 2
    [posted] = stack.sandbox_tweets(hal.username)
    assert posted["text"] == text
    assert [(m["sha256"], m["alt_text"]) for m in posted["media"]] == [
        (hashlib.sha256(first).hexdigest(), "first"),
        (hashlib.sha256(second).hexdigest(), "second"),
    ]


def test_a_thread_part_carries_a_gif(stack: Stack):
    fay = stack.sign_in()
    gif = image_bytes("GIF", (40, 40))
    media_id = upload(fay, gif, "loop.gif").json()["id"]
    texts = [unique("GIF thread"), unique("with the GIF")]
    r = post_thread(fay, [texts[0], {"text": texts[1], "media_ids": [media_id]}])
    assert r.status_code == 202, r.text
    assert fay.wait_job(r.json()["job"]["id"])["status"] == "succeeded"
    posted = stack.sandbox_tweets(fay.username)
    assert_reply_chain(posted, texts)
    assert posted[0]["media"] == []
    assert [(m["type"], m["sha256"]) for m in posted[1]["media"]] == [
        ("image/gif", hashlib.sha256(gif).hexdigest())
    ]


def test_a_file_that_is_not_an_image_x_takes_is_refused_by_its_content(stack: Stack):
    gus = stack.sign_in()
    text_file = upload(gus, b"just some words, not pixels\n", "holiday.png")
    assert text_file.status_code == 415, text_file.text
    assert "JPEG, PNG or WebP up to 5 MB, or GIF up to 15 MB" in text_file.json()["description"]
    bitmap = upload(gus, image_bytes("BMP", (10, 10)), "picture.jpg")
    assert bitmap.status_code == 415
    assert "BMP" in bitmap.json()["description"]
    long_alt = upload(gus, image_bytes("PNG", (10, 10)), "ok.png", "x" * 1001)
    assert long_alt.status_code == 422
    assert "alt_text" in long_alt.json()["description"]
    # Nothing was kept: no image of theirs exists to attach.
    r = gus.post_tweet(unique("no image"), media_ids=[1])
    assert r.status_code == 422
