"""What the page shows of an answer, as HTML or markdown: the chat's draft, status line and
checked answer with linked [n], and the sources panel with the supporting sentences marked.
Every text comes from `assistant.messages`, in the answer's language."""

from __future__ import annotations

import html
import re
from typing import Any

from assistant.answer import Answer, bigrams, detect_lang
from assistant.messages import say
from assistant.pagetext import plain

_MARKERS = re.compile(r"\s*\[\d+\]")
_SENT = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]*")


def support_spans(passage: str, sentences: list[str]) -> list[tuple[int, int]]:
    """Character spans of the passage that support the cited sentences: the passage
    sentence(s) containing a quoted one (or a quoted fragment such as "104家"), else the
    passage sentence sharing most of its wording."""
    spans: list[tuple[int, int]] = []
    units = [(m.start(), m.end()) for m in _SENT.finditer(passage) if m.group().strip()]
    for sentence in sentences:
        s = _MARKERS.sub("", sentence).strip().rstrip("。.;；")
        if not s:
            continue
        at = passage.find(s)
        if at >= 0:
            inside = [u for u in units if u[0] < at + len(s) and at < u[1]]
            spans.append(
                (min(u[0] for u in inside), max(u[1] for u in inside))
                if inside
                else (at, at + len(s))
            )
            continue
        grams = bigrams(s)
        if not grams or not units:
            continue
        best = max(units, key=lambda u: len(grams & bigrams(passage[u[0] : u[1]])))
        if len(grams & bigrams(passage[best[0] : best[1]])) >= max(3, 0.3 * len(grams)):
            spans.append(best)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def highlight(passage: str, sentences: list[str]) -> str:
    """The passage as HTML with the supporting sentences in <mark>."""
    out, pos = [], 0
    for a, b in support_spans(passage, sentences):
        out += [
            html.escape(passage[pos:a]),
            "<mark>",
            html.escape(passage[a:b]),
            "</mark>",
        ]
        pos = b
    out.append(html.escape(passage[pos:]))
    return "".join(out)


def _source_block(
    anchor: str,
    label: str,
    doc: str,
    title: str,
    heading: str,
    body: str,
    cls: str,
    is_open: bool,
) -> str:
    """One passage: its document's title first (what a reader knows it by), the file
    name second, then the heading path."""
    name = title if title and title != doc else doc
    file_html = f" <span class='file'>{html.escape(doc)}</span>" if name != doc else ""
    heading_html = f" <span class='heading'>{html.escape(heading)}</span>" if heading else ""
    return (
        f"<details id='{anchor}' class='source {cls}'{' open' if is_open else ''}>"
        f"<summary><b class='doc-title'>{label}{html.escape(name)}</b>{file_html}{heading_html}"
        f"</summary><p class='passage'>{body}</p></details>"
    )


def render_turn(result: Answer, turn: int, lang: str, titles: dict[str, str] | None = None) -> str:
    """One answer's sources: cited passages open with the support highlighted; retrieved
    but uncited passages folded, each expandable on its own. `titles` (doc_id -> title,
    from the catalog) names documents no retrieved passage names."""
    known = {
        **(titles or {}),
        **{p.doc_id: p.title for p in result.passages if p.title},
    }
    out = []
    if result.refused or not result.citations:
        out.append(
            f"<div class='not-found'>{html.escape(say('answer.not_found_panel', lang))}</div>"
        )
    for c in result.citations:
        out.append(
            _source_block(
                f"src-{turn}-{c.n}",
                f"[{c.n}] ",
                c.doc,
                known.get(c.doc, ""),
                c.heading,
                highlight(c.text, c.sentences),
                "cited",
                True,
            )
        )
    cited = {c.chunk_id for c in result.citations}
    others = [p for p in result.passages if p.chunk_id not in cited]
    if others:
        out.append(
            f"<details class='uncited-group'><summary>{html.escape(say('ui.other', lang))}"
            f" ({len(others)})</summary>"
        )
        for p in others:
            out.append(
                _source_block(
                    f"other-{turn}-{p.chunk_id}",
                    "",
                    p.doc_id,
                    known.get(p.doc_id, ""),
                    p.heading,
                    html.escape(p.text),
                    "uncited",
                    False,
                )
            )
        out.append("</details>")
    return "\n".join(out)


