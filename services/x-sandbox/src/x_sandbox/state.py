"""Everything the sandbox remembers, in memory, behind one lock."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from x_sandbox.faults import Faults
from x_sandbox.media import MediaLibrary
from x_sandbox.post_stats import PostStats
from x_sandbox.rate_limits import RateLimitWindows
from x_sandbox.request_tokens import RequestTokens
from x_sandbox.tweets import TweetLog


@dataclass
class SandboxState:
    lock: threading.RLock = field(default_factory=threading.RLock)
    tweets: TweetLog = field(default_factory=TweetLog)
    media: MediaLibrary = field(default_factory=MediaLibrary)
    request_tokens: RequestTokens = field(default_factory=RequestTokens)
    faults: Faults = field(default_factory=Faults)
    rate_limits: RateLimitWindows = field(default_factory=RateLimitWindows)
    stats: PostStats = field(default_factory=PostStats)
    #: User names (lower case) whose access tokens X no longer accepts.
    revoked: set[str] = field(default_factory=set)

    def clear_faults(self) -> None:
        with self.lock:
            self.faults = Faults()
            self.rate_limits.clear()

    def reset(self) -> None:
        """Back to a fresh start; tweet ids keep increasing."""
        with self.lock:
            self.tweets.clear()
            self.media.clear()
            self.request_tokens.clear()
            self.clear_faults()
            self.stats.clear()
            self.revoked.clear()
