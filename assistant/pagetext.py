"""Text the page shows that it did not write: a user's question, a document's sentence, a
failure. Each is shown as what it is - a question bubble as plain text, a quote with the
source's characters (markup escaped, as in the sources panel), a failure as a sentence in
the page's language naming the component and what to do, never an errno or a traceback.
"""

from __future__ import annotations

import html
import re
import sys
import traceback

from assistant.llm import LLMError
from assistant.messages import say

# Markdown's own characters: escaped, they are shown rather than read as markup.
_MARKDOWN = re.compile(r"([\\`*_\[\]|~#])")
QUESTION_SHOWN = 500  # characters of an over-long question the bubble still shows


def plain(text: str) -> str:
    """Text for a chat bubble (rendered as Markdown, then sanitised HTML) that appears
    exactly as written: "<b>" stays "<b>", "**" stays "**"."""
    return _MARKDOWN.sub(r"\\\1", html.escape(text, quote=False))


def question_bubble(question: str) -> str:
    """The user's question as plain text, an over-long one cut (it is refused anyway)."""
    if len(question) > QUESTION_SHOWN:
        question = question[:QUESTION_SHOWN] + "…"
    return plain(question)


def page_error(exc: BaseException, lang: str, provider: str = "") -> str:
    """The sentence the page shows for a failure. A failure with a message key (store,
    catalog, disk, question) is said in lang; a model's failure names the model; anything
    else is logged with its traceback and shown as a request to retry."""
    message = getattr(exc, "message", None)
    if callable(message) and getattr(exc, "key", ""):
        return str(message(lang))
    if isinstance(exc, LLMError):
        print(f"LLM error: {exc}", file=sys.stderr)
        return say("llm.failed", lang, provider=provider or "?")
    print("".join(traceback.format_exception(exc)), file=sys.stderr)
    return say("page.failed", lang)