def render_panel(turns: list[dict[str, Any]], lang: str) -> str:
    """The newest answer's sources open, earlier answers' folded below (their [n] still work)."""
    if not turns:
        return f"<p class='empty'>{html.escape(say('ui.no_sources', lang))}</p>"
    out = []
    for i, turn in enumerate(reversed(turns)):
        n = len(turns) - i
        q = html.escape(turn["question"][:60])
        out.append(
            f"<details class='turn' id='turn-{n}'{' open' if i == 0 else ''}>"
            f"<summary>{html.escape(say('ui.turn', lang, n=n))}{q}</summary>{turn['html']}</details>"
        )
    return "\n".join(out)


def link_markers(answer: str, turn: int) -> str:
    """[n] -> a markdown link to that answer's source n in the panel; the text between is
    shown as written (a quote keeps the source's "<b>" and "**")."""
    parts = re.split(r"\[(\d+)\]", answer)
    out = [plain(parts[0])]
    for i in range(1, len(parts), 2):
        out += [f"[[{parts[i]}]](#src-{turn}-{parts[i]})", plain(parts[i + 1])]
    return "".join(out)


def _plain(text: str) -> str:
    """An answer without citation markers and white space, to tell a rewrite from a re-cite."""
    return re.sub(r"\s+|[\[【［]\s*\d+(?:\s*[,，、]\s*\d+)*\s*[\]】］]", "", text)


def answer_language(question: str, answer_lang: str) -> str:
    """The language an answer is shown in: the one chosen in the settings, else the
    question's. Its status line, check badge and refusal label follow it, not the page."""
    return answer_lang if answer_lang in ("zh", "en") else detect_lang(question)


def status_message(text: str) -> str:
    """A line in place of the answer while it waits (queue, model loading)."""
    return f"<small class='answer-status'>{html.escape(text)}</small>"


def draft_message(partial: str, lang: str) -> str:
    """What streams while the model writes: greyed, marked as not yet checked."""
    return (
        f"<span class='draft-text'>{html.escape(partial)}</span>\n\n"
        f"<small class='drafting'>{html.escape(say('answer.drafting', lang))}</small>"
    )


def chat_message(result: Answer, turn: int, lang: str) -> str:
    """The checked answer that replaces the draft; says so when the check changed the text."""
    late = ""
    if result.out_of_time_s:
        note = say("answer.out_of_time", lang, secs=f"{result.out_of_time_s:g}")
        late = f"<br><small class='out-of-time'>{html.escape(note)}</small>"
    if result.refused:
        return (
            f"<div class='not-found'>🔍 <b>{html.escape(result.answer)}</b><br>"
            f"<small>{html.escape(say('answer.not_found_hint', lang))}</small>{late}</div>"
        )
    changed = bool(result.raw_answer) and _plain(result.raw_answer) != _plain(result.answer)
    if changed:
        label = say("answer.checked_changed", lang)
        badge = f"<small class='checked changed'>{html.escape(label)}</small>"
    else:
        key = "answer.checked_quoted" if result.produced_by == "quote" else "answer.checked"
        badge = f"<small class='checked'>{html.escape(say(key, lang))}</small>"
    return f"{link_markers(result.answer, turn)}\n\n{badge}{late}"


def queue_message(ahead: int, secs: float, lang: str) -> str:
    """排队中：前面还有 N 个回答，约 M 秒 - what a user whose answer needs the model sees."""
    key = "queue.waiting_one" if ahead == 1 else "queue.waiting"
    return status_message(say(key, lang, n=ahead, secs=max(1, round(secs))))
