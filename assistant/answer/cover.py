"""A refused part that another part's sentence answers takes that sentence.

"甘肃地区生产总值增长了多少？增速在全国排第几？" is read in two parts, and one sentence
("地区生产总值增长5.8%，增速居全国第2位") answers both; the first part's own reading may
miss it. Rather than "not found" beside the sentence that answers it, the refused part
takes the other part's sentence - if it is in the part's own bound passages and passes
the part's own checks (its figures, its asked kind, the off-target rules). The composer
shows a sentence once, so the answer is that sentence, not a refusal and the sentence.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from assistant.answer.evidence import Checked, Evidence
from assistant.answer.flags import Flag
from assistant.answer.kinds import type_match
from assistant.answer.records import Ask, Part
from assistant.answer.text import squash

Check = Callable[[str, list[Evidence], str, str], Checked]


def covered(asks: list[Ask], parts: list[Part], check: Check) -> list[Part]:
    """The parts, each refused one answered by another part's sentence where one does."""
    answered = [p for p in parts if not p.refused]
    if len(parts) < 2 or not answered:
        return parts
    return [
        (_taken(ask, part, answered, check) or part) if part.refused and part.evidence else part
        for ask, part in zip(asks, parts, strict=True)
    ]


def _taken(ask: Ask, part: Part, answered: list[Part], check: Check) -> Part | None:
    for other in answered:
        for _, ground in other.checked.grounds:
            flat = squash(ground)
            e = next((e for e in part.evidence if flat in squash(e.reading)), None)
            if e is None:
                continue
            checked = check(f"{ground}[{e.n}]", part.evidence, ask.asker or ask.read, ask.zh)
            if checked.sentences and (not ask.asked.kinds or type_match(ask.asked, ground) > 0):
                flags = [*part.flags, Flag.ANSWERED_BY_OTHER_PART]
                return replace(part, checked=checked, refused=False, flags=flags)
    return None
