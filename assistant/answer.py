"""Retrieved passages -> a short cited answer, or an honest refusal.

The small default model is not trusted alone (see ../shared/MODELS.md: marker-only
answers, correct answers with no citation, false refusals, invented figures). So every
answer is checked here: markers are parsed and validated, citations are attached by
matching the answer's figures and words to the passages, figures found in no passage are
removed, empty output is replaced by the extractive answer, and the refusal decision
weighs the model's "not found" against how well the passages cover the question.
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.index import Index, query_terms
from assistant.llm import LLM, LLMError, Message
from assistant.retrieval import search
from assistant.schema import Passage

log = logging.getLogger(__name__)

_MARKER = re.compile(r"[\[【［]\s*(\d+(?:\s*[,，、]\s*\d+)*)\s*[\]】］]")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]*(?:\s*\[\d+\])*")
_REFUSAL = re.compile(
    r"未找到|没有找到|未提及|没有提到|没有提及|未提供|没有相关|无法回答|无法确定|do(?:es)? not (?:say|mention|contain|provide)|no information|not (?:found|mentioned)",
    re.I,
)
_FOLLOWUP = re.compile(
    r"^(?:那|那么|它|其|该|这|此|上述|他们|他|她)|呢[？?]?$|^(?:what about|and |how about)|\b(?:it|its|they|their|them|there|that one)\b",
    re.I,
)
# Words that shape a question but are not what it asks about (a single character never is).
_QUESTION_WORDS = set(
    [
        "那个",
        "那笔",
        "那片",
        "那些",
        "那么",
        "这个",
        "这些",
        "具体",
        "分别",
        "各自",
        "两篇",
        "两个",
        "报道",
        "文件",
        "资料",
        "文中",
        "正文",
        "里面",
        "情况",
        "怎么",
        "怎么样",
        "怎样",
        "哪个",
        "哪些",
        "哪里",
        "哪家",
        "哪年",
        "多少",
        "什么",
        "为什么",
        "是否",
        "有没有",
        "起来",
        "同一",
        "同一个",
        "早年",
        "早先",
        "前后",
        "变化",
        "各写",
        "比是",
        "提到",
        "说明",
        "介绍",
        "一下",
        "请问",
        "目前",
        "现在",
        "当时",
        "预计",
        "能够",
        "可以",
        "需要",
        "主要",
        "一共",
        "总共",
        "共有",
    ]
)
_GENERIC_PLACES = set(
    [
        "城市",
        "地区",
        "全省",
        "全市",
        "全县",
        "全国",
        "国家",
        "省里",
        "市里",
        "县里",
        "园区",
        "区域",
        "中原",
        "东部",
        "西部",
        "南部",
        "北部",
    ]
)
_TABLE_ROW = re.compile(r"\S+(?: [\d.,]+){2,}")
_SEVERAL = re.compile(
    r"分别|各|两|哪些|哪几|前后|对比|比较|both|each|respectively|compare|which (?:two|ones)", re.I
)
_ASKS_NUMBER = re.compile(
    r"多少|几|比例|面积|金额|规模|how (?:many|much|large|big)|what (?:percentage|share|area|amount)",
    re.I,
)


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


@dataclass
class Answer:
    question: str
    answer: str
    citations: list[Citation]
    passages: list[Passage]
    refused: bool
    llm: dict[str, str]
    timings: dict[str, float]
    prompt_tokens: int = 0
    lang: str = "zh"
    standalone: str = ""
    search_query: str = ""
    support: float = 0.0
    flags: list[str] = field(default_factory=list)
    raw_answer: str = ""
    entities: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["passages"] = [p.to_dict() for p in self.passages]
        return d


@dataclass
class Retrieved:
    lang: str
    standalone: str
    dense_query: str
    keyword_query: str
    passages: list[Passage]
    flags: list[str]
    ms: float


# --------------------------------------------------------------------------- text helpers


def detect_lang(text: str) -> str:
    """ "en" when Latin letters clearly outweigh Chinese characters, else "zh"."""
    cjk = len(re.findall(r"[\u3400-\u9fff]", text))
    latin = len(re.findall(r"[A-Za-z]", text))
    return "en" if latin > cjk * 2 else "zh"


@lru_cache(maxsize=64)
def _read_prompt(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def prompt(settings: Settings, name: str) -> str:
    """A prompt template from prompts/ (cached; edit the files, not the code)."""
    path = settings.prompts_dir / name
    if not path.is_file():
        raise FileNotFoundError(
            f"Prompt file {path} is missing (prompts_dir = {settings.prompts_dir})."
        )
    return _read_prompt(path)


@lru_cache(maxsize=4)
def _glossary(path: Path) -> list[tuple[str, str]]:
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#") and "\t" in line:
            en, zh = line.split("\t", 1)
            pairs.append((en.strip().lower(), zh.strip()))
    return sorted(pairs, key=lambda p: -len(p[0]))


def glossary_terms(settings: Settings, question: str) -> str:
    """Chinese search terms for the English words of a question (the no-LLM path)."""
    text = question.lower()
    found: list[str] = []
    for en, zh in _glossary(settings.prompts_dir / "glossary.tsv"):
        if re.search(rf"\b{re.escape(en)}s?\b", text):
            found.append(zh)
            text = re.sub(rf"\b{re.escape(en)}s?\b", " ", text)
    numbers = _NUMBER.findall(question)
    return " ".join(found + numbers)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def bigrams(text: str) -> set[str]:
    """Character bigrams without white space: how sentences are matched to passages."""
    t = _squash(text)
    return {t[i : i + 2] for i in range(len(t) - 1)}


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text) if s.strip()]


# --------------------------------------------------------------------------- the answerer


class Answerer:
    """Answers questions over an index with a configured LLM (or none: extractive)."""

    def __init__(self, settings: Settings, index: Index, llm: LLM | None) -> None:
        self.settings = settings
        self.index = index
        self.llm = llm
        self._scopes: dict[tuple[str, str], str] = {}

    # ---- term weights: rare terms decide whether the passages really answer

    def _weights(self, terms: list[str]) -> dict[str, float]:
        terms = [
            t for t in terms if t not in _QUESTION_WORDS and not re.fullmatch(r"[\u3400-\u9fff]", t)
        ]
        n = self.index.catalog.chunk_count()
        weights = {
            t: math.log((n + 1) / (self.index.catalog.document_frequency(t) + 0.5)) for t in terms
        }
        return {t: w for t, w in weights.items() if w > 0}

    def entities(self, question: str) -> list[str]:
        """Places, names and years a Chinese question asks about that the corpus knows.

        An answer about 新蔡 drawn from a passage on 柘城 is the typical invented answer:
        a passage only answers if it mentions what the question names.
        """
        import jieba.posseg

        from assistant.index.tokenize import _jieba

        _jieba()  # quiet, initialised
        wanted = set(re.findall(r"(?<!\d)(?:19|20)\d{2}(?!\d)", question))
        for word, flag in jieba.posseg.cut(question):
            if (
                flag in ("ns", "nr", "nt", "nz")
                and len(word) >= 2
                and word not in _GENERIC_PLACES
                and self.index.catalog.document_frequency(word.lower()) > 0
            ):
                wanted.add(word.lower())
        return sorted(wanted)

    def lacks(self, entities: list[str], passages: list[Passage]) -> list[str]:
        """The entities that neither these passages nor the report sections they sit in mention.

        A chunk of a report about 沁阳 rarely repeats "沁阳"; the section it belongs to (its
        document, or its 第X篇 within a collection of reports) does.
        """
        if not entities:
            return []
        text = _squash("\n".join(self._scope(p) for p in passages)).lower()
        return [e for e in entities if e not in text]

    def _scope(self, p: Passage) -> str:
        top = p.heading.split(" > ")[0]
        key = (p.doc_id, top if re.match(r"^第\S+篇", top) else "")
        if key not in self._scopes:
            self._scopes[key] = p.title + self.index.catalog.section_text(p.doc_id, key[1])
        return f"{p.heading}{p.text}{self._scopes[key]}"

    def coverage(self, terms: dict[str, float], text: str) -> float:
        total = sum(terms.values())
        if not total:
            return 0.0
        low = text.lower()
        return sum(w for t, w in terms.items() if t in low) / total

    # ---- question preparation

    def standalone(self, question: str, history: list[Message] | None) -> tuple[str, list[str]]:
        """Rewrite a follow-up into a standalone question, only when it needs one."""
        users = [t["content"] for t in (history or []) if t.get("role") == "user"]
        if not users or not (_FOLLOWUP.search(question.strip()) or len(question.strip()) <= 8):
            return question, []
        convo = "\n".join(f"{t['role']}: {t['content'][:200]}" for t in (history or [])[-4:])
        rewritten = self._one_line("condense.txt", history=convo, question=question)
        if rewritten:
            return rewritten, ["condensed_by_llm"]
        return f"{users[-1]} {question}", ["condensed_by_concat"]

    def _one_line(self, template: str, **values: str) -> str:
        """A short rewrite by the LLM (its first line), or "" without an LLM or on error."""
        if self.llm is None:
            return ""
        text = prompt(self.settings, template).format(**values)
        try:
            lines = (
                "".join(self.llm.stream([{"role": "user", "content": text}], 60))
                .strip()
                .splitlines()
            )
        except LLMError as exc:
            log.warning("%s failed: %s", template, exc)
            return ""
        return lines[0].strip() if lines else ""

    def search_queries(self, question: str, lang: str) -> tuple[str, str, list[str]]:
        """(dense query, keyword query): English questions get Chinese search terms."""
        if lang != "en":
            return question, question, []
        terms = glossary_terms(self.settings, question)
        zh = self._one_line("translate_query.txt", question=question)
        if zh:  # the translation adds Chinese words; the glossary terms keep names it may garble
            return f"{question} {terms} {zh}", f"{zh} {terms}", ["translated_by_llm"]
        return f"{question} {terms}", terms or question, ["glossary_terms"]

    # ---- context

    def pack(
        self, passages: list[Passage], terms: dict[str, float]
    ) -> tuple[list[Passage], list[str]]:
        """Top passages, near-duplicates dropped, each cut to its relevant sentences to fit the budget."""
        cfg = self.settings
        kept: list[Passage] = []
        for p in passages:
            grams = bigrams(p.text)
            if any(
                len(grams & bigrams(k.text)) > 0.7 * max(1, min(len(grams), len(bigrams(k.text))))
                for k in kept
            ):
                continue
            kept.append(p)
            if len(kept) == cfg.answer.max_passages:
                break
        budget = cfg.llm.context_tokens
        per = budget // max(1, len(kept))
        count = self.llm.count_tokens if self.llm else (lambda s: len(s))
        focused: list[str] = []
        for p in kept:
            if count(p.text) <= per:
                focused.append(p.text.strip())
                continue
            sents = [s for s in re.split(r"(?<=[。！？；\n])", p.text) if s.strip()]
            ranked = sorted(range(len(sents)), key=lambda i: -self.coverage(terms, sents[i]))
            chosen: list[int] = []
            used = 0
            for i in ranked:
                cost = count(sents[i])
                if chosen and used + cost > per:
                    continue
                chosen.append(i)
                used += cost
            focused.append("…".join(sents[i].strip() for i in sorted(chosen)))
        return kept, focused

    def build_messages(
        self, question: str, lang: str, focused: list[str], passages: list[Passage]
    ) -> list[Message]:
        """System rules, then the numbered passages (each under its nearest heading) and the question."""
        headings = [p.heading.split(" > ")[-1][:30] for p in passages]
        blocks = "\n".join(
            f"[{i}]（{h}）{t}" if h else f"[{i}] {t}"
            for i, (t, h) in enumerate(zip(focused, headings, strict=True), 1)
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

    def _prompt_tokens(self, messages: list[Message]) -> int:
        """Prompt size in the model's tokens (+10 for the chat template's markers)."""
        assert self.llm is not None
        return self.llm.count_tokens("".join(m["content"] for m in messages)) + 10

    # ---- the whole flow

    def retrieve(
        self, question: str, history: list[Message] | None = None, k: int | None = None
    ) -> Retrieved:
        """Question (+ history) -> standalone Chinese search queries -> ranked passages."""
        t0 = time.perf_counter()
        lang = detect_lang(question)
        standalone, flags = self.standalone(question.strip(), history)
        dense_q, keyword_q, more = self.search_queries(standalone, lang)
        passages = search(
            self.index, dense_q, k=k or self.settings.retrieval.k, keyword_query=keyword_q
        )
        return Retrieved(
            lang,
            standalone,
            dense_q,
            keyword_q,
            passages,
            flags + more,
            (time.perf_counter() - t0) * 1000,
        )

    def ask(
        self,
        question: str,
        history: list[Message] | None = None,
        on_token: Callable[[str], None] | None = None,
        k: int | None = None,
        answer_lang: str | None = None,
    ) -> Answer:
        """Answer from the documents; `answer_lang` ("zh"/"en") overrides the question's language."""
        t0 = time.perf_counter()
        question = question.strip()
        found = self.retrieve(question, history, k=k or self.settings.retrieval.k)
        lang, standalone, dense_q, keyword_q, flags = (
            found.lang,
            found.standalone,
            found.dense_query,
            found.keyword_query,
            found.flags,
        )
        passages = found.passages
        retrieval_ms = found.ms
        terms = self._weights(query_terms(keyword_q if lang == "en" else standalone))
        kept, focused = self.pack(passages, terms)
        support = max((self.coverage(terms, f"{p.heading}\n{p.text}") for p in kept), default=0.0)
        llm_name = self.llm.name if self.llm else "extractive"
        result = Answer(
            question,
            "",
            [],
            kept,
            False,
            {
                "provider": self.settings.llm.provider if self.llm else "extractive",
                "model": llm_name,
            },
            {},
            lang=answer_lang or lang,
            standalone=standalone,
            search_query=dense_q,
            support=round(support, 3),
            flags=flags,
        )
        first_token: list[float] = []

        def emit(tok: str) -> None:
            if not first_token:
                first_token.append((time.perf_counter() - t0) * 1000)
            if on_token:
                on_token(tok)

        cfg = self.settings.answer
        threshold = cfg.refusal_threshold if self.llm is None else cfg.llm_refusal_threshold
        result.entities = (
            self.entities(standalone) if lang == "zh" or "translated_by_llm" in flags else []
        )
        missing = self.lacks(result.entities, kept)
        if missing:
            result.flags.append("missing_entity:" + ",".join(missing))
        if not kept or support < threshold or missing:
            self._refuse(result, "low_support" if not missing else "missing_entity")
            result.raw_answer = result.answer
            emit(result.answer)
        elif self.llm is None:
            self._extractive(result, terms)
            result.raw_answer = result.answer
            emit(result.answer)
        else:
            asked = standalone if lang == "zh" else question
            messages = self.build_messages(asked, result.lang, focused, kept)
            result.prompt_tokens = self._prompt_tokens(messages)
            while (
                result.prompt_tokens > self.llm.n_ctx - self.settings.llm.max_tokens
                and len(kept) > 1
            ):
                log.warning(
                    "prompt of %d tokens exceeds the %d-token window: dropping passage %d",
                    result.prompt_tokens,
                    self.llm.n_ctx,
                    len(kept),
                )
                kept, focused = kept[:-1], focused[:-1]
                result.passages = kept
                result.flags.append("context_trimmed")
                messages = self.build_messages(asked, result.lang, focused, kept)
                result.prompt_tokens = self._prompt_tokens(messages)
            text = "".join(_tee(self.llm.stream(messages, self.settings.llm.max_tokens), emit))
            result.raw_answer = text
            self._check(result, text, terms)
        result.timings = {
            "retrieval_ms": round(retrieval_ms, 1),
            "first_token_ms": round(first_token[0], 1)
            if first_token
            else round((time.perf_counter() - t0) * 1000, 1),
            "total_ms": round((time.perf_counter() - t0) * 1000, 1),
        }
        return result

    # ---- answer checks

    def _refuse(self, result: Answer, why: str) -> None:
        result.answer = prompt(self.settings, f"refusal_{result.lang}.txt").strip()
        result.refused = True
        result.citations = []
        result.flags.append(why)

    def _extractive(self, result: Answer, terms: dict[str, float]) -> None:
        """The best-supported sentences of the top passages, quoted and cited."""
        wants_number = bool(_ASKS_NUMBER.search(result.question))
        scored: list[tuple[float, int, str]] = []
        for n, p in enumerate(result.passages, 1):
            for sent in _sentences(p.text):
                if _squash(sent) in _squash(p.heading):
                    continue  # a caption or table title repeated in the heading answers nothing
                score = (
                    self.coverage(terms, sent) + 0.15 * self.coverage(terms, p.heading) - 0.03 * n
                )
                if wants_number and _NUMBER.search(sent):
                    score += 0.1
                if self.lacks(result.entities, [p]):
                    score -= 0.4  # about another zone or year than the one asked
                if _TABLE_ROW.fullmatch(sent.strip()):
                    name = sent.split()[0]
                    if len(name) >= 2 and name[:2] in result.standalone:
                        score += 0.5  # the row the question names
                elif not re.search(r"[。！？；;!?]$", sent.strip()) and len(sent) < 60:
                    score -= 0.25  # a title or caption states nothing
                scored.append((score, n, sent))
        scored.sort(key=lambda s: -s[0])
        if not scored or scored[0][0] < 0.1:  # only sentences about another zone or year are left
            self._refuse(result, "no_supported_sentence")
            return
        several = bool(_SEVERAL.search(result.question))
        best = [scored[0]]
        for cand in scored[1:8]:
            enough = cand[0] >= (0.6 if several else 0.85) * best[0][0]
            if enough and all(cand[1] != b[1] for b in best) and len(best) < (3 if several else 2):
                best.append(cand)
        lead = "From the documents (in Chinese): " if result.lang == "en" else ""
        parts = []
        for _, n, sent in best:
            heading = result.passages[n - 1].heading
            if _TABLE_ROW.fullmatch(sent.strip()) and heading:  # a table row: say which table
                sent = f"{heading.split(' > ')[-1]}：{sent.strip()}"
            parts.append(f"{sent.rstrip()}[{n}]")
        result.answer = lead + "".join(parts)
        self._cite(result, {n: [s] for _, n, s in best})

    def _cite(self, result: Answer, cited: dict[int, list[str]]) -> None:
        cits = []
        for n in sorted(cited):
            p = result.passages[n - 1]
            text = _squash(p.text)
            numbers = [x for s in cited[n] for x in _NUMBER.findall(_MARKER.sub("", s))]
            supported = all(x in text for x in numbers) and any(
                len(bigrams(s) & bigrams(p.text)) >= 2 for s in cited[n]
            )
            cits.append(
                Citation(n, p.doc_id, p.chunk_id, p.heading, p.text, p.score, supported, cited[n])
            )
        result.citations = cits

    def _check(self, result: Answer, text: str, terms: dict[str, float]) -> None:
        """Validate the model's answer: markers, figures, refusals; attach missing citations."""
        passages = result.passages
        text = text.strip()
        refused = bool(_REFUSAL.search(text))
        body = _MARKER.sub("", text).strip(" \n。.,，")
        if refused and len(_squash(body)) < 40:
            if (
                result.support >= self.settings.answer.override_refusal_support
            ):  # the passages cover it: quote them
                result.flags.append("llm_refusal_overridden")
                self._extractive(result, terms)
            else:
                self._refuse(result, "llm_refused")
            return
        if not body:
            result.flags.append("llm_empty_replaced")
            self._extractive(result, terms)
            return
        allowed_numbers = set(_NUMBER.findall(result.question))
        all_text = _squash("\n".join(p.text for p in passages))
        cited: dict[int, list[str]] = {}
        kept_sentences: list[str] = []
        for sent in _sentences(text):
            markers = {
                int(x) for m in _MARKER.findall(sent) for x in re.split(r"[,，、\s]+", m) if x
            }
            clean = _MARKER.sub("", sent).strip()
            if not clean.strip("。.,，;； "):
                continue
            numbers = [x for x in _NUMBER.findall(clean) if x not in allowed_numbers]
            if any(x not in all_text for x in numbers):
                result.flags.append("removed_unsupported_figure")
                continue
            valid = {m for m in markers if 1 <= m <= len(passages)}
            if markers - valid:
                result.flags.append("removed_invalid_marker")
            if not valid:  # attach: the passage sharing the sentence's figures and most words
                best = max(
                    range(len(passages)),
                    key=lambda i: (
                        sum(x in _squash(passages[i].text) for x in numbers),
                        len(bigrams(clean) & bigrams(passages[i].text)),
                    ),
                )
                if len(bigrams(clean) & bigrams(passages[best].text)) >= 3 or numbers:
                    valid = {best + 1}
                    result.flags.append("citation_attached")
            for m in sorted(valid):
                cited.setdefault(m, []).append(clean)
            kept_sentences.append(clean.rstrip() + "".join(f"[{m}]" for m in sorted(valid)))
        if not kept_sentences:
            self._refuse(result, "nothing_supported")
            return
        if cited and self.lacks(result.entities, [passages[n - 1] for n in cited]):
            self._refuse(result, "cited_passages_miss_entity")
            return
        result.answer = ("" if result.lang == "zh" else " ").join(kept_sentences)
        self._cite(result, cited)


def _tee(tokens: Any, emit: Callable[[str], None]) -> Any:
    for tok in tokens:
        emit(tok)
        yield tok
