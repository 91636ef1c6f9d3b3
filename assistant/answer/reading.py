"""Readers: numbered passages + a question -> a draft answer with [n] markers.

One interface, two implementations: `LLMReader` (here) over any `assistant.llm` model
(local llama.cpp, an OpenAI-compatible server, LangChain) and `extractive.ExtractiveReader`,
which quotes the best-supported sentences and needs no model. Both implement all of `Reader` (the forced
re-ask and the short rewrites included), so the pipeline never asks which one it has. A
draft is only a draft: the verifier and the refusal model decide what reaches the user.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Protocol

from assistant.answer.budget import Budget
from assistant.answer.evidence import Evidence
from assistant.answer.flags import Flag
from assistant.answer.query import coverage
from assistant.answer.records import Asked
from assistant.answer.text import is_refusal, passage_sentences, prompt
from assistant.config import Settings
from assistant.llm import LLM, BudgetSpent, LLMError, Message

log = logging.getLogger(__name__)

FORCE_PREFIX = {"zh": "根据资料，", "en": "According to the documents, "}
# A Chinese sentence quoted for a reader of another language says what it is.
CHINESE_LEAD = {"en": "From the documents (in Chinese): "}


@dataclass
class Reading:
    """A reader's draft and what is known about how it was produced."""

    text: str
    refused: bool = False
    forced: bool = False
    prompt_tokens: int = 0
    score: float = 0.0  # extractive: the best sentence's score
    used: int = 0  # passages the reader saw (fewer when the prompt had to be trimmed)
    flags: list[str] = field(default_factory=list)
    by_model: bool = False  # a model wrote it: its "not found" is a signal, and may be overridden
    spent: bool = False  # the answer's time budget ran out first: no reading to judge


class Reader(Protocol):
    """What the answer stage needs of a reader, whichever it is."""

    name: str  # the model's name ("extractive": none)
    provider: str  # the configured provider
    kind: str  # which fitted refusal model judges its readings ("llm", "extractive")
    # reads a question in Chinese and has the checked answer translated (the extractive
    # reader cannot translate: it answers in the question's language)
    translates: bool
    quote_first: bool  # tries the extractive quote before reading (`answer.quote_first`)

    def read(
        self,
        question: str,
        lang: str,
        evidence: list[Evidence],
        terms: dict[str, float],
        emit: Callable[[str], None] | None = None,
        quote: Reading | None = None,
        asked: Asked | None = None,
        budget: Budget | None = None,
    ) -> Reading:
        """A draft from the numbered passages; `quote` is the extractive reading, if made,
        `asked` what the question asks, if parsed. A model's reading cut by the `budget`
        is returned `spent`."""
        ...

    def force(
        self,
        question: str,
        lang: str,
        evidence: Evidence,
        terms: dict[str, float],
        budget: Budget | None = None,
    ) -> str:
        """A re-ask on one passage alone after a refusal ("" when there is nothing to add)."""
        ...

    def write(
        self,
        text: str,
        max_tokens: int,
        emit: Callable[[str], None] | None = None,
        budget: Budget | None = None,
    ) -> str:
        """The model's reply to one user message (rewrites, translations); "" without one.
        Raises LLMError when the model fails (BudgetSpent when the budget runs out)."""
        ...


def _focus(
    evidence: list[Evidence], terms: dict[str, float], budget: int, count: Callable[[str], int]
) -> list[str]:
    """Each passage cut to its most relevant sentences so all fit the token budget."""
    per = budget // max(1, len(evidence))
    out: list[str] = []
    for e in evidence:
        text = e.reading.strip()
        if count(text) <= per:
            out.append(text)
            continue
        sents = passage_sentences(text)
        ranked = sorted(range(len(sents)), key=lambda i: -coverage(terms, sents[i]))
        chosen: list[int] = []
        used = 0
        for i in ranked:
            cost = count(sents[i])
            if chosen and used + cost > per:
                continue
            chosen.append(i)
            used += cost
        out.append("…".join(sents[i].strip() for i in sorted(chosen)))
    return out


