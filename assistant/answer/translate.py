"""Translation: the checked Chinese answer in the asked language, checked again.

A reader that reads in Chinese (a model's) answers an English question in Chinese first;
this stage translates that answer one part (line) at a time, so each keeps its own marker
and check. A part whose translation fails the check is shown as the checked Chinese,
labelled, never unchecked. The figure helpers live in `translation`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

from assistant.answer.bind import reading_text
from assistant.answer.budget import Budget
from assistant.answer.compose import refusal_text
from assistant.answer.english import spelled_as
from assistant.answer.evidence import Evidence
from assistant.answer.flags import Flag
from assistant.answer.reading import CHINESE_LEAD, Reader
from assistant.answer.records import Answer
from assistant.answer.rules import RULES, Rule
from assistant.answer.text import MARKER, REFUSAL, markers, prompt
from assistant.answer.timing import timed
from assistant.answer.translation import (
    cited_pieces,
    figures_in_english,
    with_source_figures,
    with_source_list,
)
from assistant.answer.verify import check, is_english, unfaithful
from assistant.config import Settings
from assistant.llm import LLMError

log = logging.getLogger(__name__)


class Translator:
    """Answer (in the reading language) -> a new Answer in `lang`, streamed as written."""

    def __init__(self, settings: Settings, reader: Reader, rules: tuple[Rule, ...] = RULES) -> None:
        self.settings = settings
        self.reader = reader
        self.rules = rules

    def translate(
        self,
        answer: Answer,
        lang: str,
        emit: Callable[[str], None],
        places: dict[str, str] | None = None,
        budget: Budget | None = None,
    ) -> Answer:
        """A part labelled with a place (`places`: label -> place) goes to the model with
        the place as the question spells it (沁阳 -> "Qinyang：…", where the small model
        wrote "Hyunyang"), and gets it back if the translation leaves it out."""
        result = replace(answer, lang=lang, flags=list(answer.flags), stages=dict(answer.stages))
        if result.refused:
            return replace(result, answer=refusal_text(self.settings, lang))
        evidence = [
            Evidence(i + 1, p.text, reading_text(p), p.heading, 1.0, p.title)
            for i, p in enumerate(result.passages)
        ]
        with timed(result.stages, "translate_ms"):
            lines = [line for line in result.answer.split("\n") if line.strip()]
            english = []
            refusal_zh = refusal_text(self.settings, "zh")
            refusal = refusal_text(self.settings, lang)
            places = places or {}
            for n, chinese in enumerate(lines):
                if n:
                    emit("\n")
                label = next((lab for lab in places if chinese.startswith(f"{lab}：")), "")
                spelled = spelled_as(places[label]) if label else ""
                if label:  # the place as the question spells it, not as the model guesses it
                    chinese = f"{spelled}：{chinese[len(label) + 1 :]}"
                if chinese.endswith(refusal_zh):  # a part not found: its label, the refusal
                    lead = chinese[: -len(refusal_zh)]
                    english.append((f"{lead[:-1]}: " if label else lead) + refusal)
                    emit(english[-1])
                    continue
                # a part is translated, not asked the whole question (it would answer the rest)
                kind = "answer" if len(lines) == 1 else "part"
                pieces = cited_pieces(chinese)
                if len(pieces) == 1:
                    line = self._line(result, lang, chinese, evidence, emit, kind, budget)
                else:  # sentences citing different passages: one at a time, else whole
                    line = self._pieces(result, lang, pieces, evidence, emit, budget)
                    if not line:
                        emit("\n")
                        line = self._line(result, lang, chinese, evidence, emit, kind, budget)
                if line and spelled and spelled not in line:  # the model left the label out
                    line = f"{spelled}: {line}"
                english.append(line)
            if all(line == refusal for line in english):
                return replace(result, answer=english[0], refused=True, citations=[])
        lead = CHINESE_LEAD.get(lang, "")
        if all(english):
            result.flags.append(Flag.TRANSLATED_ANSWER)
            shown = "\n".join(english)
        else:
            result.flags.append(Flag.TRANSLATION_REJECTED)
            if not any(english):  # one label for a Chinese answer shown whole
                shown = lead + "\n".join(lines)
            else:
                shown = "\n".join(e or lead + c for e, c in zip(english, lines, strict=True))
        # a sentence the translation left out takes its citation with it
        kept = markers(shown)
        return replace(result, answer=shown, citations=[c for c in result.citations if c.n in kept])

    def _pieces(
        self,
        result: Answer,
        lang: str,
        pieces: list[str],
        evidence: list[Evidence],
        emit: Callable[[str], None],
        budget: Budget | None,
    ) -> str:
        """The line's sentences translated one at a time, or "" when one fails (a table row
        the model wrote out again in Chinese: the whole line is then tried at once)."""
        said: list[str] = []
        for piece in pieces:
            if said:
                emit(" ")
            said.append(self._line(result, lang, piece, evidence, emit, "part", budget))
            if not said[-1]:
                return ""
        return " ".join(said)

    def _line(
        self,
        result: Answer,
        lang: str,
        chinese: str,
        evidence: list[Evidence],
        emit: Callable[[str], None],
        kind: str = "answer",
        budget: Budget | None = None,
    ) -> str:
        """One checked Chinese line in `lang`, or "" when its translation fails the check."""
        given, figures = figures_in_english(chinese)
        text = prompt(self.settings, f"translate_{kind}_{lang}.txt").format(
            question=result.question, answer=given
        )
        try:
            out = self.reader.write(text, self.settings.llm.max_tokens, emit, budget)
        except LLMError as exc:
            log.warning("answer translation failed: %s", exc)
            return ""
        if REFUSAL.search(out) and not REFUSAL.search(chinese):
            # "…is not provided in the given Chinese answer": the translator read it and
            # found no answer there; its meta-talk is no translation to show
            result.flags.append(Flag.TRANSLATION_REFUSED)
            return refusal_text(self.settings, lang)
        if not is_english(MARKER.sub("", out)):  # the model wrote the Chinese out again
            result.flags.append(Flag.TRANSLATION_NOT_ENGLISH)
            return ""
        checked = check(out, evidence, result.standalone, rules=self.rules)
        result.flags += [f for f in checked.flags if f not in result.flags]
        if unfaithful([s for s, _ in checked.sentences], chinese, result.standalone):
            if Flag.TRANSLATION_ADDED_FIGURE not in result.flags:
                result.flags.append(Flag.TRANSLATION_ADDED_FIGURE)
            return ""
        if checked.sentences and not checked.dropped and not checked.off_target:
            checked.sentences = with_source_list(checked.sentences, chinese)
            return with_source_figures(checked.text(lang), figures)
        return ""
