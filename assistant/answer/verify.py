"""An answer checked against its evidence, sentence by sentence. Pure functions.

Every figure, date and quoted name of an answer sentence must occur in a cited sentence
of a passage bound to the asked document; a sentence that fails is dropped. A sentence
without a marker gets the passage that carries its facts and words, or is dropped. What
is left is never a bare "[1][2]": a sentence needs words besides its markers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from assistant.answer.evidence import Checked, Evidence
from assistant.answer.flags import Flag
from assistant.answer.kinds import UNITS, asked_units, figure_in, unit_family
from assistant.answer.query import coverage
from assistant.answer.rules import RULES, STATED_YEAR, Rule, Target, off_target
from assistant.answer.text import (
    CJK,
    MARKER,
    SCALES,
    bigrams,
    english_value,
    markers,
    numbers,
    sentences,
    squash,
    ungrouped,
)

_EN_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_QUOTED = re.compile(r"[“\"《「]([^”\"》」]{2,30})[”\"》」]")
_ORDINAL = re.compile(r"(?:^|\s)\d[.、)]\s")
# A sentence that only announces what follows ("… industries are.", "主要包括：") says nothing
# once what followed is gone.
_HOLLOW = re.compile(
    r"(?:\b(?:are|is|include|includes|including|as follows)|包括|如下|分别是|分别为|主要有)"
    r"\s*[:：.。]?\s*$",
    re.I,
)


def _values(text: str, english: bool) -> set[float]:
    """Numeric values a text states, with Chinese (万, 亿; "4800多万" too) or English
    (million) scales."""
    out: set[float] = set()
    pattern = r"(\d+(?:\.\d+)?)\s*(?:余|多)?(万|亿|千|百|thousand|million|billion|trillion)?"
    for m in re.finditer(pattern, ungrouped(text), re.I):
        v = float(m.group(1))
        out.add(v)
        unit = (m.group(2) or "").lower()
        if unit in SCALES:
            out.add(v * SCALES[unit])
        if english and unit in _EN_SCALE:
            out.add(v * _EN_SCALE[unit])
    return out


def facts(sentence: str) -> list[str]:
    """The figures and quoted names a sentence states (list numbers "1." excluded)."""
    clean = _ORDINAL.sub(" ", MARKER.sub("", sentence))
    return numbers(clean) + [q for q in _QUOTED.findall(clean)]


def is_english(text: str) -> bool:
    """Written mostly in Latin letters: "500亿元" alone is Chinese, and an English sentence
    that keeps a Chinese name or two ("attracts 整车制造 and 新能源汽车 enterprises") is still
    English, its figures read with English scales."""
    latin = len(re.findall(r"[A-Za-z]", text))
    return latin >= 2 and latin > 2 * len(CJK.findall(text))


def support(sentence: str, evidence: Evidence, question: str = "") -> str | None:
    """The passage sentence that holds every fact of the answer sentence (or the question
    does), comparing figures by value so "80,000" matches "8万", the closest in wording when
    several do: "" when the sentence states no fact to check, None when none holds them all."""
    bare = MARKER.sub("", sentence)
    english = is_english(bare)
    needed = [f for f in facts(sentence) if squash(f) not in squash(question)]
    if not needed:
        return ""
    sents = evidence.sentences() or [evidence.reading]
    holding = []
    for sent in sents:
        s = f"{evidence.heading}\n{sent}"  # a row's table caption ("2023年…分解表") describes it
        flat = squash(s)
        vals = _values(s, english=False)
        ok = True
        for f in needed:
            if (
                _holds_fact(f, s)
                and _same_sign(f, sentence, flat)
                and _same_unit(f, sentence, s)
                and _same_direction(f, sentence, sent)
            ):
                continue
            if _derived(f, s, question):
                continue
            if re.fullmatch(r"[\d.]+", f) and english:
                want = _values(_with_scale(sentence, f), english=True)
                if any(abs(w - v) <= 1e-6 * max(1.0, abs(v)) for w in want for v in vals):
                    continue
            ok = False
            break
        if ok:
            holding.append(sent)
    # of the sentences holding the figures, the one the answer restates: two table rows can
    # both read "签订项目：3个｜引进亿元以上项目：1个"
    answer = bigrams(bare)
    return max(holding, key=lambda h: len(bigrams(h) & answer)) if holding else None


_UNIT = re.compile(rf"\s*(?:余|多|来)?\s*({'|'.join(map(re.escape, UNITS))})")
# "比2023年低多少个百分点", "两者相差多少": a figure the passage does not state but two of
# its figures give.
_ASKS_DIFFERENCE = re.compile(
    r"(?:比|较|与|和|跟)[^，,。？?]{0,24}?(?:高|低|多|少|大|小|快|慢)了?多少|相差|差距|差额|差多少"
)


def _units_of(figure: str, text: str) -> list[str]:
    """The unit after each whole-number occurrence of the figure ("" where none follows)."""
    flat = ungrouped(MARKER.sub("", text))
    out = []
    for m in re.finditer(rf"(?<![\d.]){re.escape(figure)}(?!\.?\d)", flat):
        u = _UNIT.match(re.sub(r"^\s*[万亿千百]", "", flat[m.end() :]))  # 8万人: 人
        out.append(u.group(1) if u else "")
    return out


def _same_unit(figure: str, sentence: str, ground: str) -> bool:
    """A figure the answer gives in one unit ("7.3元") is not the passage's figure in
    another ("增长7.3%"); a bare figure on either side (a table cell) contradicts nothing."""
    said = [u for u in _units_of(figure, sentence) if u]
    found = _units_of(figure, ground)
    if not said or not found or "" in found:
        return True
    return any(u in unit_family(s) for u in found for s in said)


def _quantities(text: str) -> list[tuple[str, str]]:
    """(figure, unit) of each number of a text, years left out: what a gap is taken from."""
    plain = re.sub(r"(?:19|20)\d{2}\s*年", "", ungrouped(MARKER.sub("", text)))
    return [
        (m.group(1), u.group(1) if (u := _UNIT.match(plain[m.end() :])) else "")
        for m in re.finditer(r"(?<![\d.])(\d+(?:\.\d+)?)(?![\d.])", plain)
    ]


def _derived(figure: str, ground: str, question: str) -> bool:
    """For a question that asks a difference, a figure that two figures of the passage
    sentence give by subtraction ("10.2" and "9": 低1.2个百分点)."""
    if not _ASKS_DIFFERENCE.search(question) or not re.fullmatch(r"\d+(?:\.\d+)?", figure):
        return False
    want = float(figure)
    values = sorted({float(v) for v, _ in _quantities(ground)})
    return any(abs(abs(a - b) - want) < 1e-6 for i, a in enumerate(values) for b in values[i + 1 :])


def difference(question: str, sentence: str) -> str:
    """What a difference question asks, computed from a sentence stating exactly two
    figures in one unit ("2023年完成：10.2%｜2024年目标：9%" -> "1.2个百分点"), or ""."""
    if not _ASKS_DIFFERENCE.search(question):
        return ""
    found = _quantities(sentence)
    if len(found) != 2 or len({u for _, u in found}) != 1:
        return ""
    (a, unit), (b, _) = found
    value = abs(float(a) - float(b))
    digits = max(len(x.partition(".")[2]) for x in (a, b))
    return f"{value:.{digits}f}" + ("个百分点" if unit == "%" else unit)


def other_figure(
    question: str, terms: dict[str, float], ground: str, candidates: list[tuple[int, str]]
) -> tuple[int, str] | None:
    """A sentence of another document that states the asked quantity with a different
    figure: it covers the question at least as well as the answer's own sentence, gives
    a figure in the asked unit that the answer's sentence does not, and names no other
    year. The answer then says the documents differ and cites both."""
    units = asked_units(question)
    if not units:
        return None
    pattern = figure_in(units)
    mine = {float(m.group(1)) for m in pattern.finditer(ungrouped(ground))}
    if not mine:
        return None
    years = set(STATED_YEAR.findall(question)) or set(STATED_YEAR.findall(ground))
    bar = max(0.5, coverage(terms, ground))
    best: tuple[float, int, str] | None = None
    for n, sent in candidates:
        theirs = {float(m.group(1)) for m in pattern.finditer(ungrouped(sent))}
        if not theirs or theirs & mine or set(STATED_YEAR.findall(sent)) - years:
            continue
        score = coverage(terms, sent)
        if score >= bar and (best is None or score > best[0]):
            best = (score, n, sent)
    return (best[1], best[2]) if best else None


def unfaithful(translated: list[str], source: str, question: str = "") -> list[str]:
    """The sentences of a translation stating a figure its source answer does not: the
    passages may hold it ("100 million" for the answer's "50万元"), but the translation
    must say what the checked answer says. Quoted names are not compared (an English
    "little giant" never matches “小巨人”)."""
    plain = MARKER.sub("", source)
    ev = Evidence(0, plain, plain)
    return [s for s in translated if support(_QUOTED.sub(r"\1", s), ev, question) is None]


def _holds_fact(fact: str, text: str) -> bool:
    """A quoted name anywhere (white space aside); a figure only as a whole number: "7" is
    not in "78000" nor in "7.5", "80000" is in "80,000", and "表1 2024年" holds a 1."""
    if not re.fullmatch(r"[\d.]+", fact):
        return squash(fact) in squash(text)
    plain = ungrouped(text)
    return re.search(rf"(?<![\d.]){re.escape(fact)}(?!\.?\d)", plain) is not None


def supported_by(sentence: str, evidence: Evidence, question: str = "") -> bool:
    return support(sentence, evidence, question) is not None


def best_match(sentence: str, evidence: Evidence, question: str = "") -> str:
    """The passage sentence an answer sentence rests on: the one holding its facts, else the
    one sharing most words with it (a translated answer shares none: then its figures)."""
    found = support(sentence, evidence, question)
    if found:
        return found
    grams = bigrams(MARKER.sub("", sentence))
    return max(evidence.sentences() or [evidence.reading], key=lambda s: len(bigrams(s) & grams))


# Words that say a figure fell: a negative figure needs one to be stated as a fall.
_FALL = re.compile(r"下降|减少|降低|回落|下滑|负增长|decrease|decline|fell|drop|down", re.I)


def _same_sign(figure: str, sentence: str, evidence: str) -> bool:
    """A figure the passage gives only as negative ("-4.2") is not "增长4.2%"."""
    plain = re.compile(rf"(?<![\d.\-−]){re.escape(figure)}(?![\d])")
    negative = re.compile(rf"[-−]{re.escape(figure)}(?![\d])")
    if plain.search(evidence):
        return True  # stated without a sign somewhere: nothing to contradict
    if not negative.search(evidence):
        return True
    return bool(negative.search(squash(sentence)) or _FALL.search(sentence))


_UP = re.compile(r"增长|增加|提高|上升|上涨|增|升|rose|grew|increase|up\b", re.I)
_DOWN = re.compile(rf"{_FALL.pattern}|降|减", re.I)  # right before a figure: "降6.4%"


def _directions(figure: str, text: str) -> set[str]:
    """How the text says the figure changed: "up"/"down" from the words just before it."""
    out = set()
    flat = ungrouped(MARKER.sub("", text))
    for m in re.finditer(rf"(?<![\d.]){re.escape(figure)}(?!\.?\d)", flat):
        before = flat[max(0, m.start() - 6) : m.start()]
        if before.endswith(("-", "−")):  # "增长：-4.2%" is a fall
            out.add("down")
            continue
        before = re.split(r"[，,。；;]", before)[-1]  # within the same clause
        down, up = _DOWN.search(before), _UP.search(before)
        if down and not up:
            out.add("down")
        elif up and not down:
            out.add("up")
    return out


def _same_direction(figure: str, sentence: str, ground: str) -> bool:
    """ "增长了6.4%" is not the passage's "下降6.4%": the change words must not contradict."""
    said, found = _directions(figure, sentence), _directions(figure, ground)
    return not said or not found or bool(said & found)


def _with_scale(sentence: str, figure: str) -> str:
    """The figure with the scale word that follows it in the sentence ("80 million")."""
    flat = ungrouped(sentence)
    m = re.search(
        rf"(?<![\d.]){re.escape(figure)}(?![\d.])\s*(万|亿|thousand|million|billion|trillion)?",
        flat,
        re.I,
    )
    return m.group(0) if m else figure


_EN_FIGURE = re.compile(r"(\d+(?:\.\d+)?)\s*(thousand|million|billion|trillion)\b", re.I)


def rescale(sentence: str, passages: str) -> str:
    """An English figure whose digits the passages give with a Chinese scale, read with the
    wrong one ("200亿元" as "200 billion"), restated by value with the source figure kept:
    "20 billion (200亿)". Digits alone match either way, so the check must compare values."""

    stated = _values(passages, english=False)

    def fix(m: re.Match[str]) -> str:
        digits, word = m.group(1), m.group(2).lower()
        said = float(digits) * _EN_SCALE[word]
        if any(abs(said - v) <= 1e-6 * v for v in stated):
            return m.group(0)  # "20 billion" for 200亿, though 20亿 is in the passages too
        source = re.search(
            rf"(?<![\d.]){re.escape(digits)}\s*(?:余|多)?(万|亿)", ungrouped(passages)
        )
        if not source:
            return m.group(0)
        value = float(digits) * SCALES[source.group(1)]
        if abs(said - value) <= 1e-6 * value:
            return m.group(0)
        return f"{english_value(value)} ({digits}{source.group(1)})"

    return _EN_FIGURE.sub(fix, sentence)


def _overlap(sentence: str, evidence: Evidence) -> int:
    return len(bigrams(MARKER.sub("", sentence)) & bigrams(evidence.reading))


def check(
    answer: str,
    evidence: list[Evidence],
    question: str = "",
    named: str = "",
    rules: Iterable[Rule] = RULES,
) -> Checked:
    """Keep each answer sentence whose facts its cited (or best-matching) bound passage holds
    and that no off-target rule removes (`rules`, in order).

    `named` is the Chinese question whose parks and companies must be the ones the answer
    speaks of (`rules.OtherEntity`), when `question` is the user's words in another language."""
    out = Checked()
    usable = {e.n: e for e in evidence if e.bound > 0}
    for sent in sentences(answer):
        cited = markers(sent)
        clean = re.sub(r"\s+([.,;:!?])", r"\1", MARKER.sub("", sent)).strip()
        if not clean.strip("。.,，;；:： "):
            continue  # a marker with no words says nothing
        if cited - set(e.n for e in evidence):
            out.flags.append(Flag.REMOVED_INVALID_MARKER)
        has_facts = bool([f for f in facts(clean) if squash(f) not in squash(question)])
        if not has_facts and _HOLLOW.search(clean):
            out.dropped.append(clean)
            out.flags.append(Flag.REMOVED_HOLLOW_SENTENCE)
            continue
        # an English sentence shares no characters with a Chinese passage (a Chinese name
        # it keeps aside): its figures and quoted names are all that can be checked
        latin = is_english(clean)
        if _EN_FIGURE.search(clean):  # also in a translation that kept a Chinese word
            fixed = rescale(clean, "\n".join(e.reading for e in usable.values()))
            if fixed != clean:
                clean = fixed
                out.flags.append(Flag.RESCALED_FIGURE)

        def holds(e: Evidence, sent: str = clean, free: bool = has_facts or latin) -> bool:
            # figures must be in one sentence of the passage; a Chinese sentence without
            # figures must at least share some words with it ("根据资料，" alone says nothing)
            return supported_by(sent, e, question) and (free or _overlap(sent, e) >= 3)

        ok = [n for n in sorted(cited) if n in usable and holds(usable[n])]
        if not ok:
            candidates = [e for e in usable.values() if holds(e) and (latin or _overlap(clean, e))]
            candidates.sort(key=lambda e: (-e.bound, -_overlap(clean, e)))
            if candidates:
                ok = [candidates[0].n]
                out.flags.append(Flag.CITATION_ATTACHED if not cited else Flag.CITATION_MOVED)
        if not ok:
            out.dropped.append(clean)
            out.flags.append(
                Flag.REMOVED_UNSUPPORTED_FIGURE if has_facts else Flag.REMOVED_UNCITED_SENTENCE
            )
            continue
        ground = best_match(clean, usable[ok[0]], question)
        target = Target(
            sentence=clean,
            ground=ground,
            evidence=usable[ok[0]],
            question=question,
            named=named or question,
        )
        why = off_target(target, rules)
        if why:
            out.off_target.append(clean)
            out.flags.append(why)
            continue
        if any(squash(clean) == squash(kept) for kept, _ in out.sentences):
            out.flags.append(Flag.REMOVED_REPEAT)  # the same sentence from two passages
            continue
        out.sentences.append((clean, ok))
        out.grounds.append((ok[0], ground))
    return out
