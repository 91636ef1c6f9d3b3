"""One part: bind -> read -> verify -> (force) -> decide, on the part's own passages.

The extractive quote is always made: it is the answer when no model reads, the first try
when quote-first is on (accepted without a model pass when its own fitted model says so),
a signal for the model's reading (`agreement`), and the fallback when the model finds
nothing the checker accepts.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from assistant.answer.bind import Binder, identity
from assistant.answer.budget import Budget
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


def other_source(question: str, part: Part, terms: dict[str, float]) -> Part:
    """When another (bound) document states the asked figure differently, the answer
    says so and cites both, instead of silently picking one (or mixing them): the part
    with that sentence labelled ("另据《…》：") or added; the part itself otherwise."""
    if part.refused or not part.checked.grounds:
        return part
    n0, ground = part.checked.grounds[0]
    doc = part.passages[n0 - 1].doc_id

    def elsewhere(n: int) -> bool:
        return part.passages[n - 1].doc_id != doc

    def labelled(n: int, sent: str) -> str:
        return f"另据《{identity(part.passages[n - 1]).name()}》：{sent}"

    def differing(sentences: list[tuple[str, list[int]]], grounds: list[tuple[int, str]]) -> Part:
        checked = replace(part.checked, sentences=sentences, grounds=grounds)
        return replace(part, checked=checked, flags=[*part.flags, Flag.OTHER_DOCUMENT_DIFFERS])

    sentences = list(part.checked.sentences)
    for i, (sent, ns) in enumerate(sentences):
        if elsewhere(ns[0]) and other_figure(question, terms, ground, [(ns[0], sent)]):
            sentences[i] = (labelled(ns[0], sent), ns)
            return differing(sentences, list(part.checked.grounds))
    cited = {n for _, ns in sentences for n in ns}
    candidates = [
        (e.n, sent.strip())
        for e in part.evidence
        if elsewhere(e.n) and e.n not in cited
        for sent in e.pieces()
    ]
    found = other_figure(question, terms, ground, candidates)
    if not found:
        return part
    e = next(e for e in part.evidence if e.n == found[0])
    found = (found[0], e.whole(found[1]))  # quoted whole
    return differing([*sentences, (labelled(*found), [found[0]])], [*part.checked.grounds, found])


@dataclass(frozen=True)
class Judged:
    """The checked extractive quote of a part, judged by the refusal model fitted for
    quotes: the answer without a model pass, the fallback when the budget runs out, and
    the gate that keeps a hopeless question from waiting on the model."""

    reading: Reading
    checked: Checked
    features: dict[str, float]
    ok: bool  # the fitted model's verdict
    p: float

    def accepted(self, asked: Asked) -> bool:
        """Sentences survived the check, the model accepts them, and they state the kind
        of answer asked (a quote without the asked date or figure goes to the model)."""
        return bool(self.checked.sentences) and self.ok and not lacks_kind(asked, self.features)

    def part(self, case: Case, refused: bool, flags: list[str]) -> Part:
        return Part(
            question=case.question,
            passages=case.kept,
            evidence=case.evidence,
            checked=self.checked,
            refused=refused,
            p=self.p,
            features=self.features,
            flags=[*flags, *self.checked.flags],
            raw=self.reading.text,
            quoted=not refused,
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
        floor: float = 0.0,
        read_translated: bool = True,
    ) -> None:
        self.reader = reader
        self.extractive = extractive
        self.binder = binder
        self.terms = terms
        self.refusal = refusal
        self.quote_refusal = quote_refusal  # quote-first: judged by the model fitted for quotes
        self.rules = rules
        self.floor = floor  # below this quote probability the part is refused unread
        self.read_translated = read_translated  # `answer.read_translated`

    def check(self, text: str, evidence: list[Evidence], asker: str, zh: str) -> Checked:
        """`verify.check` with this reader's off-target rules."""
        return check(text, evidence, asker, zh, self.rules)

    def candidates(self, ask: Ask) -> list[Candidate]:
        """The sentences the extractive reader would judge for `ask`, with their features:
        what the ranker is fitted on (`fitting.ranker_rows`)."""
        _, evidence = self.binder.evidence(ask.places, ask.passages)
        return candidates(ask.zh, evidence, self.terms(ask.zh, bool(ask.asker)), ask.asked)

    def read(
        self, ask: Ask, emit: Callable[[str], None] | None, budget: Budget | None = None
    ) -> Part:
        part = self._read(ask, emit if ask.stream else None, budget or Budget())
        if ask.whole:
            return other_source(ask.zh, part, self.terms(ask.zh, False))
        return part

    def _judge(self, case: Case, quote: Reading, asker: str) -> Judged:
        checked = self.check(quote.text, case.evidence, asker, case.question)
        feats = features(case, checked, quote, quote, False)
        ok, p = self.quote_refusal.answer(feats)
        return Judged(quote, checked, feats, ok, p)

    def _read(self, ask: Ask, emit: Callable[[str], None] | None, budget: Budget) -> Part:
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
            judged = self._judge(case, quote, asker)
            # quote-first (Chinese readings only: an English question is read in its Chinese
            # translation and the answer translated after)
            if self.reader.quote_first and lang == "zh" and judged.accepted(ask.asked):
                return replace(judged.part(case, False, [Flag.QUOTED]), **labelled)
            if judged.p < self.floor:
                # evidence this weak is refused at once: on corpus3 dev the model's reading
                # turned no such question into a right answer (`answer.model_floor`)
                return replace(judged.part(case, True, [Flag.QUOTE_TOO_WEAK]), **labelled)
            if ask.asker and not self.read_translated:
                # read in the model's translation of the user's words: the checked quote if
                # it stands, else a refusal, at once (`answer.read_translated`)
                ok = judged.accepted(ask.asked)
                return replace(judged.part(case, not ok, [Flag.TRANSLATED_NOT_READ]), **labelled)
            flags: list[str] = []
            forced = False
            with timed(stages, "read_ms"):  # ~0 when the quote is the reading
                reading = self.reader.read(
                    ask.read, lang, evidence, terms, emit, quote=quote, budget=budget
                )
            if reading.spent:  # out of time: the checked quote if it stands, else a refusal
                ok = judged.accepted(ask.asked)
                return replace(judged.part(case, not ok, [Flag.BUDGET_SPENT]), **labelled)
            if 0 < reading.used < len(evidence):  # the prompt was trimmed to fit the window
                kept, evidence = kept[: reading.used], evidence[: reading.used]
                case = replace(case, kept=kept, evidence=evidence)
            # the quote as the reading (the extractive reader) was checked when judged
            if reading is quote:
                checked = judged.checked
            else:
                checked = self.check(reading.text, evidence, asker, zh)
            flags += reading.flags
            if reading.by_model and (reading.refused or not checked.sentences):
                with timed(stages, "force_ms"):
                    retried, forced = force_reading(
                        self.reader, self.check, ask, case, reading, judged, flags, budget
                    )
                checked = retried or checked
            flags += checked.flags
            feats = features(case, checked, reading, quote, forced)
            if lacks_kind(ask.asked, feats) and reading.by_model and says_more(quote, checked):
                # "文号和印发日期" answered with the 文号 alone: the quote that says what the
                # model said and states the asked date (figure, name) too answers, as a quote
                alt, alt_features = judged.checked, judged.features
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


def force_reading(
    reader: Reader,
    check_with: Callable[[str, list[Evidence], str, str], Checked],
    ask: Ask,
    case: Case,
    reading: Reading,
    judged: Judged,
    flags: list[str],
    budget: Budget,
) -> tuple[Checked | None, bool]:
    """After a model's refusal (or nothing it said surviving the check): its forced
    re-ask on the quote's passage, verified, else the checked quote itself (None: neither)."""
    flags.append(Flag.LLM_REFUSED if reading.refused else Flag.LLM_UNSUPPORTED)
    top = top_passage(judged.reading, case.evidence)
    if top is not None:
        text = reader.force(ask.read, ask.lang, top, case.terms, budget)
        forced_check = check_with(text, case.evidence, ask.asker or ask.read, case.question)
        if forced_check.sentences and not is_refusal(text):
            flags.append(Flag.FORCED_ANSWER)
            if reading.refused:
                flags.append(Flag.LLM_REFUSAL_OVERRIDDEN)
            return forced_check, True
    if not judged.reading.text:
        return None, False
    flags.append(Flag.LLM_EMPTY_REPLACED)
    return judged.checked, False
