"""Preparation: the question made to stand alone, searched in Chinese, and prepared once.

`Preparer.retrieve` rewrites a follow-up, finds an English question's Chinese search terms
(its places by their pinyin, the documents' spelling of its names, the glossary, the
model's translation) and searches; `Preparer.question` then builds the one `Question`
record every later step reads. The index's places and spellings are cached per store
version: sessions share an answerer, so nothing about one question is kept.
"""

from __future__ import annotations

import logging
import re
from typing import NamedTuple

from assistant.answer.budget import Budget
from assistant.answer.english import (
    detect_lang,
    english_names,
    english_places,
    glossary_pairs,
    glossary_terms,
    glossed,
    lost_terms,
    spelled_as,
)
from assistant.answer.english import (
    spellings as pinyin_spellings,
)
from assistant.answer.flags import Flag
from assistant.answer.followup import (
    bind_rewrite,
    carried_turn,
    drop_new_years,
    needs_rewrite,
    swap_place,
)
from assistant.answer.kinds import asked_of
from assistant.answer.query import key_terms, quoted_terms, restated
from assistant.answer.reading import Reader
from assistant.answer.records import Queries, Question, Retrieved, Search
from assistant.answer.text import prompt
from assistant.answer.timing import timed
from assistant.config import Settings
from assistant.identity import among, doc_identity, local_names
from assistant.index import Index
from assistant.llm import LLMError, Message
from assistant.retrieval import search

log = logging.getLogger(__name__)

# An English follow-up that asks something of its own ("— how big is it?"), not only
# "And the auto park?", which asks the last turn's question again.
_ASKS_OWN = re.compile(r"\b(?:how|what|which|when|where|who|why)\b", re.I)


class Standalone(NamedTuple):
    """A question as it stands alone, and how it was made to."""

    text: str
    flags: list[str]
    concatenated: bool = False  # the last question + this one: read whole, never split


def _merge(a: list[str], b: list[str]) -> list[str]:
    """Places of both lists, a place contained in another counted once."""
    out = list(a)
    for p in b:
        if not any(p in q or q in p for q in out):
            out.append(p)
    return out


class Vocabulary:
    """The indexed documents' places and pinyin spellings, rebuilt when the store changes."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self._known: tuple[int, list[str]] = (-1, [])
        self._spellings: tuple[int, dict[str, str]] = (-1, {})

    def places(self) -> list[str]:
        """Places named in the indexed documents' titles, file names and headings."""
        count = self.index.catalog.chunk_count()
        if self._known[0] != count:
            found: dict[str, None] = {}
            for doc_id, title, heading in self.index.catalog.sections():
                for place in doc_identity(doc_id, title, heading).places:
                    found.setdefault(place, None)
            self._known = (count, list(found))
        return self._known[1]

    def spellings(self) -> dict[str, str]:
        """pinyin -> the indexed documents' word (`english.spellings`), rebuilt when the
        store changes: how an English question's "Ruxiu" is found to mean 汝绣."""
        count = self.index.catalog.chunk_count()
        if self._spellings[0] != count:
            cat = self.index.catalog
            named = [(name, 1) for name in local_names(c.text for c in cat.all_chunks())]
            self._spellings = (count, pinyin_spellings(cat.vocabulary() + named))
        return self._spellings[1]


def prepared(text: str, found: Retrieved, answer_lang: str | None, translates: bool) -> Question:
    """The question prepared once: the forms it is read, checked and shown in.

    A Chinese question (or one the model translated) is read in Chinese, where the small
    model and the extractive quote are at their best; an English answer is then a
    translation of the checked answer, checked again (`translation.Translator`).
    """
    lang = answer_lang or found.lang
    translated = bool(found.translation)
    zh = found.standalone
    if found.lang == "en":
        zh = found.translation or found.keyword_query
    zh = restated(zh, "".join(p.text for p in found.passages))  # "220千伏" -> "22万伏"
    read_lang = "zh" if translates and (found.lang == "zh" or translated) else lang
    asked = asked_of(zh)
    return Question(
        text=text,
        lang=found.lang,
        answer_lang=lang,
        standalone=found.standalone,
        zh=zh,
        read_lang=read_lang,
        read=zh if read_lang == "zh" else found.standalone,
        asker=found.standalone if read_lang != found.lang else "",
        places=tuple(_merge(list(asked.places), found.places)),
        splittable=(found.lang == "zh" or translated) and not found.concatenated,
        asked=asked,
    )


def one_line(
    reader: Reader, settings: Settings, template: str, budget: Budget | None, **values: str
) -> str:
    """A short rewrite by the reader's model (its first line), or "" without one, on
    error or out of time."""
    text = prompt(settings, template).format(**values)
    try:
        lines = reader.write(text, 60, budget=budget).strip().splitlines()
    except LLMError as exc:
        log.warning("%s failed: %s", template, exc)
        return ""
    return lines[0].strip() if lines else ""


