"""Readers: numbered passages + a question -> a draft answer with [n] markers.

One interface, two implementations: `LLMReader` over any `assistant.llm` model (local
llama.cpp, an OpenAI-compatible server, LangChain) and `ExtractiveReader`, which quotes the
best-supported sentences and needs no model. Both implement all of `Reader` (the forced
re-ask and the short rewrites included), so the pipeline never asks which one it has. A
draft is only a draft: the verifier and the refusal model decide what reaches the user.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Protocol

from assistant.answer.evidence import Evidence
from assistant.answer.flags import Flag
from assistant.answer.query import (
    asked_types,
    asked_unit_families,
    asks_several,
    content_words,
    coverage,
    figure_in,
    quoted_terms,
    type_match,
    unit_match,
)
from assistant.answer.tables import (
    ASKS_TOTAL,
    TOTAL_ROWS,
    asks_extreme,
    caption,
    extreme_row,
    label_named,
    row_label,
)
from assistant.answer.text import (
    NUMBER,
    OFFICIAL_LABEL,
    bigrams,
    finished,
    is_refusal,
    passage_sentences,
    prompt,
    squash,
)
from assistant.answer.verify import difference
from assistant.config import Settings
from assistant.identity import named_subjects
from assistant.llm import LLM, LLMError, Message

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
    ) -> Reading:
        """A draft from the numbered passages; `quote` is the extractive reading, if made."""
        ...

    def force(self, question: str, lang: str, evidence: Evidence, terms: dict[str, float]) -> str:
        """A re-ask on one passage alone after a refusal ("" when there is nothing to add)."""
        ...

    def write(self, text: str, max_tokens: int, emit: Callable[[str], None] | None = None) -> str:
        """The model's reply to one user message (rewrites, translations); "" without one.
        Raises LLMError when the model fails."""
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
        text = "".join(_tee(self.llm.stream(messages, cfg.max_tokens), emit))
        return Reading(
            text,
            refused=is_refusal(text),
            prompt_tokens=tokens,
            flags=flags,
            used=len(evidence),
            by_model=True,
        )

    def write(self, text: str, max_tokens: int, emit: Callable[[str], None] | None = None) -> str:
        return "".join(_tee(self.llm.stream([{"role": "user", "content": text}], max_tokens), emit))

    def force(self, question: str, lang: str, evidence: Evidence, terms: dict[str, float]) -> str:
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
            text = "".join(_prefixed(self.llm, messages, prefix, self.settings.llm.max_tokens))
        except LLMError as exc:
            log.warning("forced re-ask failed: %s", exc)
            return ""
        return re.sub(r"\[1\]", f"[{evidence.n}]", prefix + text)


def reader_for(settings: Settings, llm: LLM | None) -> Reader:
    """The reader of the configured provider: a model's, or the extractive one without."""
    return LLMReader(settings, llm) if llm is not None else ExtractiveReader(settings)


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


# A question asking what something is or which ones there are, and a sentence that says
# it: "主导产业为…", "确定了…四大主导产业", "…和新能源等产业集聚区主导产业".
_ASKS_WHAT = re.compile(r"是什么|是哪些|有哪些|哪几|指什么|包括什么|包括哪")


def _defines(terms: list[str], sentence: str) -> bool:
    """The sentence says what one of the terms is ("X为…", "X：…") or counts and lists them
    ("四大X", "…等X"), rather than only using the word ("X集中区")."""
    for t in terms:
        said = re.escape(t)
        if re.search(rf"{said}(?:为|是|有|包括|主要有|：|:)", sentence):
            return True
        if re.search(
            rf"(?:[一二三四五六七八九十两\d]+(?:大|个|类|项)|等)[\u4e00-\u9fff]{{0,8}}{said}",
            sentence,
        ):
            return True
    return False


def _bound_names(subjects: dict[str, str], e: Evidence) -> str:
    """The full names of the asked places the passage is bound to: it has said them."""
    return "".join(full for place, full in subjects.items() if place in e.places)


def _credit(terms: dict[str, float], subjects: dict[str, str], e: Evidence, sent: str) -> float:
    """A passage bound to the asked place speaks for its name: the sentence that repeats
    "安阳高新技术产业集聚区" says no more about "标准化厂房投资" than the one that does not."""
    named = _bound_names(subjects, e)
    if not named:
        return 0.0
    return coverage(terms, named + sent) - coverage(terms, sent)


