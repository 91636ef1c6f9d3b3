"""Composition: question -> retrieval -> bound evidence -> reading -> verification -> decision.

Each step is its own module (query, identity, tables, reading, verify, refusal); this one
only wires them. What reaches the user is decided by the evidence: every sentence carries
a citation to a passage bound to the asked place and holding the sentence's figures, and a
fitted model decides between the checked answer and a refusal.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from assistant.answer import refusal
from assistant.answer.query import (
    asked_of_each,
    asked_types,
    asked_units,
    asks_number,
    bind_rewrite,
    carried_turn,
    comparison,
    content_words,
    coverage,
    detect_lang,
    drop_new_years,
    english_names,
    english_places,
    figure_in,
    glossary_pairs,
    glossary_terms,
    glossed,
    key_terms,
    loosely_in,
    lost_terms,
    named_kinds,
    needs_rewrite,
    per_document,
    quoted_terms,
    restated,
    spelled_as,
    spellings,
    split_question,
    swap_place,
    type_match,
    unit_match,
)
from assistant.answer.reading import CHINESE_LEAD, ExtractiveReader, LLMReader, Reader, Reading
from assistant.answer.tables import readable
from assistant.answer.text import (
    MARKER,
    REFUSAL,
    bigrams,
    drop_title_line,
    markers,
    numbers,
    official_lines,
    prompt,
    squash,
)
from assistant.answer.translation import figures_in_english, with_source_figures, with_source_list
from assistant.answer.verify import (
    Checked,
    Evidence,
    check,
    is_english,
    other_figure,
    unfaithful,
)
from assistant.config import Settings
from assistant.identity import (
    Identity,
    among,
    bound,
    doc_identity,
    home_place,
    local_names,
    named_subjects,
    place_names,
)
from assistant.index import Index
from assistant.llm import LLM, LLMError, Message
from assistant.retrieval import search
from assistant.schema import Passage

log = logging.getLogger(__name__)


@dataclass
class Citation:
    n: int
    doc: str
    chunk_id: str
    heading: str
    text: str
    score: float
    supported: bool
    sentences: list[str] = field(default_factory=list)
    doc_name: str = ""


@dataclass
class Answer:
    question: str
    answer: str
    citations: list[Citation]
    passages: list[Passage]
    refused: bool
    llm: dict[str, str]
    timings: dict[str, float]
    prompt_tokens: int = 0
    lang: str = "zh"
    standalone: str = ""
    search_query: str = ""
    support: float = 0.0
    flags: list[str] = field(default_factory=list)
    raw_answer: str = ""
    entities: list[str] = field(default_factory=list)
    candidate: str = ""  # the checked answer before the refusal decision
    p_answer: float = 0.0  # the refusal model's probability that the candidate is right
    features: dict[str, float] = field(default_factory=dict)
    parts: list[str] = field(default_factory=list)  # sub-questions, when split
    stages: dict[str, float] = field(default_factory=dict)  # where the time went (ms)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["passages"] = [p.to_dict() for p in self.passages]
        return d


@dataclass
class _Queries:
    dense: str
    keyword: str
    flags: list[str] = field(default_factory=list)
    translation: str = ""
    places: list[str] = field(default_factory=list)


@dataclass
class Retrieved:
    lang: str
    standalone: str
    dense_query: str
    keyword_query: str
    passages: list[Passage]
    flags: list[str]
    ms: float
    translation: str = ""  # an English question's Chinese translation, when an LLM made one
    places: list[str] = field(default_factory=list)  # places an English question spells


@dataclass
class _Part:
    """One (sub-)question read and checked against its own passages."""

    question: str
    passages: list[Passage]
    evidence: list[Evidence]
    checked: Checked
    refused: bool
    p: float
    features: dict[str, float]
    flags: list[str]
    raw: str = ""
    prompt_tokens: int = 0
    label: str = ""
    place: str = ""  # the place the label names, when it names one (said in pinyin in English)
    stages: dict[str, float] = field(default_factory=dict)


def _reading(p: Passage) -> str:
    """What a reader reads of a passage: table rows that name their columns, 公文 elements
    (文号, 落款, 成文日期) named; citations still show `p.text`."""
    return official_lines(readable(p.text, p.heading))


# An English follow-up that asks something of its own ("— how big is it?"), not only
# "And the auto park?", which asks the last turn's question again.
_ASKS_OWN = re.compile(r"\b(?:how|what|which|when|where|who|why)\b", re.I)


class Answerer:
    """Answers questions over an index with a configured LLM (or none: extractive)."""

    def __init__(self, settings: Settings, index: Index, llm: LLM | None) -> None:
        self.settings = settings
        self.index = index
        self.llm = llm
        self.extractive = ExtractiveReader(settings)
        self.reader: Reader = LLMReader(settings, llm) if llm else self.extractive
        custom = settings.answer.refusal_model
        path = Path(custom) if custom else refusal.MODEL_PATH
        self.refusal = refusal.load("llm" if llm else "extractive", path)
        # quote-first: the extractive reading is judged by the model fitted for it
        self.quote_refusal = refusal.load("extractive", path)
        self._known: tuple[int, list[str]] = (-1, [])
        self._spellings: tuple[int, dict[str, str]] = (-1, {})
        self._scopes: dict[tuple[str, str], str] = {}
        self._homes: dict[tuple[str, str], str] = {}

    # ---- question preparation

    def standalone(self, question: str, history: list[Message] | None) -> tuple[str, list[str]]:
        """Rewrite a follow-up into a standalone question, only when it needs one."""
        if not needs_rewrite(question, history):
            return question, []
        users = [t["content"] for t in (history or []) if t.get("role") == "user"]
        convo = "\n".join(f"{t['role']}: {t['content'][:200]}" for t in (history or [])[-4:])
        rewritten = self._one_line("condense.txt", history=convo, question=question)
        rewritten, flags = bind_rewrite(rewritten, question, history) if rewritten else ("", [])
        glossary = self.settings.prompts_dir / "glossary.tsv"
        if rewritten and lost_terms(glossary, rewritten, question):
            rewritten, flags = "", [*flags, "rewrite_lost_terms"]  # about the last turn's thing
        if rewritten:
            return rewritten, ["condensed_by_llm", *flags]
        swapped = swap_place(users[-1], question)  # same question, other place
        if swapped:
            return swapped, ["condensed_by_substitution"]
        if "rewrite_lost_terms" in flags and _ASKS_OWN.search(question):
            # it names and asks its own thing: of the last turn, only where it was asked
            places = english_places(users[-1], self.known_places())
            if places:
                return f"{question} ({'，'.join(places)})", [*flags, "condensed_by_places"]
        return f"{carried_turn(users[-1], question)} {question}", [*flags, "condensed_by_concat"]

    def _one_line(self, template: str, **values: str) -> str:
        """A short rewrite by the LLM (its first line), or "" without an LLM or on error."""
        if self.llm is None:
            return ""
        text = prompt(self.settings, template).format(**values)
        try:
            lines = (
                "".join(self.llm.stream([{"role": "user", "content": text}], 60))
                .strip()
                .splitlines()
            )
        except LLMError as exc:
            log.warning("%s failed: %s", template, exc)
            return ""
        return lines[0].strip() if lines else ""

    def search_queries(self, question: str, lang: str) -> _Queries:
        """Dense and keyword queries: English questions get Chinese search terms (and the
        translation and places found on the way, returned, not kept: sessions share this)."""
        if lang != "en":
            return _Queries(question, question)
        glossary = self.settings.prompts_dir / "glossary.tsv"
        terms = glossary_terms(glossary, question)
        places = english_places(question, self.known_places())
        spelled = [
            (en, zh)
            for en, zh in english_names(question, self.known_spellings())
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
            self._one_line("translate_query.txt", question=question, names=listed), question
        )
        zh = glossed(glossary, zh, question)
        if zh:  # the translation adds Chinese words; the glossary terms keep names it may garble
            dense, keyword = f"{question} {terms} {zh}", f"{zh} {terms}"
            return _Queries(dense, keyword, ["translated_by_llm"], zh, places)
        return _Queries(f"{question} {terms}", terms or question, ["glossary_terms"], "", places)

    def retrieve(
        self, question: str, history: list[Message] | None = None, k: int | None = None
    ) -> Retrieved:
        """Question (+ history) -> standalone Chinese search queries -> ranked passages."""
        t0 = time.perf_counter()
        lang = detect_lang(question)
        standalone, flags = self.standalone(question.strip(), history)
        q = self.search_queries(standalone, lang)
        passages = search(
            self.index,
            q.dense,
            k=k or self.settings.retrieval.k,
            keyword_query=q.keyword,
            literals=quoted_terms(standalone),
        )
        return Retrieved(
            lang,
            standalone,
            q.dense,
            q.keyword,
            passages,
            flags + q.flags,
            (time.perf_counter() - t0) * 1000,
            q.translation,
            q.places,
        )

    def known_places(self) -> list[str]:
        """Places named in the indexed documents' titles, file names and headings."""
        count = self.index.catalog.chunk_count()
        if self._known[0] != count:
            found: dict[str, None] = {}
            for doc_id, title, heading in self.index.catalog.sections():
                for place in doc_identity(doc_id, title, heading).places:
                    found.setdefault(place, None)
            self._known = (count, list(found))
        return self._known[1]

    def known_spellings(self) -> dict[str, str]:
        """pinyin -> the indexed documents' word (`query.spellings`), rebuilt when the
        store changes: how an English question's "Ruxiu" is found to mean 汝绣."""
        count = self.index.catalog.chunk_count()
        if self._spellings[0] != count:
            cat = self.index.catalog
            named = [(name, 1) for name in local_names(c.text for c in cat.all_chunks())]
            self._spellings = (count, spellings(cat.vocabulary() + named))
        return self._spellings[1]

    def terms(self, text: str, translated: bool = False) -> dict[str, float]:
        """The question's key terms, weighted by rarity in the indexed chunks."""
        cat = self.index.catalog
        return key_terms(text, cat.document_frequency, cat.chunk_count(), translated)

    def entities(self, question: str) -> list[str]:
        """The places and organisations a (Chinese) question names."""
        return place_names(question)

    # ---- evidence: passages bound to the asked place, tables made readable

    def _scope(self, p: Passage) -> str:
        """What the passage's document (or its 第X篇 section) mentions anywhere."""
        key = self._scope_key(p)
        if key not in self._scopes:
            self._scopes[key] = p.title + self.index.catalog.section_text(p.doc_id, key[1])
        return self._scopes[key]

    @staticmethod
    def _scope_key(p: Passage) -> tuple[str, str]:
        top = p.heading.split(" > ")[0]
        return (p.doc_id, top if re.match(r"^第\S+篇", top) else "")

    def _home(self, p: Passage) -> str:
        """The place the passage's document or section keeps naming (`home_place`), else
        the place its own part keeps naming: a report that first studies 温岭 and then
        describes 安阳 is about neither as a whole, but its part "二、…现状" is 安阳's.
        A jieba pass over the text, so only asked for when nothing else decides."""
        key = self._scope_key(p)
        if key not in self._homes:
            self._homes[key] = home_place(self._scope(p))
        if self._homes[key]:
            return self._homes[key]
        levels = p.heading.split(" > ")
        part = " > ".join(levels[: 2 if key[1] else 1])
        if not part or part == key[1]:
            return ""
        sub = (p.doc_id, part)
        if sub not in self._homes:
            self._homes[sub] = home_place(self.index.catalog.section_text(p.doc_id, part))
        return self._homes[sub]

    def _bound(self, asked: list[str], p: Passage) -> float:
        """How firmly the passage speaks for the asked places (`identity.bound`)."""
        if not asked:
            return 1.0
        identity, scope = self.identity(p), self._scope(p)
        b = bound(asked, identity, p.heading, p.text, scope)
        if b == 1.0 or not any(place[:2] in scope for place in asked):
            return b  # named in the passage or its identity, or nowhere in its document
        return bound(asked, identity, p.heading, p.text, scope, self._home(p))

    def identity(self, p: Passage) -> Identity:
        return doc_identity(p.doc_id, p.title, p.heading)

    def evidence(
        self, asked: list[str], passages: list[Passage], limit: int | None = None
    ) -> tuple[list[Passage], list[Evidence]]:
        """The top passages bound to the asked places, near-duplicates dropped, numbered."""
        limit = limit or self.settings.answer.max_passages
        kept: list[Passage] = []
        evidence: list[Evidence] = []
        for p in passages:
            b = self._bound(asked, p)
            if asked and b == 0.0:
                continue
            grams = bigrams(p.text)
            # a copy adds nothing; a longer report that repeats a shorter one's lines and
            # goes on ("…12亿公司债获上交所批准") is no copy
            if any(len(grams & bigrams(k.text)) > 0.7 * max(1, len(grams)) for k in kept):
                continue
            kept.append(p)
            reading = drop_title_line(_reading(p), p.title)
            places = tuple(asked) if b == 1.0 else ()
            evidence.append(Evidence(len(kept), p.text, reading, p.heading, b, p.title, places))
            if len(kept) == limit:
                break
        return kept, evidence

    # ---- the whole flow

    def ask(
        self,
        question: str,
        history: list[Message] | None = None,
        on_token: Callable[[str], None] | None = None,
        k: int | None = None,
        answer_lang: str | None = None,
    ) -> Answer:
        """Answer from the documents; `answer_lang` ("zh"/"en") overrides the question's language."""
        t0 = time.perf_counter()
        question = question.strip()
        k = k or self.settings.retrieval.k
        found = self.retrieve(question, history, k=k)
        lang = answer_lang or found.lang
        translated = "translated_by_llm" in found.flags
        zh_q = found.standalone
        if found.lang == "en":
            zh_q = found.translation or found.keyword_query
        zh_q = restated(zh_q, "".join(p.text for p in found.passages))  # "220千伏" -> "22万伏"
        # A Chinese question (or one the model translated) is read in Chinese, where the
        # small model and the extractive quote are at their best; an English answer is then
        # a translation of the checked answer, checked again (`_translate`).
        read_lang = "zh" if self.llm and (found.lang == "zh" or translated) else lang
        read_q = zh_q if read_lang == "zh" else found.standalone
        asker = found.standalone if read_lang != found.lang else ""
        first_token: list[float] = []

        def emit(tok: str) -> None:
            if not first_token:
                first_token.append((time.perf_counter() - t0) * 1000)
            if on_token:
                on_token(tok)

        result = Answer(
            question,
            "",
            [],
            [],
            False,
            {
                "provider": self.settings.llm.provider if self.llm else "extractive",
                "model": self.llm.name if self.llm else "extractive",
            },
            {},
            lang=read_lang,
            standalone=found.standalone,
            search_query=found.dense_query,
            flags=list(found.flags),
        )
        splittable = (found.lang == "zh" or translated) and "condensed_by_concat" not in found.flags
        asked = _merge(place_names(zh_q), found.places)
        # "两篇报道分别怎么说": the parts are documents, each read from its own best passages
        # (before any split: "X是多少？两篇报道说法一样吗？" is one question asked of two reports)
        docs = self._documents(asked, zh_q, found.passages, k) if per_document(zh_q) else []
        subs = [zh_q] if len(docs) >= 2 or not splittable else split_question(zh_q)
        parts: list[_Part] = []
        if len(docs) >= 2:
            result.flags.append("per_document")
            each = asked_of_each(zh_q)
            each_read = each if read_lang == "zh" else read_q
            owns = [
                # each document answers for the asked places it is bound to, not the others'
                [a for a in asked if self._bound([a], doc_passages[0]) > 0] or asked
                for doc_passages in docs
            ]
            labels = _document_labels(zh_q, owns, [self.identity(d[0]).name() for d in docs])
            for doc_passages, own, (label, place) in zip(docs, owns, labels, strict=True):
                part = self._part(each_read, each, doc_passages, read_lang, None, own, asker)
                part.label, part.place = label, place
                parts.append(part)
        elif len(subs) > 1:
            result.parts = subs
            result.flags.append(f"split_into_{len(subs)}")
            labels = _place_labels(subs)
            for sub, label in zip(subs, labels, strict=True):
                passages = search(self.index, sub, k=k, literals=quoted_terms(sub))
                asked_q = sub if read_lang == "zh" else f"{read_q}（{sub}）"
                part = self._part(asked_q, sub, passages, read_lang, None, None, asker)
                part.label = label
                part.place = next(iter(place_names(label)), "") if label else ""
                parts.append(part)
        else:
            stream = emit if read_lang == lang else None  # a translation streams instead
            part = self._part(read_q, zh_q, found.passages, read_lang, stream, asked, asker)
            self._other_source(zh_q, part)
            parts.append(part)
        self._combine(result, parts)
        if lang != read_lang:
            self._translate(result, lang, emit, {p.label: p.place for p in parts if p.place})
        if not first_token:  # nothing streamed (extractive, split, refused before reading)
            emit(result.answer)
        result.entities = sorted({e for sub in subs for e in place_names(sub)})
        result.timings = {
            "retrieval_ms": round(found.ms, 1),
            "first_token_ms": round(first_token[0], 1)
            if first_token
            else round((time.perf_counter() - t0) * 1000, 1),
            "total_ms": round((time.perf_counter() - t0) * 1000, 1),
        }
        result.stages = {"retrieval_ms": round(found.ms, 1), **result.stages}
        return result

    def _other_source(self, question: str, part: _Part) -> None:
        """When another (bound) document states the asked figure differently, the answer
        says so and cites both, instead of silently picking one (or mixing them)."""
        if part.refused or not part.checked.grounds:
            return
        n0, ground = part.checked.grounds[0]
        doc = part.passages[n0 - 1].doc_id
        terms = self.terms(question)

        def elsewhere(n: int) -> bool:
            return part.passages[n - 1].doc_id != doc

        def labelled(n: int, sent: str) -> str:
            return f"另据《{self.identity(part.passages[n - 1]).name()}》：{sent}"

        sentences = part.checked.sentences
        for i, (sent, ns) in enumerate(sentences):
            if elsewhere(ns[0]) and other_figure(question, terms, ground, [(ns[0], sent)]):
                sentences[i] = (labelled(ns[0], sent), ns)
                part.flags.append("other_document_differs")
                return
        cited = {n for _, ns in sentences for n in ns}
        candidates = [
            (e.n, sent.strip())
            for e in part.evidence
            if elsewhere(e.n) and e.n not in cited
            for sent in e.sentences()
        ]
        found = other_figure(question, terms, ground, candidates)
        if found:
            sentences.append((labelled(*found), [found[0]]))
            part.checked.grounds.append(found)
            part.flags.append("other_document_differs")

    def _documents(
        self, asked: list[str], question: str, passages: list[Passage], k: int
    ) -> list[list[Passage]]:
        """The two documents (bound to the asked places) that best answer a per-document
        question, in order of their best rank in a wider search, each with its own best
        passages: a second report never reached by the top k is still read."""
        wide = search(self.index, question, k=k * 4)
        order: list[str] = []
        for p in passages + wide:
            if p.doc_id in order:
                continue
            if asked and self._bound(asked, p) == 0:
                continue
            order.append(p.doc_id)
        each = asked_of_each(question)  # within a document, only what is asked of each
        kinds = named_kinds(question)
        candidates = order[: 4 if len(kinds) >= 2 else 2]
        own = {d: search(self.index, each, k=k, doc_ids=[d]) for d in candidates}
        if len(kinds) >= 2:
            order = self._one_of_each_kind(kinds, order, wide, self._answering(asked, each, own))
        return [own.get(d) or search(self.index, each, k=k, doc_ids=[d]) for d in order[:2]]

    def _answering(
        self, asked: list[str], each: str, own: dict[str, list[Passage]]
    ) -> dict[str, float]:
        """How well each document's own best passages answer what is asked of it: the best
        extractive reading score, the same measure the quote is chosen by."""
        terms = self.terms(each)
        scores: dict[str, float] = {}
        for doc, passages in own.items():
            _, evidence = self.evidence(asked, passages)
            ranked = self.extractive.rank(each, evidence, terms) if evidence else []
            scores[doc] = ranked[0][0] if ranked else 0.0
        return scores

    @staticmethod
    def _one_of_each_kind(
        kinds: list[str], order: list[str], wide: list[Passage], answering: dict[str, float]
    ) -> list[str]:
        """ "早先的报道和2023年招商方案": the document whose title names a kind stands for it
        (…实施方案的通知 is the 方案), so two reports never crowd out the plan; a kind no
        title names (a news headline says no 报道) is another document. Of several that
        could stand for a kind, the one whose own passages answer best does: two early
        reports on one park are told apart by what they say, not by a wider search's rank."""
        titles = {p.doc_id: p.title for p in wide}
        titled = {d for d in order if any(kind in titles.get(d, "") for kind in kinds)}
        picked: list[str] = []
        for kind in kinds:
            named = [d for d in order if kind in titles.get(d, "") and d not in picked]
            rest = [d for d in order if d not in titled and d not in picked]
            if named or rest:
                fits = named or rest
                picked.append(max(fits, key=lambda d: (answering.get(d, -1.0), -fits.index(d))))
        return picked + [d for d in order if d not in picked]

    def _part(
        self,
        read_q: str,
        zh_q: str,
        passages: list[Passage],
        lang: str,
        emit: Callable[[str], None] | None,
        asked: list[str] | None = None,
        asker: str = "",
    ) -> _Part:
        """One question against its passages: bind, read, verify, force if needed, decide.

        `asker` is the question as the user wrote it when it is read in translation: what
        it asks for (a quantity, a year) is checked in the user's words, not the model's.
        """
        stages: dict[str, float] = {}
        terms = self.terms(zh_q, translated=bool(asker))
        asker = asker or read_q
        t = time.perf_counter()
        if asked is None:
            asked = place_names(zh_q)
        kept, evidence = self.evidence(asked, passages)
        flags: list[str] = []
        if not evidence:
            flags.append("no_bound_passage" if asked else "no_passages")
            return _Part(read_q, [], [], Checked(), True, 0.0, {}, flags)
        ext = self.extractive.read(zh_q, lang, evidence, terms)
        quoted = self._quote(zh_q, lang, terms, passages, evidence, ext, kept, asker, asked)
        if quoted is not None:
            quoted.stages["decide_ms"] = round((time.perf_counter() - t) * 1000, 1)
            return quoted
        reading: Reading
        forced = False
        if self.llm is None:
            reading = ext  # shown once decided: a quote is not worth streaming
            checked = check(reading.text, evidence, asker, zh_q)
        else:
            assert isinstance(self.reader, LLMReader)
            t_read = time.perf_counter()
            reading = self.reader.read(read_q, lang, evidence, terms, emit)
            stages["read_ms"] = round((time.perf_counter() - t_read) * 1000, 1)
            if 0 < reading.used < len(evidence):  # the prompt was trimmed to fit the window
                kept, evidence = kept[: reading.used], evidence[: reading.used]
            checked = check(reading.text, evidence, asker, zh_q)
            flags += reading.flags
            if reading.refused or not checked.sentences:
                flags.append("llm_refused" if reading.refused else "llm_unsupported")
                top = self._top_passage(ext, evidence)
                if top is not None:
                    t_force = time.perf_counter()
                    text = self.reader.force(read_q, lang, top, terms)
                    stages["force_ms"] = round((time.perf_counter() - t_force) * 1000, 1)
                    forced_check = check(text, evidence, asker, zh_q)
                    if forced_check.sentences and not _is_refusal_text(text):
                        checked, forced = forced_check, True
                        flags.append("forced_answer")
                        if reading.refused:
                            flags.append("llm_refusal_overridden")
                if not forced and ext.text:
                    checked = check(ext.text, evidence, asker, zh_q)
                    flags.append("llm_empty_replaced")
        flags += checked.flags
        features = self._features(
            zh_q, terms, passages, evidence, checked, reading, ext, forced, kept, asked
        )
        if _lacks_kind(zh_q, features) and reading is not ext and _says_more(ext, checked):
            # "文号和印发日期" answered with the 文号 alone: the quote that says what the model
            # said and states the asked date (figure, name) too answers, judged as a quote
            alt = check(ext.text, evidence, asker, zh_q)
            alt_features = self._features(
                zh_q, terms, passages, evidence, alt, ext, ext, False, kept, asked
            )
            in_unit = alt_features.get("unit_match", 0.0) > 0  # 家 asked, 万元 given: none
            if alt.sentences and in_unit and not _lacks_kind(zh_q, alt_features):
                checked, features, reading = alt, alt_features, ext
                flags += ["asked_kind_from_quote", *alt.flags]
        ok, p = self.refusal.answer(features)
        lacks_kind = _lacks_kind(zh_q, features)
        refused = not checked.sentences or not ok or lacks_kind
        if checked.sentences and ok and lacks_kind:
            flags.append("asked_kind_missing")  # no date for "什么时候", no figure for "多少"
        elif checked.sentences and not ok:
            flags.append("refused_by_model")
        elif not checked.sentences:
            flags.append("nothing_supported")
        stages["decide_ms"] = round((time.perf_counter() - t) * 1000, 1)
        part = _Part(
            read_q,
            kept,
            evidence,
            checked,
            refused,
            p,
            features,
            flags,
            raw=reading.text,
            prompt_tokens=reading.prompt_tokens,
        )
        part.stages = stages
        return part

    def _quote(
        self,
        question: str,
        lang: str,
        terms: dict[str, float],
        passages: list[Passage],
        evidence: list[Evidence],
        ext: Reading,
        kept: list[Passage],
        asker: str,
        asked: list[str],
    ) -> _Part | None:
        """The extractive quote as the answer, without a model pass, when its own fitted
        refusal model accepts it (`answer.quote_first`; Chinese readings only: an English
        question is read in its Chinese translation and the answer translated after)."""
        if self.llm is None or lang != "zh" or not self.settings.answer.quote_first:
            return None
        checked = check(ext.text, evidence, asker, question)
        if not checked.sentences:
            return None
        features = self._features(
            question, terms, passages, evidence, checked, ext, ext, False, kept, asked
        )
        ok, p = self.quote_refusal.answer(features)
        if not ok or _lacks_kind(question, features):
            return None  # the model reads it: a quote must state the kind of answer asked
        flags = ["quoted", *checked.flags]
        return _Part(question, kept, evidence, checked, False, p, features, flags, raw=ext.text)

    def _top_passage(self, ext: Reading, evidence: list[Evidence]) -> Evidence | None:
        """The passage the extractive reader's best sentence comes from, if it found one."""
        found = MARKER.findall(ext.text)
        if not found:
            return None
        n = int(re.split(r"[,，、\s]+", found[0])[0])
        return next((e for e in evidence if e.n == n), None)

    def _features(
        self,
        question: str,
        terms: dict[str, float],
        retrieved: list[Passage],
        evidence: list[Evidence],
        checked: Checked,
        reading: Reading,
        ext: Reading,
        forced: bool,
        kept: list[Passage],
        asked: list[str],
    ) -> dict[str, float]:
        cited = checked.cited()
        answer = checked.text()
        f: dict[str, float] = dict.fromkeys(refusal.FEATURES, 0.0)
        f["coverage_best"] = max(
            (coverage(terms, f"{e.heading}\n{e.reading}") for e in evidence), default=0.0
        )
        f["extractive_score"] = ext.score
        f["llm_refused"] = float(reading.refused and reading is not ext)
        f["forced"] = float(forced)
        total = len(checked.sentences) + len(checked.dropped)
        f["dropped"] = len(checked.dropped) / total if total else 1.0
        if not cited:
            return f
        first = min(cited)
        p = kept[first - 1]
        ids = [r.chunk_id for r in retrieved]
        f["cited_rank"] = 1.0 / (ids.index(p.chunk_id) + 1) if p.chunk_id in ids else 0.0
        f["dense_rank"] = 1.0 / p.ranks["dense"] if p.ranks.get("dense") else 0.0
        f["keyword_rank"] = 1.0 / p.ranks["keyword"] if p.ranks.get("keyword") else 0.0
        # the passage sentences verification found each answer sentence resting on: language
        # independent (an English answer is matched to its Chinese sentence by its figures)
        f["coverage_cited"] = max(
            (coverage(terms, f"{evidence[n - 1].heading}\n{s}") for n, s in checked.grounds),
            default=0.0,
        )
        if terms:
            rarest = max(terms, key=lambda t: terms[t])
            near = "".join(
                f"{self.identity(kept[n - 1]).text()}{evidence[n - 1].heading}{s}"
                for n, s in checked.grounds
            ).lower()
            f["rarest_cited"] = float(rarest in near)
        f["binding"] = min(evidence[n - 1].bound for n in cited)
        names = [t for t, kind in content_words(question) if kind == "name"]
        # a per-document part answers for its own place: the other document's is not missing
        others = [p for p in place_names(question) if not among(p, asked)]
        names = [t for t in names if not among(t, others)]
        names += [n for n in re.findall(r"(?:19|20)\d{2}", question) if n not in names]
        if names:
            # a place the passage is bound to is named by it, if only by its part's home
            text = "".join(
                f"{self.identity(kept[n - 1]).text()}{kept[n - 1].heading}{kept[n - 1].text}"
                + "".join(evidence[n - 1].places)
                for n in cited
            ).lower()
            # an abbreviation ("沁阳集聚区" for 沁阳市产业集聚区) names the same thing
            f["names_missing"] = sum(
                1 for t in names if t not in text and not (len(t) >= 4 and loosely_in(t, text))
            ) / len(names)
        ext_n = {int(x) for m in MARKER.findall(ext.text) for x in re.split(r"[,，、\s]+", m) if x}
        if reading is ext:  # the extractive reader agrees with itself
            f["agreement"] = 1.0
        elif ext_n & set(cited):
            ext_figs = set(numbers(ext.text))
            ans_figs = set(numbers(answer))
            f["agreement"] = 1.0 if (ext_figs & ans_figs or not ans_figs) else 0.5
        q_figs = set(numbers(question))
        f["figure_match"] = float(asks_number(question) and bool(set(numbers(answer)) - q_figs))
        f["unit_match"] = unit_match(question, answer)
        f["type_match"] = type_match(question, "\n".join(s for _, s in checked.grounds))
        return {k: round(v, 4) for k, v in f.items()}

    # ---- combining parts into one answer

    def _combine(self, result: Answer, parts: list[_Part]) -> None:
        for part in parts:
            for name, ms in part.stages.items():
                result.stages[name] = round(result.stages.get(name, 0.0) + ms, 1)
        result.prompt_tokens = sum(p.prompt_tokens for p in parts)
        result.raw_answer = "\n".join(p.raw for p in parts if p.raw)
        for p in parts:
            result.flags += [f for f in p.flags if f not in result.flags]
        main = parts[0]
        result.features = main.features
        result.p_answer = round(main.p, 4)
        result.support = round(main.features.get("coverage_best", 0.0), 3)
        passages: list[Passage] = []
        cited: dict[int, list[str]] = {}
        texts: list[str] = []
        candidates: list[str] = []
        shown: set[str] = set()  # one sentence answering two parts is shown once
        for part in parts:
            remap: dict[int, int] = {}
            for e, p in zip(part.evidence, part.passages, strict=True):
                ids = [q.chunk_id for q in passages]
                if p.chunk_id not in ids:
                    passages.append(p)
                    ids.append(p.chunk_id)
                remap[e.n] = ids.index(p.chunk_id) + 1
            sents = [(s, [remap[n] for n in ns]) for s, ns in part.checked.sentences]
            text = Checked(sents).text(result.lang)
            lead = f"{part.label}：" if part.label else ""
            candidates.append(lead + text)
            if part.refused:
                if len(parts) > 1:
                    lead = lead or _about(part.question, result.lang)
                    texts.append(lead + self._refusal_text(result.lang))
                continue
            fresh = [(s, ns) for s, ns in sents if squash(s) not in shown]
            shown |= {squash(s) for s, _ in sents}
            if fresh:
                texts.append(lead + Checked(fresh).text(result.lang))
            for s, ns in sents:
                for n in ns:
                    cited.setdefault(n, []).append(s)
        result.passages = passages if passages else []
        result.candidate = "\n".join(c for c in candidates if c)
        if not cited:
            result.answer = self._refusal_text(result.lang)
            result.refused = True
            result.citations = []
        else:
            sep = "\n" if len(parts) > 1 else ""
            verdict = _verdict(result.standalone, parts, texts)
            result.answer = sep.join(texts + ([verdict] if verdict else []))
            result.citations = self._citations(passages, cited)
        if not result.raw_answer:
            result.raw_answer = result.answer

    def _translate(
        self,
        result: Answer,
        lang: str,
        emit: Callable[[str], None],
        places: dict[str, str] | None = None,
    ) -> None:
        """The checked Chinese answer in English, streamed as the model writes it, then
        checked against the passages like any answer. A multi-part answer is translated one
        part (line) at a time, so each keeps its own marker and check; a part whose
        translation fails is shown as the checked Chinese (labelled), never unchecked.
        A part labelled with a place (`places`: label -> place) goes to the model with the
        place as the question spells it (沁阳 -> "Qinyang：…", where the small model wrote
        "Hyunyang"), and gets it back if the translation leaves it out."""
        assert self.llm is not None  # only a model's reading is in another language
        result.lang = lang
        if result.refused:
            result.answer = self._refusal_text(lang)
            return
        evidence = [
            Evidence(i + 1, p.text, _reading(p), p.heading, 1.0, p.title)
            for i, p in enumerate(result.passages)
        ]
        t = time.perf_counter()
        lines = [line for line in result.answer.split("\n") if line.strip()]
        english = []
        refusal_zh, refusal = self._refusal_text("zh"), self._refusal_text(lang)
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
            line = self._translate_line(result, lang, chinese, evidence, emit, kind)
            if line and spelled and spelled not in line:  # the model left the label out
                line = f"{spelled}: {line}"
            english.append(line)
        lead = CHINESE_LEAD.get(lang, "")
        if all(line == refusal for line in english):
            result.answer, result.refused, result.citations = english[0], True, []
            return
        if all(english):
            result.flags.append("translated_answer")
            result.answer = "\n".join(english)
        else:
            result.flags.append("translation_rejected")
            if not any(english):  # one label for a Chinese answer shown whole
                result.answer = lead + "\n".join(lines)
            else:
                result.answer = "\n".join(
                    e or lead + c for e, c in zip(english, lines, strict=True)
                )
        # a sentence the translation left out takes its citation with it
        shown = markers(result.answer)
        result.citations = [c for c in result.citations if c.n in shown]
        result.stages["translate_ms"] = round((time.perf_counter() - t) * 1000, 1)

    def _translate_line(
        self,
        result: Answer,
        lang: str,
        chinese: str,
        evidence: list[Evidence],
        emit: Callable[[str], None],
        kind: str = "answer",
    ) -> str:
        """One checked Chinese line in `lang`, or "" when its translation fails the check."""
        assert self.llm is not None
        given, figures = figures_in_english(chinese)
        text = prompt(self.settings, f"translate_{kind}_{lang}.txt").format(
            question=result.question, answer=given
        )
        try:
            out = ""
            for tok in self.llm.stream(
                [{"role": "user", "content": text}], self.settings.llm.max_tokens
            ):
                out += tok
                emit(tok)
        except LLMError as exc:
            log.warning("answer translation failed: %s", exc)
            return ""
        if REFUSAL.search(out) and not REFUSAL.search(chinese):
            # "…is not provided in the given Chinese answer": the translator read it and
            # found no answer there; its meta-talk is no translation to show
            result.flags.append("translation_refused")
            return self._refusal_text(lang)
        if not is_english(MARKER.sub("", out)):  # the model wrote the Chinese out again
            result.flags.append("translation_not_english")
            return ""
        checked = check(out, evidence, result.standalone)
        result.flags += [f for f in checked.flags if f not in result.flags]
        if unfaithful([s for s, _ in checked.sentences], chinese, result.standalone):
            if "translation_added_figure" not in result.flags:
                result.flags.append("translation_added_figure")
            return ""
        if checked.sentences and not checked.dropped and not checked.off_target:
            checked.sentences = with_source_list(checked.sentences, chinese)
            return with_source_figures(checked.text(lang), figures)
        return ""

    def _refusal_text(self, lang: str) -> str:
        return prompt(self.settings, f"refusal_{lang}.txt").strip()

    def _citations(self, passages: list[Passage], cited: dict[int, list[str]]) -> list[Citation]:
        out = []
        for n in sorted(cited):
            p = passages[n - 1]
            flat = squash(p.text + _reading(p))
            figs = [x for s in cited[n] for x in numbers(s)]
            supported = all(x in flat for x in figs) and any(
                len(bigrams(s) & bigrams(p.text)) >= 2 for s in cited[n]
            )
            out.append(
                Citation(
                    n,
                    p.doc_id,
                    p.chunk_id,
                    p.heading,
                    p.text,
                    p.score,
                    supported,
                    cited[n],
                    self.identity(p).name(),
                )
            )
        return out


