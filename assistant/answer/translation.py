"""What an English answer keeps of the checked Chinese one it translates. Pure functions.

The small model translates well but reads figures and domain terms badly: it wrote "1万伏"
as "1,000 kilovolts", "41230元" as "412,300 yuan" and 轻纺 as "light manufacturing". So it
is given figures already in English, and what it cannot get wrong is added after it: the
source figure after the English one, and the source wording of a list of named things.
"""

from __future__ import annotations

import re

from assistant.answer.text import MARKER, SCALES, english_value, markers, sentences, ungrouped

_SCALED = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)(余|多)?(万亿|亿|万)")
# a whole figure of five digits or more with a unit after it (not a phone or file number)
_LONG = re.compile(
    r"(?<![\d.,\-])(\d{5,})(?=\s*(?:元|人|吨|个|家|户|亩|台|辆|项|件|套|公里|米|平方|千瓦|条|座))"
)


def figures_in_english(chinese: str) -> tuple[str, list[tuple[str, str]]]:
    """A Chinese answer with each 万/亿 figure written as English writes it, for the model
    that translates it ("累计投资132.7亿元" -> "累计投资13.27 billion元"), and the pairs
    (English, Chinese) to put the source figure back with (`with_source_figures`). The
    small model gets scales wrong ("1万伏" as "1,000 kilovolts"; "（1万）" as "1 million")
    and the check then rejects the line; a figure it is given it copies."""
    pairs: list[tuple[str, str]] = []

    def english(m: re.Match[str]) -> str:
        scale = 1e12 if m.group(3) == "万亿" else SCALES[m.group(3)]
        said = english_value(round(float(m.group(1)) * scale, 6))
        pairs.append((said, m.group(0)))
        return f"over {said}" if m.group(2) else said  # "4800多万": over 48 million

    scaled = _SCALED.sub(english, ungrouped(chinese))
    # "41230元" copied as "412,300": a long figure is given grouped as English writes it
    return _LONG.sub(lambda m: f"{int(m.group(1)):,}", scaled), pairs


def with_source_figures(english: str, pairs: list[tuple[str, str]]) -> str:
    """Each English figure followed by the source's own ("80,000 (8万) jobs"), once, so a
    reader can find it in the cited Chinese sentence."""
    for said, source in dict.fromkeys(pairs):
        if source in english:
            continue
        english = re.sub(
            rf"(?<![\d.,]){re.escape(said)}(?![\d.,]\d)", f"{said} ({source})", english, count=1
        )
    return english


_CITED_PIECE = re.compile(r".+?(?:\s*\[\d+(?:\s*[,，、]\s*\d+)*\])+|.+$")


def cited_pieces(line: str) -> list[str]:
    """The line cut after each citation when its sentences cite different passages
    ("新增城镇就业17.2万人。[1]…新增城镇就业17万人以上。[2]"), else the line whole. Given
    whole, the small model joined the two into one sentence ("…172,000 …, and its target is
    170,000") that no single passage holds, and the check rejected it; translated piece by
    piece, each keeps its marker and its own check."""
    pieces = [p for p in _CITED_PIECE.findall(line) if p.strip()]
    if len(pieces) > 1 and not markers(pieces[-1]):
        pieces[-2:] = [pieces[-2] + pieces[-1]]  # words after the last marker stay with it
    if len({frozenset(markers(p)) for p in pieces}) < 2:
        return [line]
    return pieces


# a clause listing three or more named things ("形成了食品加工、轻纺、先进制造和光伏四大支柱产业")
_LIST = re.compile(
    r"[^，,。；;：:！？!?\n]*?[^，,。；;：:！？!?\n、]+、[^，,。；;：:！？!?\n]+、[^，,。；;：:！？!?\n]+"
)


def with_source_list(
    english: list[tuple[str, list[int]]], chinese: str
) -> list[tuple[str, list[int]]]:
    """English answer sentences that list named things, each with the list of the Chinese
    sentence it translates (the one citing the same passage) in the documents' words after
    it: a term's translation is the model's guess ("light manufacturing" for 轻纺), and the
    reader looks the original up in the passage."""
    lists = [
        (m.group(0).strip(), markers(sent))
        for sent in sentences(chinese)
        for m in _LIST.finditer(MARKER.sub("", sent))
    ]
    out = []
    for sent, ns in english:
        mine = [c for c, cited in lists if cited & set(ns) and c not in sent]
        if mine and (sent.count(",") >= 2 or "、" in sent):  # it lists things too
            stop = "." if sent.rstrip().endswith(".") else ""
            sent = f"{sent.rstrip().removesuffix(stop)} (source: {'；'.join(mine)}){stop}"
        out.append((sent, ns))
    return out
