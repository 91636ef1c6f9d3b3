"""Planning: the parts a question is read in, each with its own passages.

- "两篇报道分别怎么说": one part per document (`per_document`), each read from its own
  best passages - before any split, since "X是多少？两篇报道说法一样吗？" is one question
  asked of two reports.
- "汝州和沁阳…各…多少": one part per sub-question (`query.split_question`), each searched
  on its own words.
- Otherwise one part: the whole question on the passages already retrieved.
"""

from __future__ import annotations

from collections.abc import Callable

from assistant.answer.bind import Binder, identity
from assistant.answer.extractive import ExtractiveReader
from assistant.answer.kinds import asked_of
from assistant.answer.records import Ask, Plan, Question, Search
from assistant.answer.split import asked_of_each, named_kinds, per_document, split_question
from assistant.identity import named_subjects, place_names
from assistant.index import Index
from assistant.retrieval import search
from assistant.schema import Passage


def place_labels(subs: list[str]) -> list[str]:
    """Each part's place, when every part asks about a place of its own: a bulletin says
    "全县生产总值286.47亿元", so "渑水县和澄源县…分别" shows which county each figure is."""
    names = [next(iter(named_subjects(sub).values()), "") for sub in subs]
    if all(names) and len(set(names)) == len(names):
        return names
    return [""] * len(subs)


def document_labels(
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


def one_of_each_kind(
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


class Planner:
    """Question + its passages -> the parts to read (`Plan`)."""

    def __init__(
        self,
        index: Index,
        binder: Binder,
        extractive: ExtractiveReader,
        terms: Callable[[str], dict[str, float]],
        search: Search = search,
    ) -> None:
        self.search = search
        self.index = index
        self.binder = binder
        self.extractive = extractive
        self.terms = terms

    def plan(self, q: Question, passages: list[Passage], k: int) -> Plan:
        places = list(q.places)
        docs = self.documents(places, q.zh, passages, k) if per_document(q.zh) else []
        subs = [q.zh] if len(docs) >= 2 or not q.splittable else split_question(q.zh)
        if len(docs) >= 2:
            each = asked_of_each(q.zh)
            of_each = asked_of(each)
            owns = [
                # each document answers for the asked places it is bound to, not the others'
                [a for a in places if self.binder.bound([a], doc_passages[0]) > 0] or places
                for doc_passages in docs
            ]
            labels = document_labels(q.zh, owns, [identity(d[0]).name() for d in docs])
            asks = [
                Ask(
                    read=each if q.read_lang == "zh" else q.read,
                    zh=each,
                    lang=q.read_lang,
                    passages=doc_passages,
                    asked=of_each,
                    places=tuple(own),
                    asker=q.asker,
                    label=label,
                    place=place,
                )
                for doc_passages, own, (label, place) in zip(docs, owns, labels, strict=True)
            ]
            return Plan(asks=asks, subs=subs, per_document=True)
        if len(subs) > 1:
            each_asks = [asked_of(sub) for sub in subs]
            asks = [
                Ask(
                    read=sub if q.read_lang == "zh" else f"{q.read}（{sub}）",
                    zh=sub,
                    lang=q.read_lang,
                    passages=self.search(self.index, sub, k=k, literals=list(what.literals)),
                    asked=what,
                    places=what.places,
                    asker=q.asker,
                    label=label,
                    place=next(iter(place_names(label)), "") if label else "",
                )
                for sub, what, label in zip(subs, each_asks, place_labels(subs), strict=True)
            ]
            return Plan(asks=asks, subs=subs, split=True)
        whole = Ask(
            read=q.read,
            zh=q.zh,
            lang=q.read_lang,
            passages=passages,
            asked=q.asked,
            places=q.places,
            asker=q.asker,
            stream=q.read_lang == q.answer_lang,  # a translation streams instead
            whole=True,
        )
        return Plan(asks=[whole], subs=subs)

    def documents(
        self, asked: list[str], question: str, passages: list[Passage], k: int
    ) -> list[list[Passage]]:
        """The two documents (bound to the asked places) that best answer a per-document
        question, in order of their best rank in a wider search, each with its own best
        passages: a second report never reached by the top k is still read."""
        wide = self.search(self.index, question, k=k * 4)
        order: list[str] = []
        for p in passages + wide:
            if p.doc_id in order:
                continue
            if asked and self.binder.bound(asked, p) == 0:
                continue
            order.append(p.doc_id)
        each = asked_of_each(question)  # within a document, only what is asked of each
        kinds = named_kinds(question)
        candidates = order[: 4 if len(kinds) >= 2 else 2]
        own = {d: self.search(self.index, each, k=k, doc_ids=[d]) for d in candidates}
        if len(kinds) >= 2:
            order = one_of_each_kind(kinds, order, wide, self._answering(asked, each, own))
        return [own.get(d) or self.search(self.index, each, k=k, doc_ids=[d]) for d in order[:2]]

    def _answering(
        self, asked: list[str], each: str, own: dict[str, list[Passage]]
    ) -> dict[str, float]:
        """How well each document's own best passages answer what is asked of it: the best
        extractive reading score, the same measure the quote is chosen by."""
        terms, what = self.terms(each), asked_of(each)
        scores: dict[str, float] = {}
        for doc, passages in own.items():
            _, evidence = self.binder.evidence(asked, passages)
            ranked = self.extractive.rank(what, evidence, terms) if evidence else []
            scores[doc] = ranked[0][0] if ranked else 0.0
        return scores