class ExtractiveReader:
    """No model: the sentences (or self-described table rows) that cover the question best."""

    name = provider = kind = "extractive"
    translates = False
    quote_first = False  # its reading is the quote

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def force(self, question: str, lang: str, evidence: Evidence, terms: dict[str, float]) -> str:
        """Nothing to add: the quote already is the best sentence of every passage."""
        return ""

    def write(self, text: str, max_tokens: int, emit: Callable[[str], None] | None = None) -> str:
        """No model, no rewrite: a follow-up is completed and a question searched without."""
        return ""

    @staticmethod
    def _rows_with_figure(question: str, evidence: list[Evidence]) -> list[tuple[int, str]]:
        """ "哪些乡镇的目标是107000万元": every table row of the top passage with that figure."""
        if not re.search(r"哪些|哪几|哪个|which", question, re.I):
            return []
        figures = [f for f in NUMBER.findall(question) if not re.fullmatch(r"(?:19|20)\d{2}", f)]
        if not figures:
            return []
        for e in evidence:
            rows = [
                (e.n, s.strip() if re.search(r"[。！？；]$", s.strip()) else s.strip() + "。")
                for s in e.sentences()
                if "｜" in s
                and any(re.search(rf"(?<![\d.]){re.escape(f)}(?![\d.])", s) for f in figures)
            ]
            if rows:
                return rows[:10]
        return []

    @staticmethod
    def _extreme_row(question: str, evidence: list[Evidence]) -> Reading | None:
        """ "哪个乡镇的省外资金目标最大": the rows at that end of the named column, over every
        row the passages hold (`tables.extreme_row`), scored by how well the column is named."""
        if not asks_extreme(question):
            return None  # every reading passes here: no sentence splitting for nothing
        rows = [(e, s.strip()) for e in evidence for s in e.sentences() if "｜" in s]
        found = extreme_row(question, [s for _, s in rows])
        if not found:
            return None
        ends, share = found
        parts = []
        for row in ends[:10]:
            e = next(e for e, s in rows if s == row)
            said = f"{caption(e.heading)}：{row}" if e.heading and not parts else row
            parts.append(f"{said.rstrip('。')}。[{e.n}]")
        return Reading("".join(parts), score=share)

    def rank(
        self, question: str, evidence: list[Evidence], terms: dict[str, float]
    ) -> list[tuple[float, int, str]]:
        """(score, passage number, sentence), best first."""
        kinds = asked_types(question)
        literals = quoted_terms(question)
        total = bool(ASKS_TOTAL.search(question))
        subjects = named_subjects(question)
        # what is asked to be named: the question's rarer nouns ("产业" is in every report)
        what = _ASKS_WHAT.search(question)
        nouns = [t for t, kind in content_words(question) if kind == "noun"]
        defined = [t for t in nouns if terms.get(t, 0.0) >= 1.0] if what else []
        scored: list[tuple[float, int, str]] = []
        for rank, e in enumerate(evidence):
            for sent in e.sentences():
                sent = sent.strip()
                if not sent or squash(sent) in squash(e.heading) or len(squash(sent)) < 6:
                    continue  # a caption or table title repeated in the heading answers nothing
                score = (
                    coverage(terms, sent)
                    + _credit(terms, subjects, e, sent)
                    + 0.15 * coverage(terms, e.heading)
                    - 0.03 * rank
                )
                if defined and _defines(defined, sent):
                    score += 0.3  # says what the asked thing is, or lists them
                if kinds:  # states the kind of answer asked for: a date, a name, a figure
                    score += 0.1 * type_match(question, sent)
                if (label := OFFICIAL_LABEL.match(sent)) and not (
                    "date" in kinds or any(t in label.group(1) for t in terms)
                ):
                    score -= 0.3  # a 文号/落款/出版日期 answers only what asks for it
                score -= 0.4 * (1.0 - e.bound)  # about another place than the one asked
                low = sent.lower()
                if literals and all(t in low for t in literals):
                    score += 0.2  # states the quoted wording itself
                    if any(re.match(rf"{re.escape(t)}(?:[：:]|是指|即)", low) for t in literals):
                        score += 1.0  # "一带：白沙河景观绿化带" defines it: nothing says more
                if name := row_label(sent):  # a described table row: the row the question names
                    if total and name in TOTAL_ROWS:
                        score += 0.5  # "加起来/一共/in total" is the table's own sum
                    elif bigrams(name):
                        named = label_named(name, question)
                        # a row the question does not name answers about another item
                        score += 0.5 * named if named >= 0.5 else 0.5 * named - 0.2
                elif not re.search(r"[。！？；;!?]$", sent) and len(sent) < 60:
                    score -= 0.25  # a title or caption states nothing
                if re.search(r"[：:]$", sent):
                    score -= 0.25  # "按下表给予奖励：" introduces what follows, says nothing
                scored.append((score, e.n, sent))
        scored.sort(key=lambda s: -s[0])
        return scored

    def read(
        self,
        question: str,
        lang: str,
        evidence: list[Evidence],
        terms: dict[str, float],
        emit: Callable[[str], None] | None = None,
        quote: Reading | None = None,
    ) -> Reading:
        if quote is not None:
            return quote  # already read: the decision needs the quote whichever reader reads
        listed = self._rows_with_figure(question, evidence)
        if listed:
            text = "".join(f"{sent}[{n}]" for n, sent in listed)
            return Reading(text, score=1.0)
        if end := self._extreme_row(question, evidence):
            if emit:
                emit(end.text)
            return end
        ranked = scored = self.rank(question, evidence, terms)
        # a sentence without the asked date or figure answers nothing; when none states
        # it, the best one stands alone (and the decision will judge it)
        fitting = True
        if asked_types(question):
            stating = [c for c in scored if type_match(question, c[2]) > 0]
            fitting = bool(stating)
            scored = stating or scored
            # "栽了多少棵树": of the sentences with a figure, those giving it in 棵
            in_unit = [c for c in scored if unit_match(question, c[2]) == 1.0]
            scored = in_unit or scored
            # "生产总值是多少，增长多少": the sentence giving the amount and the rate
            families = asked_unit_families(question)
            if len(families) > 1:
                whole = [c for c in scored if all(figure_in(f).search(c[2]) for f in families)]
                scored = whole or scored
        if not scored or scored[0][0] < 0.1:
            return Reading("", refused=True, score=scored[0][0] if scored else 0.0)
        several = asks_several(question)
        by_n = {e.n: e for e in evidence}
        best = [scored[0]]
        for cand in scored[1:8]:
            enough = cand[0] >= (0.6 if several else 0.85) * best[0][0]
            fresh = all(cand[1] != b[1] and squash(cand[2]) != squash(b[2]) for b in best)
            # an added sentence must state the kind of answer asked, in the asked unit: a
            # "多少钱" question gains nothing from a photo caption naming the same place
            fits = fitting and unit_match(question, cand[2]) > 0
            if enough and fresh and fits and len(best) < (3 if several else 2):
                best.append(cand)
        # "文号和印发日期": a sentence of a chosen passage that states what the chosen ones
        # leave out (a quarter of the question's weight) completes the answer, whatever
        # kind of answer it gives (a 文号 is no date)
        named = _bound_names(named_subjects(question), by_n[best[0][1]])  # said (`_credit`)
        for cand in ranked[:12]:
            if len(best) >= 3:
                break
            quoted = "".join(b[2] for b in best) + named
            if (
                any(cand[1] == b[1] for b in best)
                and cand[0] >= 0.5 * best[0][0]
                and squash(cand[2]) not in squash(quoted)
                and coverage(terms, quoted + cand[2]) - coverage(terms, quoted) >= 0.25
            ):
                best.append(cand)
        lead = CHINESE_LEAD.get(lang, "")
        parts = []
        said: list[str] = []
        for _, n, sent in best:
            sent = finished(sent, by_n[n].reading)
            if any(squash(sent) in s for s in said):
                continue  # the rest of a sentence already quoted whole
            said.append(squash(sent))
            sent = sent.rstrip("。；;")
            if gap := difference(question, sent):  # "低多少个百分点": the two figures' gap
                sent += f"，相差{gap}"
            if "｜" in sent and by_n[n].heading:  # a table row: say which table
                sent = f"{caption(by_n[n].heading)}：{sent}"
            if not re.search(r"[。！？!?]$", sent):
                sent += "。"
            parts.append(f"{sent}[{n}]")
        text = lead + "".join(parts)
        if emit:
            emit(text)
        # judged as the sentence's own words: the bound place's credit orders sentences of
        # bound passages, it does not make an unanswerable question look answered
        top = scored[0]
        credit = _credit(terms, named_subjects(question), by_n[top[1]], top[2])
        return Reading(text, score=top[0] - credit)