class Preparer:
    """Question (+ history) -> standalone Chinese search queries -> ranked passages -> Question."""

    def __init__(
        self, settings: Settings, index: Index, reader: Reader, search: Search = search
    ) -> None:
        self.settings = settings
        self.index = index
        self.reader = reader
        self.search = search
        self.vocabulary = Vocabulary(index)

    def standalone(
        self, question: str, history: list[Message] | None, budget: Budget | None = None
    ) -> Standalone:
        """Rewrite a follow-up into a standalone question, only when it needs one."""
        if not needs_rewrite(question, history):
            return Standalone(question, [])
        users = [t["content"] for t in (history or []) if t.get("role") == "user"]
        convo = "\n".join(f"{t['role']}: {t['content'][:200]}" for t in (history or [])[-4:])
        rewritten = one_line(
            self.reader, self.settings, "condense.txt", budget, history=convo, question=question
        )
        rewritten, flags = bind_rewrite(rewritten, question, history) if rewritten else ("", [])
        glossary = self.settings.prompts_dir / "glossary.tsv"
        lost = bool(rewritten) and bool(lost_terms(glossary, rewritten, question))
        if lost:
            rewritten, flags = "", [*flags, Flag.REWRITE_LOST_TERMS]  # about the last turn's thing
        if rewritten:
            return Standalone(rewritten, [Flag.CONDENSED_BY_LLM, *flags])
        swapped = swap_place(users[-1], question)  # same question, other place
        if swapped:
            return Standalone(swapped, [Flag.CONDENSED_BY_SUBSTITUTION])
        if lost and _ASKS_OWN.search(question):
            # it names and asks its own thing: of the last turn, only where it was asked
            places = english_places(users[-1], self.vocabulary.places())
            if places:
                text = f"{question} ({'，'.join(places)})"
                return Standalone(text, [*flags, Flag.CONDENSED_BY_PLACES])
        text = f"{carried_turn(users[-1], question)} {question}"
        return Standalone(text, [*flags, Flag.CONDENSED_BY_CONCAT], concatenated=True)

    def search_queries(self, question: str, lang: str, budget: Budget | None = None) -> Queries:
        """Dense and keyword queries: English questions get Chinese search terms (and the
        translation and places found on the way, returned, not kept: sessions share this)."""
        if lang != "en":
            return Queries(dense=question, keyword=question)
        glossary = self.settings.prompts_dir / "glossary.tsv"
        terms = glossary_terms(glossary, question)
        places = english_places(question, self.vocabulary.places())
        spelled = [
            (en, zh)
            for en, zh in english_names(question, self.vocabulary.spellings())
            if not among(zh, places)
        ]
        found = [*places, *(zh for _, zh in spelled)]
        if found:
            terms = f"{' '.join(found)} {terms}"
        # the documents' own spelling of the names the question uses, so the small model
        # does not guess them (nor copy a prompt's example name)
        names = [(spelled_as(p), p) for p in places] + spelled + glossary_pairs(glossary, question)
        listed = "；".join(f"{en}={zh}" for en, zh in names) or "（无）"
        zh = drop_new_years(
            one_line(
                self.reader,
                self.settings,
                "translate_query.txt",
                budget,
                question=question,
                names=listed,
            ),
            question,
        )
        zh = glossed(glossary, zh, question)
        if zh:  # the translation adds Chinese words; the glossary terms keep names it may garble
            return Queries(
                dense=f"{question} {terms} {zh}",
                keyword=f"{zh} {terms}",
                flags=(Flag.TRANSLATED_BY_LLM,),
                translation=zh,
                places=tuple(places),
            )
        return Queries(
            dense=f"{question} {terms}",
            keyword=terms or question,
            flags=(Flag.GLOSSARY_TERMS,),
            places=tuple(places),
        )

    def retrieve(
        self,
        question: str,
        history: list[Message] | None = None,
        k: int | None = None,
        budget: Budget | None = None,
    ) -> Retrieved:
        """Question (+ history) -> standalone Chinese search queries -> ranked passages."""
        with timed() as took:
            lang = detect_lang(question)
            alone = self.standalone(question.strip(), history, budget)
            standalone = alone.text
            q = self.search_queries(standalone, lang, budget)
            passages = self.search(
                self.index,
                q.dense,
                k=k or self.settings.retrieval.k,
                keyword_query=q.keyword,
                literals=quoted_terms(standalone),
            )
        return Retrieved(
            lang=lang,
            standalone=standalone,
            dense_query=q.dense,
            keyword_query=q.keyword,
            passages=passages,
            flags=[*alone.flags, *q.flags],
            ms=took.ms,
            translation=q.translation,
            places=list(q.places),
            concatenated=alone.concatenated,
        )

    def question(self, text: str, found: Retrieved, answer_lang: str | None) -> Question:
        """The question prepared once (`prepared`), for this reader."""
        return prepared(text, found, answer_lang, self.reader.translates)

    def terms(self, text: str, translated: bool = False) -> dict[str, float]:
        """The question's key terms, weighted by rarity in the indexed chunks."""
        cat = self.index.catalog
        return key_terms(text, cat.document_frequency, cat.chunk_count(), translated)
