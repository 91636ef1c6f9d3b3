"""The Gradio web UI. It calls the same public functions as the CLI: ingest, ask, delete.

Slow work never blocks the page: the model loads in a background thread at start-up (its
status is shown and polled). Answers run side by side for all sessions; only their model
stage takes turns (`assistant.serving`), and a user waiting for it sees how many answers
are ahead and about how long. Uploads and deletes are written one at a time. Every text
shown comes from `assistant.messages`, in the page's language (`ui.language`) - an answer's
own status line, badge and refusal label in the answer's language.
"""

from __future__ import annotations

import errno
import html
import os
import queue
import re
import shutil
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.answer import Answer, Answerer, bigrams, detect_lang
from assistant.config import Settings
from assistant.index import Index
from assistant.index.errors import DiskFullError
from assistant.ingest import FileResult, ingest_paths
from assistant.llm import PROVIDERS, LLMError, Message, get_llm, has_model
from assistant.messages import say
from assistant.pagetext import page_error, plain, question_bubble
from assistant.serving import GatedLLM, ModelQueue, StoreGuard
from assistant.uploads import discard_temp, safe_name, settle_uploads, temp_dir

EXAMPLES = {
    "zh": [
        "鹤淇产业集聚区入驻了多少家企业？",
        "汝州产业集聚区在全省排第几？",
        "汝南街道2023年的省外资金目标是多少？",
        "How many enterprises are in the Heqi industrial cluster zone?",
    ],
    "en": [
        "How many enterprises are in the Heqi industrial cluster zone?",
        "鹤淇产业集聚区入驻了多少家企业？",
        "汝州产业集聚区在全省排第几？",
        "汝南街道2023年的省外资金目标是多少？",
    ],
}
CSS = """
#sources mark { background: #fff3a3; padding: 0 1px; border-radius: 2px; }
#sources details.source { border: 1px solid var(--border-color-primary); border-radius: 6px; padding: 6px 10px; margin: 6px 0; }
#sources details.source > summary { cursor: pointer; }
#sources .heading { color: var(--body-text-color-subdued); font-size: 0.85em; }
#sources .passage { white-space: pre-wrap; margin: 6px 0 0; line-height: 1.6; }
#sources details.flash { animation: src-flash 1.6s ease-out; }
@keyframes src-flash { from { background: #ffe27a; } to { background: transparent; } }
#sources .not-found, #chat .not-found { color: #41617d; }
#sources .not-found { background: #eef4f9; border-left: 4px solid #8fb3d1; padding: 8px 12px; border-radius: 4px; }
#sources details.turn > summary { font-weight: 600; cursor: pointer; margin-top: 8px; }
#chat a.cite, #chat a[href^="#src-"] { text-decoration: none; font-weight: 600; }
#model-status { font-size: 0.9em; }
#chat .drafting { color: #8a6d1d; font-style: italic; }
#chat .draft-text { color: var(--body-text-color-subdued); }
#chat .checked { color: #2e7d4f; }
#chat .checked.changed { color: #8a4b1d; }
#chat .answer-status { color: var(--body-text-color-subdued); }
#sources .file { color: var(--body-text-color-subdued); font-size: 0.85em; font-weight: normal; }
/* the chat's label and its clear/copy icons float over the top of the chat: the messages
   scroll in the space below them, never under them */
#chat .bubble-wrap { margin-top: 38px; height: calc(100% - 38px) !important; }
"""

# A citation [n] in the chat is a link to #src-<turn>-<n> in the sources panel; clicking it
# opens that passage (and the groups around it), scrolls it into view and flashes it.
HEAD = """
<script>
document.addEventListener('click', function (e) {
  var a = e.target && e.target.closest ? e.target.closest('a[href^="#src-"]') : null;
  if (!a) return;
  e.preventDefault();
  e.stopPropagation();
  var el = document.getElementById(a.getAttribute('href').slice(1));
  if (!el) return;
  for (var p = el; p; p = p.parentElement) { if (p.tagName === 'DETAILS') p.open = true; }
  el.scrollIntoView({behavior: 'smooth', block: 'center'});
  el.classList.remove('flash'); void el.offsetWidth; el.classList.add('flash');
}, true);
</script>
"""

