"""One part: bind -> read -> verify -> (force) -> decide, on the part's own passages.

The extractive quote is always made: it is the answer when no model reads, the first try
when quote-first is on (accepted without a model pass when its own fitted model says so),
a signal for the model's reading (`agreement`), and the fallback when the model finds
nothing the checker accepts.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from assistant.answer.bind import Binder, identity
from assistant.answer.evidence import Checked, Evidence
from assistant.answer.extractive import ExtractiveReader
from assistant.answer.features import Case, features
from assistant.answer.flags import Flag
from assistant.answer.ranker import Candidate, candidates
from assistant.answer.reading import Reader, Reading
from assistant.answer.records import Ask, Asked, Part
from assistant.answer.refusal import RefusalModel
from assistant.answer.rules import RULES, Rule
from assistant.answer.text import MARKER, is_refusal, squash
from assistant.answer.timing import timed
from assistant.answer.verify import check, other_figure


def says_more(quote: Reading, checked: Checked) -> bool:
    """The quote contains every passage sentence the checked answer rests on."""
    grounds = [squash(g).rstrip("。；;") for _, g in checked.grounds]
    return bool(grounds) and all(g in squash(quote.text) for g in grounds)


def lacks_kind(asked: Asked, feats: dict[str, float]) -> bool:
    """The question asks for a date, a name or a figure and no cited sentence states one."""
    return bool(asked.kinds) and feats.get("type_match", 0.0) == 0.0


def top_passage(quote: Reading, evidence: list[Evidence]) -> Evidence | None:
    """The passage the extractive reader's best sentence comes from, if it found one."""
    found = MARKER.findall(quote.text)
    if not found:
        return None
    n = int(re.split(r"[,，、\s]+", found[0])[0])
    return next((e for e in evidence if e.n == n), None)


def other_source(question: str, part: Part, terms: dict[str, float]) -> None:
    """When another (bound) document states the asked figure differently, the answer
    says so and cites both, instead of silently picking one (or mixing them)."""
    if part.refused or not part.checked.grounds:
        return
    n0, ground = part.checked.grounds[0]
    doc = part.passages[n0 - 1].doc_id

    def elsewhere(n: int) -> bool:
        return part.passages[n - 1].doc_id != doc

    def labelled(n: int, sent: str) -> str:
        return f"另据《{identity(part.passages[n - 1]).name()}》：{sent}"

    sentences = part.checked.sentences
    for i, (sent, ns) in enumerate(sentences):
        if elsewhere(ns[0]) and other_figure(question, terms, ground, [(ns[0], sent)]):
            sentences[i] = (labelled(ns[0], sent), ns)
            part.flags.append(Flag.OTHER_DOCUMENT_DIFFERS)
            return
    cited = {n for _, ns in sentences for n in ns}
    candidates = [
        (e.n, sent.strip())
        for e in part.evidence
        if elsewhere(e.n) and e.n not in cited
        for sent in e.pieces()
    ]
    found = other_figure(question, terms, ground, candidates)
    if found:
        e = next(e for e in part.evidence if e.n == found[0])
        found = (found[0], e.whole(found[1]))  # quoted whole
        sentences.append((labelled(*found), [found[0]]))
        part.checked.grounds.append(found)
        part.flags.append(Flag.OTHER_DOCUMENT_DIFFERS)


def accepted_quote(
    case: Case, quote: Reading, checked: Checked, model: RefusalModel
) -> Part | None:
    """The checked extractive quote as the part, without a model pass, when its own fitted
    refusal model (`model`) accepts it and it states the kind of answer asked."""
    if not checked.sentences:
        return None
    feats = features(case, checked, quote, quote, False)
    ok, p = model.answer(feats)
    if not ok or lacks_kind(case.asked, feats):
        return None  # the model reads it: a quote must state the kind of answer asked
    return Part(
        question=case.question,
        passages=case.kept,
        evidence=case.evidence,
        checked=checked,
        refused=False,
        p=p,
        features=feats,
        flags=[Flag.QUOTED, *checked.flags],
        raw=quote.text,
        quoted=True,
    )


