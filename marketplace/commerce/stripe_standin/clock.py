"""The stand-in's notion of "now", which tests may move forward.

Tests must not sleep to see a Checkout Session or an Account Link expire, so object
timestamps come from this clock and `/_standin/clock/advance` shifts it. Webhook signatures
still use real time: Kiln checks their tolerance against its own wall clock.
"""

from __future__ import annotations

import threading
import time


class Clock:
    """Wall-clock time plus an offset that only grows."""

    def __init__(self) -> None:
        self._offset_seconds = 0
        self._lock = threading.Lock()

    def now(self) -> int:
        """Current Unix time in whole seconds, including any advance."""
        with self._lock:
            return int(time.time()) + self._offset_seconds

    def advance(self, *, seconds: int) -> int:
        """Move the clock forward by `seconds` (never back) and return the new now."""
        if seconds < 0:
            raise ValueError(f"seconds must be >= 0 (the clock never goes back), got {seconds}")
        with self._lock:
            self._offset_seconds += seconds
        return self.now()
