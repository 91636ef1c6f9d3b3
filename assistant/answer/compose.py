"""Composition: the decided parts -> one `Answer`, its passages renumbered, built once.

A refused part of a multi-part answer says so under its label; no sentence is shown twice
(one answering two parts, a list repeating itself: the first stands); a comparison
("哪个更快") gets its verdict from the two parts' figures, citing both; a citation is
`supported` when its passage holds every figure of the sentences citing it. Citations are
numbered 1, 2, … in the order the text first cites them.
"""

from __future__ import annotations

import re
from dataclasses import replace

from assistant.answer.bind import identity, reading_text
from assistant.answer.evidence import Checked
from assistant.answer.flags import Flag
from assistant.answer.kinds import asked_units, figure_in
from assistant.answer.reading import CHINESE_LEAD
from assistant.answer.records import Answer, Citation, Part, Plan, Question, Retrieved
from assistant.answer.split import comparison
from assistant.answer.text import MARKER, bigrams, numbers, prompt, squash
from assistant.cleaning import normalize_width
from assistant.config import Settings
from assistant.identity import place_names
from assistant.schema import Passage

_FIGURE = re.compile(
    r"(-?\d+(?:\.\d+)?)\s*(%|个百分点|亿元|万元|元|万人|人|家|个|万吨|吨|亩|平方公里)?"
)


def refusal_text(settings: Settings, lang: str) -> str:
    return prompt(settings, f"refusal_{lang}.txt").strip()


def about(question: str, lang: str) -> str:
    """How a refused part is introduced: its question quoted, not run into the refusal."""
    q = question.strip().rstrip("？?。.！!")
    return f"关于「{q}」：" if lang == "zh" else f'On "{q}": '


def verdict(question: str, parts: list[Part], texts: list[str]) -> str:
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


def citations(passages: list[Passage], cited: dict[int, list[str]]) -> list[Citation]:
    out = []
    for n in sorted(cited):
        p = passages[n - 1]
        flat = squash(p.text + reading_text(p))
        figs = [x for s in cited[n] for x in numbers(s)]
        supported = all(x in flat for x in figs) and any(
            len(bigrams(s) & bigrams(p.text)) >= 2 for s in cited[n]
        )
        out.append(
            Citation(
                n=n,
                doc=p.doc_id,
                chunk_id=p.chunk_id,
                heading=p.heading,
                text=p.text,
                score=p.score,
                supported=supported,
                sentences=cited[n],
                doc_name=identity(p).name(),
            )
        )
    return out


def sentence_key(sentence: str) -> str:
    """A sentence as compared for saying it twice: markers, white space, width, the
    closing mark and the label of an untranslated answer aside."""
    text = squash(normalize_width(MARKER.sub("", sentence)))
    for lead in CHINESE_LEAD.values():
        text = text.removeprefix(squash(lead))
    return text.rstrip("。.；;！!？?")


def in_order(answer: Answer) -> Answer:
    """The citations numbered 1, 2, … in the order the answer text first cites them, its
    citations and passages in that order (what the source panel lists); a citation the
    text does not show, then the uncited passages, follow as they were."""
    cited = {c.n for c in answer.citations}
    order: list[int] = []
    for m in MARKER.finditer(answer.answer):
        order += [n for n in map(int, re.findall(r"\d+", m.group(1))) if n in cited]
    order += sorted(cited) + list(range(1, len(answer.passages) + 1))
    order = list(dict.fromkeys(order))
    if order == list(range(1, len(order) + 1)):
        return answer
    new = {old: i + 1 for i, old in enumerate(order)}

    def renumbered(text: str) -> str:
        return MARKER.sub(
            lambda m: re.sub(r"\d+", lambda d: str(new.get(int(d[0]), d[0])), m[0]), text
        )

    return replace(
        answer,
        answer=renumbered(answer.answer),
        candidate=renumbered(answer.candidate),
        citations=sorted((replace(c, n=new[c.n]) for c in answer.citations), key=lambda c: c.n),
        passages=[answer.passages[n - 1] for n in order],
    )


def _stages(parts: list[Part]) -> dict[str, float]:
    out: dict[str, float] = {}
    for part in parts:
        for name, ms in part.stages.items():
            out[name] = round(out.get(name, 0.0) + ms, 1)
    return out


class Composer:
    """Parts -> the one Answer shown (in the reading language; `Translator` may follow)."""

    def __init__(self, settings: Settings, provider: str, model: str) -> None:
        self.settings = settings
        self.llm = {"provider": provider, "model": model}

    def compose(self, q: Question, found: Retrieved, plan: Plan, parts: list[Part]) -> Answer:
        lang = q.read_lang
        flags = list(found.flags)
        if plan.per_document:
            flags.append(Flag.PER_DOCUMENT)
        elif plan.split:
            flags.append(Flag.SPLIT)
        for p in parts:
            flags += [f for f in p.flags if f not in flags]
        passages: list[Passage] = []
        cited: dict[int, list[str]] = {}
        texts: list[str] = []
        candidates: list[str] = []
        shown: set[str] = set()  # one sentence answering two parts is shown once
        for part in parts:
            remap: dict[int, int] = {}
            for e, p in zip(part.evidence, part.passages, strict=True):
                ids = [x.chunk_id for x in passages]
                if p.chunk_id not in ids:
                    passages.append(p)
                    ids.append(p.chunk_id)
                remap[e.n] = ids.index(p.chunk_id) + 1
            sents = [(s, [remap[n] for n in ns]) for s, ns in part.checked.sentences]
            text = Checked(sents).text(lang)
            lead = f"{part.label}：" if part.label else ""
            candidates.append(lead + text)
            if part.refused:
                if len(parts) > 1:
                    lead = lead or about(part.question, lang)
                    texts.append(lead + refusal_text(self.settings, lang))
                continue
            fresh = []  # no sentence is said twice: in two parts, or twice in one
            for s, ns in sents:
                if (key := sentence_key(s)) not in shown:
                    shown.add(key)
                    fresh.append((s, ns))
            if fresh:
                texts.append(lead + Checked(fresh).text(lang))
            for s, ns in sents:
                for n in ns:
                    cited.setdefault(n, []).append(s)
        if not cited:
            answer, refused, cites = refusal_text(self.settings, lang), True, []
        else:
            sep = "\n" if len(parts) > 1 else ""
            said = verdict(q.standalone, parts, texts)
            answer, refused = sep.join(texts + ([said] if said else [])), False
            cites = citations(passages, cited)
        raw = "\n".join(p.raw for p in parts if p.raw)
        main = parts[0]
        answer = Answer(
            question=q.text,
            answer=answer,
            citations=cites,
            passages=passages,
            refused=refused,
            llm=dict(self.llm),
            prompt_tokens=sum(p.prompt_tokens for p in parts),
            lang=lang,
            standalone=q.standalone,
            search_query=found.dense_query,
            support=round(main.features.get("coverage_best", 0.0), 3),
            flags=flags,
            raw_answer=raw or answer,
            entities=sorted({e for sub in plan.subs for e in place_names(sub)}),
            candidate="\n".join(c for c in candidates if c),
            p_answer=round(main.p, 4),
            features=main.features,
            parts=list(plan.subs) if plan.split else [],
            stages=_stages(parts),
            produced_by="quote" if any(p.quoted for p in parts) else "reading",
        )
        return in_order(answer)
