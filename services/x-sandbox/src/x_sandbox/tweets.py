"""The tweets posted to the sandbox, kept in memory in the order they were posted.

SandboxTweet ids are shaped like X's snowflakes: milliseconds since X's epoch, shifted
left 22 bits. They increase with time, so they keep increasing across sandbox
restarts, and strictly increase within one process.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from x_sandbox.x_users import SandboxUser

#: X's snowflake epoch (2010-11-04T01:42:54.657Z), in milliseconds.
SNOWFLAKE_EPOCH_MS = 1288834974657


def x_timestamp(epoch_s: float) -> str:
    """ISO 8601 in UTC with milliseconds and a Z, as X writes ``created_at``."""
    moment = datetime.fromtimestamp(epoch_s, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class TweetIds:
    """Not thread-safe: the caller holds the sandbox's lock."""

    def __init__(self) -> None:
        self._last = 0

    def next(self, now: float) -> int:
        from_time = (int(now * 1000) - SNOWFLAKE_EPOCH_MS) << 22
        self._last = max(self._last + 1, from_time)
        return self._last


@dataclass(frozen=True)
class SandboxTweet:
    """A tweet as the sandbox holds it, and as X's v2 API shows it."""

    id: int
    text: str
    author_id: str
    username: str
    created_at: float
    in_reply_to_tweet_id: int | None = None
    #: What ``/_sandbox/tweets`` shows of each image: id, type, size, sha256, alt text.
    media: tuple[dict[str, object], ...] = ()

    @property
    def created_at_iso(self) -> str:
        return x_timestamp(self.created_at)

    def as_x_json(self, fields: frozenset[str] = frozenset()) -> dict[str, object]:
        """The tweet object of X's v2 API, with the optional ``fields`` asked for."""
        data: dict[str, object] = {
            "id": str(self.id),
            "text": self.text,
            "edit_history_tweet_ids": [str(self.id)],
        }
        if "created_at" in fields:
            data["created_at"] = self.created_at_iso
        if "author_id" in fields:
            data["author_id"] = self.author_id
        return data


class TweetLog:
    """Not thread-safe: the caller holds the sandbox's lock."""

    def __init__(self) -> None:
        self._ids = TweetIds()
        self._tweets: dict[int, SandboxTweet] = {}  # insertion order is posting order
        self._by_author_and_text: dict[tuple[str, str], int] = {}

    def add(
        self,
        author: SandboxUser,
        text: str,
        now: float,
        *,
        in_reply_to_tweet_id: int | None = None,
        media: tuple[dict[str, object], ...] = (),
    ) -> SandboxTweet:
        tweet = SandboxTweet(
            id=self._ids.next(now),
            text=text,
            author_id=author.id,
            username=author.username,
            created_at=now,
            in_reply_to_tweet_id=in_reply_to_tweet_id,
            media=media,
        )
        self._tweets[tweet.id] = tweet
        self._by_author_and_text[(tweet.author_id, tweet.text)] = tweet.id
        return tweet

    def get(self, tweet_id: int) -> SandboxTweet | None:
        return self._tweets.get(tweet_id)

    def delete(self, tweet_id: int) -> None:
        tweet = self._tweets.pop(tweet_id, None)
        if tweet is not None:
            self._by_author_and_text.pop((tweet.author_id, tweet.text), None)

    def is_duplicate(self, author_id: str, text: str) -> bool:
        """Whether the author has a tweet with exactly this text (X refuses those)."""
        return (author_id, text) in self._by_author_and_text

    def __len__(self) -> int:
        return len(self._tweets)

    def newest(self, count: int) -> list[SandboxTweet]:
        return list(reversed(self._tweets.values()))[:count]

    def oldest_first(self, username: str | None = None) -> list[SandboxTweet]:
        tweets = list(self._tweets.values())
        if username is not None:
            tweets = [t for t in tweets if t.username.lower() == username.lower()]
        return tweets

    def newest_first_by(self, author_id: str) -> list[SandboxTweet]:
        return [t for t in reversed(self._tweets.values()) if t.author_id == author_id]

    def clear(self) -> None:
        self._tweets.clear()
        self._by_author_and_text.clear()