class LLMReader:
    """Asks the configured model; on a refusal the caller may `force` one passage."""

    kind = "llm"
    translates = True

    def __init__(self, settings: Settings, llm: LLM) -> None:
        self.settings = settings
        self.llm = llm
        self.name = llm.name
        self.provider = settings.llm.provider
        self.quote_first = settings.answer.quote_first

    def messages(
        self, question: str, lang: str, focused: list[str], evidence: list[Evidence]
    ) -> list[Message]:
        """System rules, then the numbered passages (each under its nearest heading) and the question."""
        blocks = "\n".join(
            f"[{e.n}]（{h}）{t}" if (h := e.heading.split(" > ")[-1][:30]) else f"[{e.n}] {t}"
            for t, e in zip(focused, evidence, strict=True)
        )
        return [
            {"role": "system", "content": prompt(self.settings, f"system_{lang}.txt").strip()},
            {
                "role": "user",
                "content": prompt(self.settings, f"answer_{lang}.txt")
                .format(passages=blocks, question=question)
                .strip(),
            },
        ]

    def prompt_tokens(self, messages: list[Message]) -> int:
        """Prompt size in the model's tokens (+10 for the chat template's markers)."""
        return self.llm.count_tokens("".join(m["content"] for m in messages)) + 10

    def read(
        self,
        question: str,
        lang: str,
        evidence: list[Evidence],
        terms: dict[str, float],
        emit: Callable[[str], None] | None = None,
        quote: Reading | None = None,
        asked: Asked | None = None,
        budget: Budget | None = None,
    ) -> Reading:
        cfg = self.settings.llm
        flags: list[str] = []
        focused = _focus(evidence, terms, cfg.context_tokens, self.llm.count_tokens)
        messages = self.messages(question, lang, focused, evidence)
        tokens = self.prompt_tokens(messages)
        while tokens > self.llm.n_ctx - cfg.max_tokens and len(evidence) > 1:
            log.warning(
                "prompt of %d tokens exceeds the %d-token window: dropping passage %d",
                tokens,
                self.llm.n_ctx,
                evidence[-1].n,
            )
            evidence, focused = evidence[:-1], focused[:-1]
            flags.append(Flag.CONTEXT_TRIMMED)
            messages = self.messages(question, lang, focused, evidence)
            tokens = self.prompt_tokens(messages)
        budget = budget or Budget()
        try:
            text = "".join(_tee(budget.tokens(self.llm.stream(messages, cfg.max_tokens)), emit))
        except BudgetSpent as exc:
            log.info("reading stopped: %s", exc)
            return Reading("", prompt_tokens=tokens, used=len(evidence), by_model=True, spent=True)
        return Reading(
            text,
            refused=is_refusal(text),
            prompt_tokens=tokens,
            flags=flags,
            used=len(evidence),
            by_model=True,
        )

    def write(
        self,
        text: str,
        max_tokens: int,
        emit: Callable[[str], None] | None = None,
        budget: Budget | None = None,
    ) -> str:
        tokens = self.llm.stream([{"role": "user", "content": text}], max_tokens)
        return "".join(_tee((budget or Budget()).tokens(tokens), emit))

    def force(
        self,
        question: str,
        lang: str,
        evidence: Evidence,
        terms: dict[str, float],
        budget: Budget | None = None,
    ) -> str:
        """Re-ask on one passage alone with the answer already started ("根据资料，").

        The small model's "not found" is often false when a passage carries the figure;
        started for it, it answers from that passage (MODELS.md: 7 of 14). Unanswerable
        questions get invented answers this way too, so the caller verifies and decides.
        """
        focused = _focus([evidence], terms, self.settings.llm.context_tokens, self.llm.count_tokens)
        one = replace(evidence, n=1, reading=focused[0])
        messages = self.messages(question, lang, [focused[0]], [one])
        prefix = FORCE_PREFIX.get(lang, FORCE_PREFIX["zh"])
        try:
            tokens = _prefixed(self.llm, messages, prefix, self.settings.llm.max_tokens)
            text = "".join((budget or Budget()).tokens(tokens))
        except LLMError as exc:
            log.warning("forced re-ask failed: %s", exc)
            return ""
        return re.sub(r"\[1\]", f"[{evidence.n}]", prefix + text)


def _prefixed(llm: LLM, messages: list[Message], prefix: str, max_tokens: int) -> Iterator[str]:
    """The model's continuation of an assistant turn that starts with `prefix`.

    Providers that can continue a turn expose `stream_prefixed`; others are asked to start
    with the prefix (and it is stripped from their reply).
    """
    fn = getattr(llm, "stream_prefixed", None)
    if fn is not None:
        yield from fn(messages, prefix, max_tokens)
        return
    asked = [*messages[:-1], {**messages[-1], "content": f"{messages[-1]['content']}{prefix}"}]
    text = "".join(llm.stream(asked, max_tokens))
    yield text[len(prefix) :] if text.startswith(prefix) else text


def _tee(tokens: Iterator[str], emit: Callable[[str], None] | None) -> Iterator[str]:
    for tok in tokens:
        if emit:
            emit(tok)
        yield tok
