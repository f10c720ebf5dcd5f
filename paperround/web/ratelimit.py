"""Token buckets per key (a link's token, a client address), in memory, per process.

A bucket holds up to `burst` requests and refills at `per_minute`; a request that finds it
empty is refused (429) with the seconds until the next one is allowed. Kept in memory on
purpose: the limits only have to blunt a runaway script or a scanner, and a restart forgetting
them is harmless. Buckets idle long enough to be full again are dropped, so memory stays
bounded by the recent distinct keys.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    burst: int
    per_minute: float


class RateLimiter:
    """Thread-safe buckets for one kind of key (the app runs sync endpoints in a pool)."""

    def __init__(
        self, limit: Limit, *, clock: Callable[[], float] = time.monotonic, max_keys: int = 100_000
    ) -> None:
        self.limit = limit
        self._clock = clock
        self._max_keys = max_keys
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """0.0 if the request may go on, else the seconds to wait before trying again."""
        rate = self.limit.per_minute / 60.0
        now = self._clock()
        with self._lock:
            tokens, at = self._buckets.get(key, (float(self.limit.burst), now))
            tokens = min(float(self.limit.burst), tokens + (now - at) * rate)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                return (1.0 - tokens) / rate if rate > 0 else 3600.0
            self._buckets[key] = (tokens - 1.0, now)
            if len(self._buckets) > self._max_keys:
                self._forget_full(now, rate)
            return 0.0

    def _forget_full(self, now: float, rate: float) -> None:
        burst = float(self.limit.burst)
        for key, (tokens, at) in list(self._buckets.items()):
            if tokens + (now - at) * rate >= burst:
                del self._buckets[key]
        while len(self._buckets) > self._max_keys:  # all busy: drop the oldest entries
            del self._buckets[next(iter(self._buckets))]
