"""The records the answer stage's steps hand each other, built by keyword, once.

`Retrieved` is what preparation and retrieval found; `Question` is the question prepared
once from it (its languages, its Chinese form, its places), so no later step re-derives
them; `Ask` is one (sub-)question as a part reads it; `Part` is one ask read, checked and
decided; `Answer` and its `Citation`s are what the user gets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from assistant.answer.evidence import Checked, Evidence
from assistant.schema import Passage


# Citation and Answer keep their field order (the UI's tests build them by position); the
# answer stage builds them by keyword.
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
    citations: list[Citation] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    refused: bool = False
    llm: dict[str, str] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    prompt_tokens: int = 0
    lang: str = "zh"
    standalone: str = ""
    search_query: str = ""
    support: float = 0.0
    flags: list[str] = field(default_factory=list)  # diagnostics (`Flag`); nothing branches on them
    raw_answer: str = ""
    entities: list[str] = field(default_factory=list)
    candidate: str = ""  # the checked answer before the refusal decision
    p_answer: float = 0.0  # the refusal model's probability that the candidate is right
    features: dict[str, float] = field(default_factory=dict)
    parts: list[str] = field(default_factory=list)  # sub-questions, when split
    stages: dict[str, float] = field(default_factory=dict)  # where the time went (ms)
    # how the shown answer was produced: "quote" (the extractive quote of a part, accepted
    # without a model pass) or "reading" (a reader's checked draft, or a refusal)
    produced_by: str = "reading"
    # the answer's time budget (s) when it ran out before the model was done: what is shown
    # is the checked quote, the checked Chinese or the refusal (0: it did not run out)
    out_of_time_s: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["passages"] = [p.to_dict() for p in self.passages]
        return d


# How a stage searches: `retrieval.search`'s signature (index, query, k=, keyword_query=,
# literals=, doc_ids=). Injected, so a stage's test can use a fake retriever.
Search = Callable[..., list[Passage]]


@dataclass(frozen=True, kw_only=True)
class Queries:
    """What the index is searched with, and what an English question's search found."""

    dense: str
    keyword: str
    flags: tuple[str, ...] = ()
    translation: str = ""  # an English question's Chinese translation, when an LLM made one
    places: tuple[str, ...] = ()  # places an English question spells

    @property
    def translated(self) -> bool:
        return bool(self.translation)


@dataclass(kw_only=True)
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
    concatenated: bool = False  # a follow-up read as the last question + this one


@dataclass(frozen=True, kw_only=True)
class Asked:
    """What a (sub-)question asks, parsed once from its Chinese form (`kinds.asked_of`)."""

    text: str
    places: tuple[str, ...]  # the places and organisations it names (`identity.place_names`)
    subjects: dict[str, str]  # place -> the full name it goes on to ("安阳高新技术产业集聚区")
    kinds: frozenset[str]  # the kinds of answer: "date", "name", "organisation", "number"
    unit_families: tuple[tuple[str, ...], ...]  # one per figure asked ("元" and "%")
    units: tuple[str, ...]  # the unit family its figure is asked in (`kinds.asked_units`)
    figures: frozenset[str]  # the figures it states itself: no answer to it
    asks_figure: bool  # it asks a figure (a date question too: "哪一年")
    several: bool  # it asks for several things ("有哪些"): more sentences may answer
    extreme: bool  # it asks a table's largest or smallest ("哪个…最大")
    literals: tuple[str, ...]  # the terms it quotes
    words: tuple[tuple[str, str], ...]  # (term, "name"/"noun"/"other") it asks about


@dataclass(frozen=True, kw_only=True)
class Question:
    """A question prepared once: every later step reads these fields, none re-derives them."""

    text: str  # as asked
    lang: str  # the question's language
    answer_lang: str  # the language the answer is shown in
    standalone: str  # a follow-up rewritten to stand alone, else the text
    zh: str  # the Chinese form read and checked ("220千伏" restated as the passages say it)
    read_lang: str  # the language the reader reads in
    read: str  # what the reader is asked
    asker: str  # the user's words when read in translation ("" otherwise)
    places: tuple[str, ...]  # the asked places (the Chinese form's and the English spelling's)
    splittable: bool  # may be split into sub-questions (Chinese, not a concatenated turn)
    asked: Asked  # what the Chinese form asks


@dataclass(frozen=True, kw_only=True)
class Ask:
    """One (sub-)question as a part reads it, with its own passages."""

    read: str  # what the reader is asked
    zh: str  # the Chinese form, its terms and kinds
    lang: str  # the reading language
    passages: list[Passage]
    asked: Asked  # what `zh` asks
    places: tuple[str, ...]  # the places its passages must be bound to
    asker: str = ""  # the user's words when read in translation
    label: str = ""  # how the part is introduced in a multi-part answer ("渑水县：")
    place: str = ""  # the place the label names, when it names one (said in pinyin in English)
    stream: bool = False  # the reader's tokens go to the user as they come
    whole: bool = False  # the whole question: another document's differing figure is said


@dataclass(frozen=True, kw_only=True)
class Plan:
    """The parts a question is read in: one, one per document, or one per sub-question."""

    asks: list[Ask]
    subs: list[str]  # the (sub-)questions, in Chinese
    per_document: bool = False
    split: bool = False


@dataclass(kw_only=True)
class Part:
    """One (sub-)question read and checked against its own passages."""

    question: str
    passages: list[Passage] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    checked: Checked = field(default_factory=Checked)
    refused: bool = True
    p: float = 0.0
    features: dict[str, float] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)
    raw: str = ""
    prompt_tokens: int = 0
    label: str = ""
    place: str = ""  # the place the label names, when it names one (said in pinyin in English)
    stages: dict[str, float] = field(default_factory=dict)
    quoted: bool = False  # the extractive quote, accepted without a model pass
