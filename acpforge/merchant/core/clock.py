"""Injectable time and identifiers, so every test can be deterministic.

Everything in the core that reads the time or makes an id takes a ``Clock``
and an ``IdGenerator``; production uses ``SystemClock`` and ``RandomIds``,
tests ``ManualClock`` and ``SequentialIds``.
"""

from __future__ import annotations

import itertools
import secrets
import threading
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Protocol

__all__ = ["Clock", "IdGenerator", "ManualClock", "RandomIds", "SequentialIds", "SystemClock"]


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...


class SystemClock:
    """The wall clock (UTC, truncated to whole microseconds as datetime is)."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime | None = None) -> None:
        start = start or datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
        if start.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware start time")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        """Move forward by ``delta`` or by ``timedelta(**kwargs)``; returns the new time."""
        self._now += delta if delta is not None else timedelta(**kwargs)
        return self._now

    def set(self, when: datetime) -> None:
        if when.tzinfo is None:
            raise ValueError("ManualClock needs timezone-aware times")
        self._now = when.astimezone(UTC)


class IdGenerator(Protocol):
    def new(self, prefix: str) -> str:
        """A fresh identifier starting with ``prefix`` (e.g. ``"cs_"``)."""
        ...


class RandomIds:
    """Unguessable ids: prefix + 24 lowercase hex characters (96 random bits)."""

    def new(self, prefix: str) -> str:
        return prefix + secrets.token_hex(12)


class SequentialIds:
    """Deterministic ids for tests: ``cs_000001``, ``cs_000002``, ``vt_000001`` ..."""

    def __init__(self) -> None:
        self._counters: defaultdict[str, itertools.count[int]] = defaultdict(lambda: itertools.count(1))
        self._lock = threading.Lock()

    def new(self, prefix: str) -> str:
        with self._lock:
            return f"{prefix}{next(self._counters[prefix]):06d}"
