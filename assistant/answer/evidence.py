"""What verification works on: numbered evidence, and the checked answer it produces."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.answer.text import passage_sentences, squash


@dataclass
class Evidence:
    """One numbered passage as the reader saw it: original text for citing, reading text
    (tables self-described, sentences whole: `whole.py`) for reading and checking, and how
    firmly it is bound to the question."""

    n: int
    text: str
    reading: str
    heading: str = ""
    bound: float = 1.0
    title: str = ""
    places: tuple[str, ...] = ()  # the asked places it is bound to, fully (bound 1.0)
    # the passage's own lines as they stand (a line broken inside it apart; only a sentence
    # cut at its edge made whole): what the extractive reader chooses among, as it always
    # has; "" when the reading is the same
    lines: str = ""

    def sentences(self) -> list[str]:
        """The reading's sentences, whole."""
        return passage_sentences(self.reading)

    def pieces(self) -> list[str]:
        """The sentences of the passage's lines as they stand: a broken line is two."""
        return passage_sentences(self.lines or self.reading)

    def whole(self, piece: str) -> str:
        """The whole sentence of the reading that holds a piece of the lines ("…以汝绣特色吸"
        -> "…以汝绣特色吸引八方来客。"); the piece itself when it is whole or not found."""
        if not self.lines:
            return piece
        flat = squash(piece)
        return next((s.strip() for s in self.sentences() if flat in squash(s)), piece)


@dataclass
class Checked:
    """The checked answer: kept sentences with their passage numbers, what was dropped."""

    sentences: list[tuple[str, list[int]]] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    # supported sentences that answer something else (another year, quantity, a masked
    # name): removed, but not a sign the draft invented anything
    off_target: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    # per kept sentence: (passage number, the passage sentence it rests on)
    grounds: list[tuple[int, str]] = field(default_factory=list)

    def cited(self) -> dict[int, list[str]]:
        out: dict[int, list[str]] = {}
        for sent, ns in self.sentences:
            for n in ns:
                out.setdefault(n, []).append(sent)
        return out

    def text(self, lang: str = "zh") -> str:
        if lang != "en":
            return "".join(s.rstrip() + "".join(f"[{n}]" for n in ns) for s, ns in self.sentences)
        # an English sentence keeping a Chinese name ("the沁北产业集聚区") gets its spaces
        return " ".join(
            _LATIN_CJK.sub(" ", s.rstrip()) + "".join(f"[{n}]" for n in ns)
            for s, ns in self.sentences
        )


_LATIN_CJK = re.compile(r"(?<=[A-Za-z,;])(?=[\u4e00-\u9fff])|(?<=[\u4e00-\u9fff])(?=[A-Za-z])")