class PartReader:
    """Ask -> Part: read, checked and decided (answer or refuse) on its own evidence."""

    def __init__(
        self,
        reader: Reader,
        extractive: ExtractiveReader,
        binder: Binder,
        terms: Callable[[str, bool], dict[str, float]],
        refusal: RefusalModel,
        quote_refusal: RefusalModel,
        rules: tuple[Rule, ...] = RULES,
    ) -> None:
        self.reader = reader
        self.extractive = extractive
        self.binder = binder
        self.terms = terms
        self.refusal = refusal
        self.quote_refusal = quote_refusal  # quote-first: judged by the model fitted for quotes
        self.rules = rules

    def _check(self, text: str, evidence: list[Evidence], asker: str, zh: str) -> Checked:
        return check(text, evidence, asker, zh, self.rules)

    def candidates(self, ask: Ask) -> list[Candidate]:
        """The sentences the extractive reader would judge for `ask`, with their features:
        what the ranker is fitted on (`fitting.ranker_rows`)."""
        _, evidence = self.binder.evidence(ask.places, ask.passages)
        return candidates(ask.zh, evidence, self.terms(ask.zh, bool(ask.asker)), ask.asked)

    def read(self, ask: Ask, emit: Callable[[str], None] | None) -> Part:
        part = self._read(ask, emit if ask.stream else None)
        if ask.whole:
            other_source(ask.zh, part, self.terms(ask.zh, False))
        return part

    def _read(self, ask: Ask, emit: Callable[[str], None] | None) -> Part:
        """`asker` is the question as the user wrote it when it is read in translation: what
        it asks for (a quantity, a year) is checked in the user's words, not the model's."""
        stages: dict[str, float] = {}
        zh, lang = ask.zh, ask.lang
        terms = self.terms(zh, bool(ask.asker))
        asker = ask.asker or ask.read
        labelled = {"label": ask.label, "place": ask.place, "stages": stages}
        with timed(stages, "decide_ms"):
            kept, evidence = self.binder.evidence(ask.places, ask.passages)
            if not evidence:
                flag = Flag.NO_BOUND_PASSAGE if ask.places else Flag.NO_PASSAGES
                return Part(question=ask.read, flags=[flag], **labelled)
            quote = self.extractive.read(zh, lang, evidence, terms, asked=ask.asked)
            case = Case(
                question=zh,
                asked=ask.asked,
                terms=terms,
                retrieved=ask.passages,
                kept=kept,
                evidence=evidence,
                places=ask.places,
            )
            # quote-first (Chinese readings only: an English question is read in its Chinese
            # translation and the answer translated after)
            quoted = None
            if self.reader.quote_first and lang == "zh":
                checked = self._check(quote.text, evidence, asker, zh)
                quoted = accepted_quote(case, quote, checked, self.quote_refusal)
            if quoted is not None:
                return replace(quoted, **labelled)
            flags: list[str] = []
            forced = False
            with timed(stages, "read_ms"):  # ~0 when the quote is the reading
                reading = self.reader.read(ask.read, lang, evidence, terms, emit, quote=quote)
            if 0 < reading.used < len(evidence):  # the prompt was trimmed to fit the window
                kept, evidence = kept[: reading.used], evidence[: reading.used]
                case = replace(case, kept=kept, evidence=evidence)
            checked = self._check(reading.text, evidence, asker, zh)
            flags += reading.flags
            if reading.by_model and (reading.refused or not checked.sentences):
                retried, forced = self._force(ask, case, reading, quote, asker, flags, stages)
                checked = retried or checked
            flags += checked.flags
            feats = features(case, checked, reading, quote, forced)
            if lacks_kind(ask.asked, feats) and reading.by_model and says_more(quote, checked):
                # "文号和印发日期" answered with the 文号 alone: the quote that says what the
                # model said and states the asked date (figure, name) too answers, as a quote
                alt = self._check(quote.text, evidence, asker, zh)
                alt_features = features(case, alt, quote, quote, False)
                in_unit = alt_features.get("unit_match", 0.0) > 0  # 家 asked, 万元 given: none
                if alt.sentences and in_unit and not lacks_kind(ask.asked, alt_features):
                    checked, feats, reading = alt, alt_features, quote
                    flags += [Flag.ASKED_KIND_FROM_QUOTE, *alt.flags]
            ok, p = self.refusal.answer(feats)
            missing_kind = lacks_kind(ask.asked, feats)
            refused = not checked.sentences or not ok or missing_kind
            if checked.sentences and ok and missing_kind:
                flags.append(
                    Flag.ASKED_KIND_MISSING
                )  # no date for "什么时候", no figure for "多少"
            elif checked.sentences and not ok:
                flags.append(Flag.REFUSED_BY_MODEL)
            elif not checked.sentences:
                flags.append(Flag.NOTHING_SUPPORTED)
        return Part(
            question=ask.read,
            passages=kept,
            evidence=evidence,
            checked=checked,
            refused=refused,
            p=p,
            features=feats,
            flags=flags,
            raw=reading.text,
            prompt_tokens=reading.prompt_tokens,
            **labelled,
        )

    def _force(
        self,
        ask: Ask,
        case: Case,
        reading: Reading,
        quote: Reading,
        asker: str,
        flags: list[str],
        stages: dict[str, float],
    ) -> tuple[Checked | None, bool]:
        """After a model's refusal (or nothing it said surviving the check): its forced
        re-ask on the quote's passage, verified, else the quote itself (None: neither)."""
        flags.append(Flag.LLM_REFUSED if reading.refused else Flag.LLM_UNSUPPORTED)
        top = top_passage(quote, case.evidence)
        checked: Checked | None = None
        forced = False
        if top is not None:
            with timed(stages, "force_ms"):
                text = self.reader.force(ask.read, ask.lang, top, case.terms)
            forced_check = self._check(text, case.evidence, asker, case.question)
            if forced_check.sentences and not is_refusal(text):
                checked, forced = forced_check, True
                flags.append(Flag.FORCED_ANSWER)
                if reading.refused:
                    flags.append(Flag.LLM_REFUSAL_OVERRIDDEN)
        if not forced and quote.text:
            checked = self._check(quote.text, case.evidence, asker, case.question)
            flags.append(Flag.LLM_EMPTY_REPLACED)
        return checked, forced
