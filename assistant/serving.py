"""Serving many page sessions with one model in memory.

Retrieval and quoted answers are cheap and run side by side for every session; the model
is not (one llama.cpp context, 2 cores), so the answers that need it take turns, first come
first served, each holding the model from its first model call to its end (its question's
translation, the reading and the answer's translation stay together, and the prompt cache
they share is not evicted by another user's). A waiting answer hears how many answers are
ahead of it and about how long that takes, so the page can say so.

The store has one writer at a time (uploads, deletes) and many readers (answers):
`StoreGuard` lets answers read together and a write wait for them, and an answer waiting
for the model steps aside, so an upload never waits behind a queue.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from assistant.llm import LLM, BudgetSpent, Message

# Seconds one model answer is assumed to hold the model before any has been measured
# (the local 1.5B model on 2 cores: ~10 s to read, more with a translation).
FIRST_GUESS_S = 15.0


class StoreGuard:
    """Many readers or one writer over the page's index. Readers are preferred: a quote
    never waits for a queued upload, only for one being written."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writer = False

    @contextmanager
    def reading(self) -> Iterator[None]:
        with self._cond:
            while self._writer:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    @contextmanager
    def writing(self) -> Iterator[None]:
        with self._cond:
            while self._writer or self._readers:
                self._cond.wait()
            self._writer = True
        try:
            yield
        finally:
            with self._cond:
                self._writer = False
                self._cond.notify_all()

    @contextmanager
    def aside(self) -> Iterator[None]:
        """A reader stepping aside while it waits for something else (the model)."""
        with self._cond:
            self._readers -= 1
            self._cond.notify_all()
        try:
            yield
        finally:
            with self._cond:
                while self._writer:
                    self._cond.wait()
                self._readers += 1


class ModelQueue:
    """First come, first served turns at the one model; measures how long a turn takes."""

    def __init__(self, first_guess_s: float = FIRST_GUESS_S) -> None:
        self._cond = threading.Condition()
        self._waiting: list[object] = []
        self._holder: object | None = None
        self._since = 0.0
        self.average_s = first_guess_s
        self.turns = 0

    def _ahead(self, turn: object) -> int:
        return (self._holder is not None) + self._waiting.index(turn)

    def _eta(self, ahead: int) -> float:
        if ahead == 0:
            return 0.0
        left = self.average_s - (time.monotonic() - self._since) if self._holder else 0.0
        return max(1.0, left) + (ahead - 1) * self.average_s

    def acquire(
        self,
        turn: object,
        on_wait: Callable[[int, float], None] | None = None,
        poll_s: float = 1.0,
        latest: float | None = None,
    ) -> bool:
        """Wait for the model; on_wait(answers ahead, seconds) is called at once and about
        every `poll_s` while waiting (the estimate counts down). False, at once, when the
        turn would come after `latest` (a `time.monotonic()` reading; the answer's budget)
        by the estimate, or when `latest` passes while waiting."""
        with self._cond:
            self._waiting.append(turn)
            try:
                while self._holder is not None or self._waiting[0] is not turn:
                    ahead = self._ahead(turn)
                    eta = self._eta(ahead)
                    if latest is not None and time.monotonic() + eta > latest:
                        return False
                    if on_wait:
                        on_wait(ahead, eta)
                    self._cond.wait(timeout=poll_s)
            finally:
                self._waiting.remove(turn)
            self._holder, self._since = turn, time.monotonic()
            return True

    def release(self, turn: object) -> None:
        with self._cond:
            if self._holder is turn:
                held = time.monotonic() - self._since
                self.turns += 1
                # a running mean that favours the recent answers (the prompt cache warms up)
                weight = 1.0 if self.turns == 1 else 0.3
                self.average_s += weight * (held - self.average_s)
                self._holder = None
            self._cond.notify_all()

    def waiting(self) -> int:
        with self._cond:
            return len(self._waiting) + (self._holder is not None)


class GatedLLM:
    """The project's LLM interface around a shared model: the first model call of an
    answer waits for its turn (stepping aside from the store meanwhile); the turn is held
    until `release()`, called when the answer is done."""

    def __init__(
        self,
        llm: LLM,
        queue: ModelQueue,
        on_wait: Callable[[int, float], None] | None = None,
        on_start: Callable[[], None] | None = None,
        aside: Callable[[], Any] | None = None,
        latest: float | None = None,
    ) -> None:
        self._llm, self._queue = llm, queue
        self._latest = latest  # the answer's budget: no turn that starts later
        self._on_wait, self._on_start, self._aside = on_wait, on_start, aside
        self._held = False
        self.name, self.n_ctx = llm.name, llm.n_ctx
        if hasattr(llm, "stream_prefixed"):  # the reader continues a started turn with it
            self.stream_prefixed = self._stream_prefixed

    def count_tokens(self, text: str) -> int:
        return self._llm.count_tokens(text)

    def _take(self) -> None:
        if self._held:
            return
        if self._aside is not None:
            with self._aside():
                got = self._queue.acquire(self, self._on_wait, latest=self._latest)
        else:
            got = self._queue.acquire(self, self._on_wait, latest=self._latest)
        if not got:
            raise BudgetSpent("the model's queue is longer than the answer's time budget")
        self._held = True
        if self._on_start:
            self._on_start()

    def stream(self, messages: list[Message], max_tokens: int) -> Iterator[str]:
        self._take()
        yield from self._llm.stream(messages, max_tokens)

    def _stream_prefixed(
        self, messages: list[Message], prefix: str, max_tokens: int
    ) -> Iterator[str]:
        self._take()
        yield from self._llm.stream_prefixed(messages, prefix, max_tokens)  # type: ignore[attr-defined]

    @property
    def used(self) -> bool:
        """Whether this answer has had the model."""
        return self._held

    def release(self) -> None:
        if self._held:
            self._queue.release(self)
