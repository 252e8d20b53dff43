"""Where the core keeps its state, behind an interface.

Why: the reference merchant runs in memory, but a durable store (SQLite,
Redis ...) must be addable without touching the core.  The core only ever
talks to ``Storage``: one ``Repository`` per kind of record plus per-key
locks that serialize mutations of one entity (two concurrent completions of
one session must not both charge).

Records are immutable (frozen dataclasses), so a repository may hand out
the stored object itself: nobody can change it behind the store's back.
The interface is synchronous on purpose: every core operation is short and
CPU-only; async handlers call it directly, sync handlers from a thread pool.
All in-memory operations are guarded by locks, so both are safe.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

__all__ = ["IdempotencyRecord", "InMemoryRepository", "InMemoryStorage", "Repository", "Storage"]

T = TypeVar("T")


class Repository(Protocol[T]):
    def get(self, key: str) -> T | None: ...
    def put(self, key: str, value: T) -> None: ...
    def put_if_absent(self, key: str, value: T) -> bool:
        """Store only if ``key`` is new; True when stored (atomic)."""
        ...
    def delete(self, key: str) -> None: ...
    def values(self) -> list[T]: ...
    def __len__(self) -> int: ...


@dataclass(frozen=True, slots=True)
class IdempotencyRecord:
    """A stored request outcome, for the idempotency middleware (shape owned there)."""

    key: str  # scoped key: identity + path + Idempotency-Key
    fingerprint: str  # e.g. SHA-256 of the RFC 8785 body
    created_at: datetime
    in_flight: bool = True
    status: int | None = None
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""


class Storage(Protocol):
    sessions: Repository[Any]  # sessions.CheckoutSession
    orders: Repository[Any]  # orders.Order
    tokens: Repository[Any]  # vault.TokenInfo
    idempotency: Repository[IdempotencyRecord]

    def lock(self, key: str) -> Any:
        """A context manager serializing work on ``key`` (re-entrant)."""
        ...


class InMemoryRepository(Generic[T]):
    def __init__(self) -> None:
        self._items: dict[str, T] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> T | None:
        with self._lock:
            return self._items.get(key)

    def put(self, key: str, value: T) -> None:
        with self._lock:
            self._items[key] = value

    def put_if_absent(self, key: str, value: T) -> bool:
        with self._lock:
            if key in self._items:
                return False
            self._items[key] = value
            return True

    def delete(self, key: str) -> None:
        with self._lock:
            self._items.pop(key, None)

    def values(self) -> list[T]:
        with self._lock:
            return list(self._items.values())

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)


class InMemoryStorage:
    def __init__(self) -> None:
        self.sessions: InMemoryRepository[Any] = InMemoryRepository()
        self.orders: InMemoryRepository[Any] = InMemoryRepository()
        self.tokens: InMemoryRepository[Any] = InMemoryRepository()
        self.idempotency: InMemoryRepository[IdempotencyRecord] = InMemoryRepository()
        self._locks: dict[str, threading.RLock] = {}
        self._locks_guard = threading.Lock()

    @contextmanager
    def lock(self, key: str) -> Iterator[None]:
        with self._locks_guard:
            lock = self._locks.setdefault(key, threading.RLock())
        with lock:
            yield