_FIGURE = re.compile(
    r"(-?\d+(?:\.\d+)?)\s*(%|个百分点|亿元|万元|元|万人|人|家|个|万吨|吨|亩|平方公里)?"
)


def _about(question: str, lang: str) -> str:
    """How a refused part is introduced: its question quoted, not run into the refusal."""
    q = question.strip().rstrip("？?。.！!")
    return f"关于「{q}」：" if lang == "zh" else f'On "{q}": '


def _verdict(question: str, parts: list[_Part], texts: list[str]) -> str:
    """For "哪个更快": which part's figure wins, citing both parts' sentences."""
    adjective = comparison(question)
    if not adjective or len(parts) != 2 or any(p.refused for p in parts):
        return ""
    units = asked_units(question)  # "哪个增长更快": the growth rates, not the totals
    pattern = figure_in(units) if units else _FIGURE
    figures = []
    for text in texts:
        m = pattern.search(MARKER.sub("", re.sub(r"(?:19|20)\d{2}年", "", text)))
        if not m:
            return ""
        figures.append((float(m.group(1)), m.group(2) or "", MARKER.findall(text)))
    (a, ua, ma), (b, ub, mb) = figures
    if ua != ub or a == b or not ma or not mb:
        return ""
    names = [(place_names(p.question) or [p.question[:8]])[0] for p in parts]
    smaller = adjective in "少低小慢"
    winner = names[0] if (a > b) != smaller else names[1]
    each = f"{names[0]}{a:g}{ua}，{names[1]}{b:g}{ub}"
    return f"{winner}更{adjective}（{each}）[{ma[0]}][{mb[0]}]。"


