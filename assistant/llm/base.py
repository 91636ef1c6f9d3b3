"""The interface every LLM provider implements: stream chat tokens, count prompt tokens.

Nothing here imports a backend; the backends and the registry import this.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Protocol

Message = dict[str, str]


class LLMError(Exception):
    """The model could not answer; the message says why and what to do."""


class BudgetSpent(LLMError):
    """The answer's time budget ran out before or while the model ran: the caller falls
    back to what it has checked so far (`assistant.answer.budget`)."""


class LLM(Protocol):
    name: str
    n_ctx: int

    # The reply in pieces; a piece may be "" (a sign of life while the prompt is read).
    def stream(self, messages: list[Message], max_tokens: int) -> Iterator[str]: ...

    def count_tokens(self, text: str) -> int: ...


def estimate_tokens(text: str) -> int:
    """Rough count for servers whose tokenizer we cannot see: ~0.7 per CJK char, ~0.3 per other."""
    cjk = len(re.findall(r"[\u3400-\u9fff]", text))
    return int(cjk * 0.7 + (len(text) - cjk) * 0.3) + 1
