"""An answer's time budget (`[answer] budget_s`): the model is used only while it lasts.

The clock starts when the question arrives, so a wait in the model queue counts too. A
model use starts only with enough of the budget left to finish one (`MIN_USE`), and its
tokens stop when the budget runs out; the caller then falls back to what it has already
checked: the quote (or the refusal) for a reading, the checked Chinese for a translation,
the question as asked for a rewrite. So a user never waits past the budget for the model,
and a refusal never comes after a long wait.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from assistant.llm import BudgetSpent

# A model use that starts with less than this share of the budget left rarely finishes:
# the local 1.5B model's prompt alone takes ~5 s on 2 cores (MODELS.md), a quarter of 20 s.
MIN_USE = 0.25


@dataclass
class Budget:
    """Seconds for one answer (0: no limit), from `start` (a `time.monotonic()` reading)."""

    seconds: float = 0.0
    start: float = field(default_factory=time.monotonic)
    spent: bool = False  # set once a model use was skipped or cut short: for the report

    def left(self) -> float:
        if self.seconds <= 0:
            return math.inf
        return self.start + self.seconds - time.monotonic()

    @property
    def latest_start(self) -> float | None:
        """The last moment a model use may start (None: any time): the model queue gives
        up on a turn that would come later."""
        if self.seconds <= 0:
            return None
        return self.start + self.seconds * (1 - MIN_USE)

    def tokens(self, stream: Iterable[str]) -> Iterator[str]:
        """The model's tokens while the budget lasts; BudgetSpent when it is (or runs) out."""
        latest = self.latest_start
        if latest is not None and time.monotonic() > latest:
            self.spent = True
            raise BudgetSpent(f"{self.seconds:g} s answer budget spent before the model ran")
        it = iter(stream)
        try:
            for tok in it:  # "" is a model's sign of life between blocks of its prompt
                if tok:
                    yield tok
                if self.left() <= 0:
                    raise BudgetSpent(f"{self.seconds:g} s answer budget ran out")
        except BudgetSpent:
            self.spent = True
            raise
        finally:
            close = getattr(it, "close", None)
            if close is not None:
                close()  # the model stops generating now, not when the iterator is collected