def _place_labels(subs: list[str]) -> list[str]:
    """Each part's place, when every part asks about a place of its own: a bulletin says
    "全县生产总值286.47亿元", so "渑水县和澄源县…分别" shows which county each figure is."""
    names = [next(iter(named_subjects(sub).values()), "") for sub in subs]
    if all(names) and len(set(names)) == len(names):
        return names
    return [""] * len(subs)


def _document_labels(
    question: str, owns: list[list[str]], names: list[str]
) -> list[tuple[str, str]]:
    """Each document's part's (label, place): the place it answers for when the question
    asks of several places, one document each ("鹤淇和沁阳的报告分别…" -> 鹤淇：…/沁阳：…):
    that is what was asked, and the citation names the document. Documents about the same
    place are told apart by their names (and have no place of their own)."""
    if all(len(own) == 1 for own in owns) and len({own[0] for own in owns}) == len(owns):
        subjects = named_subjects(question)
        return [(subjects.get(own[0], own[0]), own[0]) for own in owns]
    return [(name, "") for name in names]


def _merge(a: list[str], b: list[str]) -> list[str]:
    """Places of both lists, a place contained in another counted once."""
    out = list(a)
    for p in b:
        if not any(p in q or q in p for q in out):
            out.append(p)
    return out


def _says_more(quote: Reading, checked: Checked) -> bool:
    """The quote contains every passage sentence the checked answer rests on."""
    grounds = [squash(g).rstrip("。；;") for _, g in checked.grounds]
    return bool(grounds) and all(g in squash(quote.text) for g in grounds)


def _lacks_kind(question: str, features: dict[str, float]) -> bool:
    """The question asks for a date, a name or a figure and no cited sentence states one."""
    return bool(asked_types(question)) and features.get("type_match", 0.0) == 0.0


def _is_refusal_text(text: str) -> bool:
    from assistant.answer.text import is_refusal

    return is_refusal(text)
