"""Threads and images from the compose page, in a real browser: parts added with their own
counts, images picked and dropped with their alt texts, and what arrives on the sandbox."""

from __future__ import annotations

import base64
import hashlib
import io
import uuid

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.support.browser_tab import Tab
from tests.support.stack import Stack

pytestmark = pytest.mark.system


def unique(text: str) -> str:
    return f"{text} #{uuid.uuid4().hex[:5]}"


def png(colour: tuple[int, int, int], size: tuple[int, int] = (120, 80)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


def test_a_thread_is_posted_from_the_compose_page(tab: Tab, stack: Stack, username: str):
    page = tab.page
    tab.sign_in(username)
    texts = [unique("A thread from the browser"), unique("its second part"), unique("its end")]
    page.get_by_label("Your tweet").fill(texts[0])
    page.get_by_role("button", name="Add to thread").click()
    second = page.get_by_label("Part 2 of the thread")
    expect(second).to_be_focused()
    second.fill("x" * 290)
    expect(page.locator("#thread-parts .part-count").first).to_have_text("290 / 280")
    page.get_by_role("button", name="Post").click()
    expect(page.locator("#compose-message")).to_contain_text("Part 2 is too long")
    expect(second).to_be_focused()
    expect(second).to_have_attribute("aria-invalid", "true")
    second.fill(texts[1])
    expect(page.locator("#compose-message")).to_be_hidden()
    expect(page.locator("#thread-parts .part-count").first).to_have_text(f"{len(texts[1])} / 280")
    page.get_by_role("button", name="Add to thread").click()
    page.get_by_label("Part 3 of the thread").fill(texts[2])
    tab.screenshot("compose-thread")

    with page.expect_response("**/api/tweets") as posted:
        page.get_by_role("button", name="Post").click()
    assert posted.value.status == 202
    accepted = posted.value.json()
    item = page.locator(f'#posted-list [data-tweet-id="{accepted["tweet"]["id"]}"]')
    expect(item.locator(".tweet-state .badge")).to_have_text("Sent")
    parts = item.locator(".thread-view-part")
    expect(parts).to_have_count(3)
    expect(parts.locator(".badge")).to_have_text(["Sent", "Sent", "Sent"])
    expect(page.locator("#thread-parts .thread-part")).to_have_count(0)

    page.get_by_role("navigation").get_by_role("link", name="My tweets").click()
    mine = page.locator(f'#tweet-list [data-tweet-id="{accepted["tweet"]["id"]}"]')
    expect(mine.locator(".thread-view-part .part-text")).to_have_text(texts)
    expect(mine.get_by_role("link", name="View part 3 on X")).to_be_visible()
    tab.screenshot("tweets-thread")

    posted_on_x = stack.sandbox_tweets(username)
    assert [t["text"] for t in posted_on_x] == texts
    assert [t["in_reply_to_tweet_id"] for t in posted_on_x] == [
        None,
        posted_on_x[0]["id"],
        posted_on_x[1]["id"],
    ]
    assert tab.problems == []


def test_images_are_picked_and_dropped_with_alt_texts(tab: Tab, stack: Stack, username: str):
    page = tab.page
    tab.sign_in(username)
    picked, dropped = png((200, 40, 40)), png((40, 160, 40), (90, 90))
    text = unique("Two images from the browser")
    page.get_by_label("Your tweet").fill(text)

    page.locator("#media-input").set_input_files(
        files=[{"name": "red.png", "mimeType": "image/png", "buffer": picked}]
    )
    first_alt = page.get_by_label("Describe image 1 (alt text)")
    expect(first_alt).to_be_focused()
    first_alt.fill("A red rectangle")
    # Dropped on the form, as a file dragged from the desktop would be.
    page.evaluate(
        """([b64, name]) => {
            const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], name, { type: "image/png" }));
            const form = document.getElementById("compose-form");
            const init = { dataTransfer: transfer, bubbles: true, cancelable: true };
            form.dispatchEvent(new DragEvent("dragover", init));
            form.dispatchEvent(new DragEvent("drop", init));
        }""",
        [base64.b64encode(dropped).decode(), "green.png"],
    )
    page.get_by_label("Describe image 2 (alt text)").fill("A green square")
    thumbnails = page.locator("#media-list img")
    expect(thumbnails).to_have_count(2)
    shown = "[...document.querySelectorAll('#media-list img')].every(i => i.naturalWidth > 0)"
    page.wait_for_function(shown)  # both thumbnails drawn from the files
    tab.screenshot("compose-images")

    with page.expect_response("**/api/tweets") as posted:
        page.get_by_role("button", name="Post").click()
    assert posted.value.status == 202, posted.value.text()
    accepted = posted.value.json()
    assert len(accepted["tweet"]["media_ids"]) == 2
    item = page.locator(f'#posted-list [data-tweet-id="{accepted["tweet"]["id"]}"]')
    expect(item.locator(".badge")).to_have_text("Sent")
    expect(page.locator("#media-list img")).to_have_count(0)

    [on_x] = stack.sandbox_tweets(username)
    assert on_x["text"] == text
    assert [(m["sha256"], m["alt_text"]) for m in on_x["media"]] == [
        (hashlib.sha256(picked).hexdigest(), "A red rectangle"),
        (hashlib.sha256(dropped).hexdigest(), "A green square"),
    ]
    assert tab.problems == []


def test_a_file_that_is_not_an_image_is_refused_with_what_is_allowed(tab: Tab, username: str):
    page = tab.page
    tab.sign_in(username)
    page.get_by_label("Your tweet").fill(unique("With a wrong file"))
    page.locator("#media-input").set_input_files(
        files=[{"name": "notes.png", "mimeType": "image/png", "buffer": b"plain words"}]
    )
    page.get_by_role("button", name="Post").click()
    message = page.locator("#compose-message")
    expect(message).to_contain_text("Image 1 (notes.png)")
    expect(message).to_contain_text("JPEG, PNG or WebP up to 5 MB, or GIF up to 15 MB")
    expect(page.locator("#posted-list .tweet")).to_have_count(0)
