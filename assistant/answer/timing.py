"""Where the time went: one context manager around each step, instead of hand-kept clocks."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass
class Took:
    """The elapsed milliseconds of a `timed` block, set when it ends (and while it runs)."""

    start: float = 0.0
    ms: float = 0.0

    def so_far(self) -> float:
        return (time.perf_counter() - self.start) * 1000


@contextmanager
def timed(into: dict[str, float] | None = None, name: str = "") -> Iterator[Took]:
    """Time the block; with `into`, record its milliseconds (rounded to 0.1) under `name`,
    even when the block returns early."""
    took = Took(start=time.perf_counter())
    try:
        yield took
    finally:
        took.ms = took.so_far()
        if into is not None:
            into[name] = round(took.ms, 1)
