"""The tweets posted to the sandbox, kept in memory in the order they were posted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from x_sandbox.tweet_ids import TweetIds
from x_sandbox.x_users import XUser


def x_timestamp(epoch_s: float) -> str:
    """ISO 8601 in UTC with milliseconds and a Z, as X writes ``created_at``."""
    moment = datetime.fromtimestamp(epoch_s, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@dataclass(frozen=True)
class Tweet:
    id: int
    text: str
    author_id: str
    username: str
    created_at: float

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
        self._tweets: dict[int, Tweet] = {}  # insertion order is posting order
        self._by_author_and_text: dict[tuple[str, str], int] = {}

    def add(self, author: XUser, text: str, now: float) -> Tweet:
        tweet = Tweet(
            id=self._ids.next(now),
            text=text,
            author_id=author.id,
            username=author.username,
            created_at=now,
        )
        self._tweets[tweet.id] = tweet
        self._by_author_and_text[(tweet.author_id, tweet.text)] = tweet.id
        return tweet

    def get(self, tweet_id: int) -> Tweet | None:
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

    def newest(self, count: int) -> list[Tweet]:
        return list(reversed(self._tweets.values()))[:count]

    def oldest_first(self, username: str | None = None) -> list[Tweet]:
        tweets = list(self._tweets.values())
        if username is not None:
            tweets = [t for t in tweets if t.username.lower() == username.lower()]
        return tweets

    def newest_first_by(self, author_id: str) -> list[Tweet]:
        return [t for t in reversed(self._tweets.values()) if t.author_id == author_id]

    def clear(self) -> None:
        self._tweets.clear()
        self._by_author_and_text.clear()
