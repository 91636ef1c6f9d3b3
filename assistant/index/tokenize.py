"""jieba tokenising: what the keyword index stores and what questions are matched by."""

from __future__ import annotations

import logging
import re

_STOPWORDS = set(
    [
        "的",
        "了",
        "是",
        "在",
        "和",
        "与",
        "及",
        "或",
        "有",
        "为",
        "对",
        "把",
        "被",
        "从",
        "到",
        "向",
        "等",
        "其",
        "之",
        "以",
        "于",
        "中",
        "上",
        "下",
        "个",
        "这",
        "那",
        "哪",
        "哪些",
        "什么",
        "多少",
        "几",
        "几个",
        "吗",
        "呢",
        "吧",
        "啊",
        "呀",
        "么",
        "怎么",
        "怎样",
        "如何",
        "是否",
        "请问",
        "请",
        "问",
        "一下",
        "一个",
        "我",
        "你",
        "他",
        "她",
        "它",
        "我们",
        "他们",
        "它们",
        "哪里",
        "哪个",
        "the",
        "a",
        "an",
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "and",
        "or",
        "is",
        "are",
        "was",
        "were",
        "be",
        "what",
        "which",
        "who",
        "how",
        "many",
        "much",
        "does",
        "do",
        "did",
        "with",
        "by",
        "from",
        "as",
        "that",
        "this",
        "it",
        "its",
    ]
)
# "报道里出现了两个3000亩", "文中提到的汝绣园": how a question points at the document's
# wording, not what it asks about; no passage is better for saying "出现" itself.
MENTION_VERBS = frozenset({"出现", "提到", "提及", "说到", "谈到", "讲到", "写到", "写道"})
_STOPWORDS |= MENTION_VERBS
_TOKEN_OK = re.compile(r"[\w\u3400-\u9fff]")
_jieba_ready = False


def _jieba():  # noqa: ANN202 - jieba has no types
    global _jieba_ready
    import jieba

    if not _jieba_ready:
        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
        _jieba_ready = True
    return jieba


def tokenize(text: str) -> list[str]:
    """jieba search-mode tokens (words and their sub-words), lower-cased, no punctuation."""
    return [t.lower() for t in _jieba().cut_for_search(text) if t.strip() and _TOKEN_OK.search(t)]


def query_terms(text: str) -> list[str]:
    """Tokens worth matching in a question: no stopwords, no duplicates, order kept."""
    seen: dict[str, None] = {}
    for token in tokenize(text):
        if token not in _STOPWORDS:
            seen.setdefault(token, None)
    return list(seen)