SEEDED_MARKER = ".seeded"


def prepare_index(settings: Settings) -> Index:
    """Open the index, repair what a killed writer left (an interrupted upload: its
    pending document, its vectors, its copy in uploads/), and bring seeds/ into it on the
    first run only (so that a seed document deleted in the page stays deleted after a
    restart)."""
    index = Index(settings)
    with index.writing("start", on_wait=lambda m: print(m, file=sys.stderr)) as repaired:
        removed = settle_uploads(index)
    done = {k: v for k, v in {**repaired, "orphan_uploads": removed}.items() if v}
    if done:
        print(f"repaired an interrupted earlier run: {done}", file=sys.stderr)
    marker = settings.data_dir / SEEDED_MARKER
    if settings.seeds_dir.is_dir() and not marker.exists():
        report = ingest_paths(
            index, [settings.seeds_dir], on_wait=lambda m: print(m, file=sys.stderr)
        )
        added = report.count("added") + report.count("updated")
        if added:
            print(f"ingested {added} seed documents", file=sys.stderr)
        marker.write_text(str(settings.seeds_dir.resolve()), encoding="utf-8")
    return index


def writing_in_background(
    index: Index, command: str, guard: StoreGuard, job: Any, box: dict[str, Any]
):  # noqa: ANN201 - a generator of status notes
    """Run a write (upload, delete) in a thread holding the store's writer lock, then the
    page's guard (no answer reads meanwhile); yield a note each time it is still queued
    behind another writer (a CLI ingest, another upload). Leaves the job's result or error
    in `box`."""
    notes: queue.Queue[str | None] = queue.Queue()

    def work() -> None:
        try:
            with index.writing(command, on_wait=notes.put), guard.writing():
                box["result"] = job()
        except Exception as exc:  # shown to the user, never a traceback
            box["error"] = exc
        finally:
            notes.put(None)

    threading.Thread(target=work, name=command, daemon=True).start()
    while (note := notes.get()) is not None:
        yield note


# --------------------------------------------------------------------------- rendering

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
        out += [html.escape(passage[pos:a]), "<mark>", html.escape(passage[a:b]), "</mark>"]
        pos = b
    out.append(html.escape(passage[pos:]))
    return "".join(out)


