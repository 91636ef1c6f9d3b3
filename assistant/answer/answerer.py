"""Composition: prepare -> retrieve -> plan -> (bind -> read -> verify -> decide) per part
-> compose -> translate.

Each step is its own module (prepare, plan, bind, part, compose, translate, over query,
tables, reading, verify and refusal); this one only wires them. What reaches the user is
decided by the evidence: every sentence carries a citation to a passage bound to the asked
place and holding the sentence's figures, and a fitted model decides between the checked
answer and a refusal. docs/answering.md walks a question through the stages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from assistant.answer import refusal
from assistant.answer.bind import Binder
from assistant.answer.budget import Budget
from assistant.answer.compose import Composer, in_order
from assistant.answer.cover import covered
from assistant.answer.extractive import ExtractiveReader
from assistant.answer.flags import Flag
from assistant.answer.part import PartReader
from assistant.answer.plan import Planner
from assistant.answer.prepare import Preparer
from assistant.answer.ranker import Candidate
from assistant.answer.reading import LLMReader, Reader
from assistant.answer.records import Answer, Retrieved, Search
from assistant.answer.rules import active
from assistant.answer.timing import timed
from assistant.answer.translate import Translator
from assistant.config import ConfigError, Settings
from assistant.index import Index
from assistant.llm import LLM, Message
from assistant.messages import Fault
from assistant.retrieval import search


def reader_for(settings: Settings, llm: LLM | None) -> Reader:
    """The reader of the configured provider: a model's, or the extractive one without."""
    return LLMReader(settings, llm) if llm is not None else ExtractiveReader(settings)


class QuestionTooLongError(Fault, ValueError):
    """A question over `answer.max_question_chars`: refused before retrieval, the same
    for the CLI, the page and the LangChain runnable."""

    def __init__(self, n: int, limit: int) -> None:
        super().__init__(key="question.too_long", n=n, limit=limit)


class Answerer:
    """Answers questions over an index with a configured LLM (or none: extractive)."""

    def __init__(
        self, settings: Settings, index: Index, llm: LLM | None, search: Search = search
    ) -> None:
        self.settings = settings
        self.index = index
        self.llm = llm
        self.extractive = ExtractiveReader(settings)
        self.reader = reader_for(settings, llm)
        custom = settings.answer.refusal_model
        path = Path(custom) if custom else refusal.MODEL_PATH
        self.refusal = refusal.load(self.reader.kind, path)
        # quote-first: the extractive reading is judged by the model fitted for it
        self.quote_refusal = refusal.load("extractive", path)
        try:
            rules = active(settings.answer.rules_off)
        except ValueError as exc:
            raise ConfigError(f"[answer] rules_off: {exc}") from exc
        self.preparer = Preparer(settings, index, self.reader, search)
        self.binder = Binder(index, settings.answer.max_passages)
        self.planner = Planner(index, self.binder, self.extractive, self.preparer.terms, search)
        self.parts = PartReader(
            self.reader,
            self.extractive,
            self.binder,
            self.preparer.terms,
            self.refusal,
            self.quote_refusal,
            rules,
            settings.answer.model_floor,
            settings.answer.read_translated,
        )
        self.composer = Composer(settings, self.reader.provider, self.reader.name)
        self.translator = Translator(settings, self.reader, rules)

    def retrieve(
        self,
        question: str,
        history: list[Message] | None = None,
        k: int | None = None,
        budget: Budget | None = None,
    ) -> Retrieved:
        """Question (+ history) -> standalone Chinese search queries -> ranked passages."""
        return self.preparer.retrieve(self.bounded(question), history, k, budget)

    def bounded(self, question: str) -> str:
        """The question stripped; QuestionTooLongError over `answer.max_question_chars`."""
        question = question.strip()
        limit = self.settings.answer.max_question_chars
        if limit and len(question) > limit:
            raise QuestionTooLongError(len(question), limit)
        return question

    def candidates(
        self, question: str, history: list[Message] | None = None, k: int | None = None
    ) -> list[list[Candidate]]:
        """Per part of the question's plan, the candidate sentences the ranker judges, with
        their features (for fitting it; `ask` reads the same candidates)."""
        k = k or self.settings.retrieval.k
        found = self.retrieve(question, history, k=k)
        plan = self.planner.plan(self.preparer.question(question, found, None), found.passages, k)
        return [self.parts.candidates(ask) for ask in plan.asks]

    def ask(
        self,
        question: str,
        history: list[Message] | None = None,
        on_token: Callable[[str], None] | None = None,
        k: int | None = None,
        answer_lang: str | None = None,
        budget: Budget | None = None,
    ) -> Answer:
        """Answer from the documents; `answer_lang` ("zh"/"en") overrides the question's
        language. The model is used only within `budget` (`answer.budget_s` from now when
        not given; the page starts it when the question arrives)."""
        budget = budget or Budget(self.settings.answer.budget_s)
        with timed() as total:
            k = k or self.settings.retrieval.k
            question = self.bounded(question)
            found = self.retrieve(question, history, k=k, budget=budget)
            q = self.preparer.question(question, found, answer_lang)
            first_token: list[float] = []

            def emit(tok: str) -> None:
                if not first_token:
                    first_token.append(total.so_far())
                if on_token:
                    on_token(tok)

            plan = self.planner.plan(q, found.passages, k)
            parts = [self.parts.read(ask, emit, budget) for ask in plan.asks]
            parts = covered(plan.asks, parts, self.parts.check)
            result = self.composer.compose(q, found, plan, parts)
            if q.answer_lang != q.read_lang:
                places = {p.label: p.place for p in parts if p.place}
                # a line the translation left out takes its citations with it: renumbered
                translated = self.translator.translate(result, q.answer_lang, emit, places, budget)
                result = in_order(translated)
            if not first_token:  # nothing streamed (extractive, split, refused before reading)
                emit(result.answer)
        timings = {
            "retrieval_ms": round(found.ms, 1),
            "first_token_ms": round(first_token[0], 1),
            "total_ms": round(total.ms, 1),
        }
        stages = {"retrieval_ms": round(found.ms, 1), **result.stages}
        if not budget.spent:
            return replace(result, timings=timings, stages=stages)
        flags = result.flags
        if Flag.BUDGET_SPENT not in flags:  # a rewrite or a translation was cut
            flags = [*flags, Flag.BUDGET_SPENT]
        return replace(
            result, timings=timings, stages=stages, flags=flags, out_of_time_s=budget.seconds
        )