def _source_block(
    anchor: str, label: str, doc: str, title: str, heading: str, body: str, cls: str, is_open: bool
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
    known = {**(titles or {}), **{p.doc_id: p.title for p in result.passages if p.title}}
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
    if result.refused:
        return (
            f"<div class='not-found'>🔍 <b>{html.escape(result.answer)}</b><br>"
            f"<small>{html.escape(say('answer.not_found_hint', lang))}</small></div>"
        )
    changed = bool(result.raw_answer) and _plain(result.raw_answer) != _plain(result.answer)
    if changed:
        label = say("answer.checked_changed", lang)
        badge = f"<small class='checked changed'>{html.escape(label)}</small>"
    else:
        key = "answer.checked_quoted" if result.produced_by == "quote" else "answer.checked"
        badge = f"<small class='checked'>{html.escape(say(key, lang))}</small>"
    return f"{link_markers(result.answer, turn)}\n\n{badge}"


def queue_message(ahead: int, secs: float, lang: str) -> str:
    """排队中：前面还有 N 个回答，约 M 秒 - what a user whose answer needs the model sees."""
    key = "queue.waiting_one" if ahead == 1 else "queue.waiting"
    return status_message(say(key, lang, n=ahead, secs=max(1, round(secs))))


# --------------------------------------------------------------------------- model loading


@dataclass
class ModelStatus:
    """Which LLMs are loaded, loading or failed; the page polls this."""

    settings: Settings
    state: dict[str, str] = field(default_factory=dict)  # provider -> loading | ready | error
    names: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def settings_for(self, provider: str) -> Settings:
        return self.settings.model_copy(
            update={"llm": self.settings.llm.model_copy(update={"provider": provider})}
        )

    def load(self, provider: str) -> Any:
        """The provider's LLM (None for extractive), loading it once; raises LLMError."""
        if not has_model(provider):
            self.state[provider] = "ready"
            return None
        if self.state.get(provider) != "ready":
            self.state[provider] = "loading"
        t0 = time.perf_counter()
        try:
            llm = get_llm(self.settings_for(provider))  # cached per process, one load at a time
        except LLMError as exc:
            self.state[provider], self.errors[provider] = "error", str(exc)
            raise
        if self.state.get(provider) != "ready":
            self.seconds[provider] = time.perf_counter() - t0
        self.state[provider], self.names[provider] = "ready", llm.name
        return llm

    def start(self) -> None:
        """Load the configured provider in the background, so the page is up at once."""
        provider = self.settings.llm.provider
        if not has_model(provider):
            self.state[provider] = "ready"
            return
        self.state[provider] = "loading"

        def run() -> None:
            print(f"loading the {provider} model ...", file=sys.stderr)
            try:
                self.load(provider)
                print(
                    f"model {self.names[provider]} ready in {self.seconds[provider]:.1f}s",
                    file=sys.stderr,
                )
            except LLMError as exc:
                print(f"warning: {exc} (choose another model in the page)", file=sys.stderr)

        threading.Thread(target=run, name="model-loader", daemon=True).start()

    def loading(self) -> bool:
        return "loading" in self.state.values()

    def describe(self, provider: str, lang: str) -> str:
        state = self.state.get(provider, "")
        if not has_model(provider):
            return say("model.extractive", lang)
        name = self.names.get(provider) or model_label(self.settings, provider)
        if state == "ready":
            return say("model.ready", lang, name=name, secs=self.seconds.get(provider, 0.0))
        if state == "error":
            error = self.errors.get(provider, "").rstrip("。. ")
            return say("model.error", lang, name=name, error=error)
        if state == "loading":
            return say("model.loading", lang, name=name)
        return ""


def model_label(settings: Settings, provider: str) -> str:
    """What the settings panel shows for a provider: its model, never a key or URL."""
    if provider == "local":
        return f"local · {Path(settings.llm.model_path).name or 'qwen2.5-coder-1.5b-instruct (bundled)'}"
    if not has_model(provider):
        return f"{provider} · " + say("ui.extractive_choice", settings.ui.language)
    return f"{provider} · {settings.llm.model}"


# --------------------------------------------------------------------------- the app


def build(
    settings: Settings,
    index: Index,
    status: ModelStatus | None = None,
    model_queue: ModelQueue | None = None,
):  # noqa: ANN201 - gradio Blocks
    import gradio as gr

    lang = settings.ui.language
    status = status or ModelStatus(settings)
    guard = StoreGuard()  # answers read together; an upload or delete writes alone
    model_queue = model_queue or ModelQueue()  # one model: the answers needing it take turns

    def respond(
        message: str,
        chat: list[dict[str, Any]],
        turns: list[dict[str, Any]],
        provider: str,
        k: int,
        answer_lang: str,
    ):
        chat, turns = list(chat or []), list(turns or [])
        if not message or not message.strip():
            yield chat, message or "", turns, gr.skip()
            return
        message = message.strip()
        limit = settings.answer.max_question_chars
        if limit and len(message) > limit:  # refused here: the answer slot stays free
            refusal = say("question.too_long", lang, n=len(message), limit=limit)
            chat += [
                {"role": "user", "content": question_bubble(message)},
                {"role": "assistant", "content": f"⚠️ {plain(refusal)}"},
            ]
            yield chat, "", turns, gr.skip()
            return
        shown = answer_language(message, answer_lang)
        history: list[Message] = []
        for turn in turns:
            history += [
                {"role": "user", "content": turn["question"]},
                {"role": "assistant", "content": turn["answer"]},
            ]
        cold = has_model(provider) and status.state.get(provider) != "ready"
        waiting = say("model.loading_answer" if cold else "answer.thinking", shown)
        chat += [
            {"role": "user", "content": question_bubble(message)},
            {"role": "assistant", "content": status_message(waiting)},
        ]
        yield chat, "", turns, gr.skip()
        events: queue.Queue[tuple[str, Any]] = queue.Queue()
        box: dict[str, Any] = {}

        def work() -> None:
            gated: GatedLLM | None = None
            try:
                llm = status.load(provider)
                if llm is not None:
                    gated = GatedLLM(
                        llm,
                        model_queue,
                        on_wait=lambda ahead, secs: events.put(("queued", (ahead, secs))),
                        on_start=lambda: events.put(("started", None)),
                        aside=guard.aside,
                    )
                answerer = Answerer(status.settings_for(provider), index, gated)
                with guard.reading():
                    box["result"] = answerer.ask(
                        message,
                        history=history,
                        on_token=lambda tok: events.put(("token", tok)),
                        k=int(k),
                        answer_lang=None if answer_lang == "auto" else answer_lang,
                    )
            except Exception as exc:  # shown to the user, never a traceback
                box["error"] = exc
            finally:
                if gated is not None:
                    gated.release()
                events.put(("done", None))

        threading.Thread(target=work, name="answer", daemon=True).start()
        partial, last = "", ""
        while (event := events.get())[0] != "done":
            kind, value = event
            if kind == "token":
                partial += value
                content = draft_message(partial, shown)
            elif kind == "queued":
                content = queue_message(*value, shown)
            else:  # the model is ours now
                content = status_message(say("answer.thinking", shown))
            if content != last:  # the queue repeats itself every second
                last = content
                chat[-1] = {"role": "assistant", "content": content}
                yield chat, "", turns, gr.skip()
        if "error" in box:
            text = page_error(box["error"], lang, model_label(settings, provider))
            chat[-1] = {"role": "assistant", "content": f"⚠️ {plain(text)}"}
            yield chat, "", turns, gr.skip()
            return
        result: Answer = box["result"]
        n = len(turns) + 1
        titles = {d.doc_id: d.title for d in index.catalog.documents()}
        turns.append(
            {
                "question": message,
                "answer": result.answer,
                "html": render_turn(result, n, lang, titles),
                "refused": result.refused,
            }
        )
        chat[-1] = {"role": "assistant", "content": chat_message(result, n, shown)}
        yield chat, "", turns, render_panel(turns, lang)

    def new_conversation():
        return [], "", [], render_panel([], lang)

    def pick_example(evt: gr.SelectData) -> str:
        value = evt.value
        return str(value.get("text", "")) if isinstance(value, dict) else str(value)

    pick_example.__annotations__["evt"] = (
        gr.SelectData
    )  # gradio reads the real class, not the string

    def doc_rows() -> list[list[Any]]:
        """Title first (what a reader knows a document by), the file name second."""
        return [
            [
                d.title or d.doc_id,
                d.doc_id,
                d.n_chunks,
                time.strftime("%Y-%m-%d %H:%M", time.localtime(d.added_at)),
            ]
            for d in index.catalog.documents()
        ]

    def doc_choices() -> list[str]:
        return [d.doc_id for d in index.catalog.documents()]

    def refresh_docs():
        return doc_rows(), gr.update(choices=doc_choices(), value=None)

    def ingested(results: list[FileResult]) -> list[str]:
        return [
            f"✅ {r.doc_id}: "
            + say("ingest.ok", lang, status=say(f"ingest.{r.status}", lang), chunks=r.chunks)
            for r in results
        ]

    def upload(files: list[str] | None, progress=gr.Progress()):  # noqa: B008 - gradio's injection idiom
        """Ingest the files just dropped, one line each in the log; the box is emptied at
        the end, so the next upload sends only its own files. Gradio's copies never outlive
        the upload, whatever became of it."""
        files = list(files or [])
        try:
            yield from _upload(files, progress)
        finally:
            for f in files:
                discard_temp(Path(f), settings)

    def _upload(files: list[str], progress: Any):  # noqa: ANN202 - a generator of page updates
        picked: dict[str, Path] = {}  # a file picked twice is ingested (and listed) once
        for f in files:
            picked.setdefault(safe_name(Path(f).name), Path(f))
        lines: list[str] = []
        ok = bad = 0
        total = len(picked)
        settings.uploads_dir.mkdir(parents=True, exist_ok=True)
        settings.uploads_dir.chmod(0o700)
        for i, (name, src) in enumerate(picked.items(), 1):
            progress((i - 1, total), desc=name)
            note = say("ingest.progress", lang, i=i, n=total, name=name)
            yield "\n".join([*lines, note]), gr.skip(), gr.skip(), gr.skip()
            size = src.stat().st_size
            if size > settings.ui.max_upload_mb * 1024 * 1024:
                reason = say(
                    "upload.too_big", lang, mb=size / 1024 / 1024, limit=settings.ui.max_upload_mb
                )
                lines.append(f"❌ {name}: {reason}")
                bad += 1
                continue
            dest = settings.uploads_dir / name
            backup = dest.with_name(f".{name}.previous")
            if dest.exists():
                os.replace(dest, backup)  # restored if the new version fails
            box: dict[str, Any] = {}
            try:
                shutil.copyfile(src, dest)
            except OSError as exc:  # a full disk: nothing was written to the store
                full = exc.errno == errno.ENOSPC
                box["error"] = DiskFullError(settings.data_dir) if full else exc
            if not box:  # copied: ingested behind the writer lock, saying when it waits
                for detail in writing_in_background(
                    index, "upload", guard, lambda d=dest: ingest_paths(index, [d]), box
                ):
                    queued = say("ingest.queued", lang, i=i, n=total, name=name, detail=detail)
                    yield "\n".join([*lines, queued]), gr.skip(), gr.skip(), gr.skip()
            results = box["result"].results if "result" in box else []
            failures = [page_error(box["error"], lang)] if "error" in box else []
            failures += [r.reason(lang) for r in results if r.status == "failed"]
            if failures:  # the previous version of the file comes back
                dest.unlink(missing_ok=True)
                if backup.exists():
                    os.replace(backup, dest)
                lines.append(f"❌ {name}: " + "; ".join(failures))
                bad += 1
                continue
            backup.unlink(missing_ok=True)
            lines += ingested(results)
            ok += len(results)
        progress((total, total))
        lines.append(say("ingest.done", lang, ok=ok, bad=bad))
        rows, choices = refresh_docs()
        yield "\n".join(lines), rows, choices, None

    def delete(doc_id: str | None):
        message = ""
        if doc_id:
            box: dict[str, Any] = {}
            for detail in writing_in_background(
                index, "delete", guard, lambda: index.delete(doc_id), box
            ):
                yield (
                    say("docs.queued_delete", lang, doc=doc_id, detail=detail),
                    gr.skip(),
                    gr.skip(),
                )
            if "error" in box:
                message = f"❌ {doc_id}: {page_error(box['error'], lang)}"
            else:
                (settings.uploads_dir / safe_name(doc_id)).unlink(missing_ok=True)
                message = "🗑️ " + say("docs.deleted", lang, doc=doc_id)
        rows, choices = refresh_docs()
        yield message, rows, choices

    def model_status(provider: str):
        return status.describe(provider, lang), gr.Timer(active=status.loading())

    # What the registry holds, plus the configured provider if it is a "module:Class" path.
    providers = list(dict.fromkeys([*PROVIDERS, settings.llm.provider]))
    with gr.Blocks(title=say("ui.title", lang), analytics_enabled=False) as demo:
        gr.Markdown(f"# {say('ui.title', lang)}")
        with gr.Tab(say("ui.ask", lang), id="ask"):
            with gr.Row():
                with gr.Column(scale=3):
                    state = gr.State([])
                    chatbot = gr.Chatbot(
                        label=say("ui.chat", lang),
                        height=480,
                        elem_id="chat",
                        placeholder=say("ui.chat_placeholder", lang),
                        examples=[{"text": q} for q in EXAMPLES[lang]],
                        feedback_options=None,
                        buttons=["copy", "copy_all"],
                    )
                    box = gr.Textbox(
                        label=say("ui.question", lang),
                        placeholder=say("ui.placeholder", lang),
                        elem_id="question",
                        lines=1,
                    )
                    with gr.Row():
                        send = gr.Button(say("ui.ask", lang), variant="primary", elem_id="send")
                        new = gr.Button(say("ui.new", lang), elem_id="new")
                with gr.Column(scale=2):
                    gr.Markdown(f"### {say('ui.sources', lang)}")
                    sources = gr.HTML(render_panel([], lang), elem_id="sources")
                    with gr.Accordion(say("ui.settings", lang), open=True, elem_id="settings"):
                        provider = gr.Dropdown(
                            [(model_label(settings, p), p) for p in providers],
                            value=settings.llm.provider,
                            label=say("ui.provider", lang),
                            elem_id="provider",
                        )
                        answer_lang = gr.Dropdown(
                            [
                                (say("ui.lang_auto", lang), "auto"),
                                ("中文", "zh"),
                                ("English", "en"),
                            ],
                            value="auto",
                            label=say("ui.answer_lang", lang),
                            elem_id="answer-lang",
                        )
                        k = gr.Slider(
                            1,
                            max(10, settings.retrieval.k),
                            value=settings.retrieval.k,
                            step=1,
                            label=say("ui.k", lang),
                            elem_id="top-k",
                        )
                        model_md = gr.Markdown(
                            status.describe(settings.llm.provider, lang), elem_id="model-status"
                        )
            timer = gr.Timer(1.0, active=False)
            ask_inputs = [box, chatbot, state, provider, k, answer_lang]
            ask_outputs = [chatbot, box, state, sources]
            # Answers run side by side (only their model stage takes turns, `ModelQueue`),
            # so a quote never waits behind another user's model answer; writes go one by one.
            one = {"concurrency_id": "answer", "concurrency_limit": settings.ui.concurrent_answers}
            write = {"concurrency_id": "write", "concurrency_limit": 1}
            status_args = ([model_md, timer], {"api_name": False, "show_progress": "hidden"})
            send.click(respond, ask_inputs, ask_outputs, api_name="respond", **one).then(
                model_status, provider, status_args[0], **status_args[1]
            )
            box.submit(respond, ask_inputs, ask_outputs, api_name=False, **one).then(
                model_status, provider, status_args[0], **status_args[1]
            )
            chatbot.example_select(pick_example, None, box, api_name=False).then(
                respond, ask_inputs, ask_outputs, api_name=False, **one
            ).then(model_status, provider, status_args[0], **status_args[1])
            new.click(new_conversation, None, [chatbot, box, state, sources], api_name=False)
            chatbot.clear(new_conversation, None, [chatbot, box, state, sources], api_name=False)
        with gr.Tab(say("ui.docs", lang), id="docs"):
            files = gr.File(label=say("ui.upload", lang), file_count="multiple", elem_id="upload")
            log = gr.Textbox(
                label=say("ui.log", lang),
                lines=4,
                max_lines=20,
                interactive=False,
                elem_id="upload-log",
            )
            table = gr.Dataframe(
                headers=[
                    say(f"ui.{c}", lang)
                    for c in ("col_title", "col_doc", "col_chunks", "col_added")
                ],
                value=doc_rows(),
                interactive=False,
                elem_id="doc-table",
            )
            with gr.Row():
                pick = gr.Dropdown(
                    doc_choices(), label=say("ui.delete_pick", lang), elem_id="delete-pick"
                )
                remove = gr.Button(say("ui.delete", lang), variant="stop", elem_id="delete")
            files.upload(upload, files, [log, table, pick, files], api_name="upload", **write)
            remove.click(delete, pick, [log, table, pick], api_name="delete", **write)
        timer.tick(
            model_status, provider, [model_md, timer], api_name=False, show_progress="hidden"
        )
        provider.change(
            model_status, provider, [model_md, timer], api_name=False, show_progress="hidden"
        )
        demo.load(model_status, provider, [model_md, timer], api_name=False, show_progress="hidden")
        demo.load(refresh_docs, None, [table, pick], api_name="doc_rows", show_progress="hidden")
    return demo


def launch(settings: Settings) -> int:
    # Gradio keeps uploads in GRADIO_TEMP_DIR (read when the page is built): inside the
    # data folder, owner-only, not the world-readable /tmp/gradio.
    os.environ["GRADIO_TEMP_DIR"] = str(temp_dir(settings).resolve())
    index = prepare_index(settings)
    status = ModelStatus(settings)
    status.start()
    demo = build(settings, index, status)
    demo.queue(default_concurrency_limit=4).launch(
        server_name=settings.ui.host,
        server_port=settings.ui.port,
        share=False,
        auth=[tuple(a) for a in settings.ui.auth] or None,
        css=CSS,
        head=HEAD,
    )
    return 0
