"""The Gradio web UI. It calls the same public functions as the CLI: ingest, ask, delete.

Slow work never blocks the page: the model loads in a background thread at start-up (its
status is shown and polled), and the answering/ingesting events share one queue slot, so a
second browser session asking at the same time waits its turn (with its queue position
shown) instead of competing for the 2 cores or the single llama.cpp context.
"""

from __future__ import annotations

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

from assistant.answer import Answer, Answerer, bigrams
from assistant.config import Settings
from assistant.index import Index
from assistant.ingest import ingest_paths
from assistant.llm import PROVIDERS, LLMError, Message, get_llm, has_model

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
LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "title": "产业集聚区文档问答",
        "ask": "提问",
        "chat": "对话",
        "new": "新对话",
        "sources": "引用来源",
        "docs": "文档管理",
        "upload": "上传文档（txt、md、pdf、docx、html，可多选）",
        "delete": "删除",
        "delete_pick": "选择要删除的文档",
        "settings": "设置",
        "provider": "模型",
        "k": "检索段落数",
        "answer_lang": "回答语言",
        "lang_auto": "跟随问题",
        "question": "问题",
        "placeholder": "输入问题，例如：汝州产业集聚区在全省排第几？（回车发送）",
        "chat_placeholder": "### 请就已收录的文档提问\n中文或英文均可。回答只依据文档，并用 [1][2] 标出出处；点击编号查看原文。",
        "other": "检索到但未引用的段落",
        "turn": "第 {n} 问",
        "no_sources": "暂无引用。提问后，这里显示回答所依据的原文段落。",
        "not_found": "资料中未找到相关信息。",
        "not_found_hint": "已检索的文档里没有能回答这个问题的内容。可以换个说法，或在「文档管理」中上传相关文件。",
        "not_found_panel": "本次回答未引用任何段落。",
        "loading_answer": "⏳ 正在加载模型（只需一次），请稍候…",
        "thinking": "…",
        "col_doc": "文档",
        "col_title": "标题",
        "col_chunks": "段落数",
        "col_added": "添加时间",
        "status_loading": "⏳ 正在加载模型 **{name}**（只需一次；页面可照常使用）",
        "status_ready": "✅ 模型：**{name}**（{secs:.0f} 秒加载）",
        "status_extractive": "✅ 摘录模式：不用语言模型，直接引用原文句子",
        "status_error": "⚠️ 模型 **{name}** 加载失败：{error}",
        "progress": "⏳ {i}/{n} 正在导入 {name} …",
        "queued": "⏸ {i}/{n} {name} 排队中：另一个写入正在进行，结束后自动导入（{detail}）",
        "queued_delete": "⏸ 删除 {doc} 排队中：另一个写入正在进行（{detail}）",
        "done": "完成：{ok} 个成功，{bad} 个失败。",
        "too_big": "文件 {mb:.1f} MB，超过上限 {limit} MB（ui.max_upload_mb）",
        "ok": "{status}，{chunks} 个段落",
        "deleted": "已删除 {doc}",
        "added": "已添加",
        "updated": "已更新",
        "unchanged": "未变化",
        "log": "导入结果",
        "drafting": "✍️ 正在生成（未核对），核对后定稿…",
        "checked": "✔ 已按资料核对",
        "checked_changed": "✔ 已按资料核对：生成稿中找不到依据的内容已删改",
        "checked_quoted": "✔ 原文摘录，已按资料核对",
    },
    "en": {
        "title": "Policy document Q&A",
        "ask": "Ask",
        "chat": "Chat",
        "new": "New conversation",
        "sources": "Sources",
        "docs": "Documents",
        "upload": "Upload documents (txt, md, pdf, docx, html; several at once)",
        "delete": "Delete",
        "delete_pick": "Document to delete",
        "settings": "Settings",
        "provider": "Model",
        "k": "Passages retrieved",
        "answer_lang": "Answer language",
        "lang_auto": "Same as the question",
        "question": "Question",
        "placeholder": "Ask a question, e.g. How many enterprises are in the Heqi zone? (Enter to send)",
        "chat_placeholder": "### Ask about the documents in the library\nIn Chinese or English. Answers come only from the documents, with [1][2] marking the source; click a number to see the passage.",
        "other": "Retrieved but not cited",
        "turn": "Question {n}",
        "no_sources": "No sources yet. After a question, the passages behind the answer appear here.",
        "not_found": "The documents do not say.",
        "not_found_hint": "Nothing in the documents answers this question. Try rephrasing it, or upload a relevant file under Documents.",
        "not_found_panel": "This answer cites no passage.",
        "loading_answer": "⏳ Loading the model (only once), please wait…",
        "thinking": "…",
        "col_doc": "Document",
        "col_title": "Title",
        "col_chunks": "Chunks",
        "col_added": "Added",
        "status_loading": "⏳ Loading model **{name}** (only once; the page stays usable)",
        "status_ready": "✅ Model: **{name}** (loaded in {secs:.0f} s)",
        "status_extractive": "✅ Extractive mode: no language model, answers quote the documents",
        "status_error": "⚠️ Model **{name}** failed to load: {error}",
        "progress": "⏳ {i}/{n} ingesting {name} …",
        "queued": "⏸ {i}/{n} {name} is queued behind another writer ({detail})",
        "queued_delete": "⏸ deleting {doc} is queued behind another writer ({detail})",
        "done": "Done: {ok} succeeded, {bad} failed.",
        "too_big": "{mb:.1f} MB is over the {limit} MB limit (ui.max_upload_mb)",
        "ok": "{status}, {chunks} chunks",
        "deleted": "Deleted {doc}",
        "added": "added",
        "updated": "updated",
        "unchanged": "unchanged",
        "log": "Ingest log",
        "drafting": "✍️ Being written (not yet checked)…",
        "checked": "✔ Checked against the documents",
        "checked_changed": "✔ Checked against the documents: unsupported parts of the draft were removed or rewritten",
        "checked_quoted": "✔ Quoted from the documents and checked",
    },
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
    """Open the index and bring seeds/ into it on the first run only (so that a seed
    document deleted in the page stays deleted after a restart)."""
    index = Index(settings)
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
    index: Index, command: str, pipeline: threading.Lock, job: Any, box: dict[str, Any]
):  # noqa: ANN201 - a generator of status notes
    """Run a write (upload, delete) in a thread holding the store's writer lock, then the
    page's pipeline lock; yield a note each time it is still queued behind another writer
    (a CLI ingest, another upload). Leaves the job's result or error in `box`."""
    notes: queue.Queue[str | None] = queue.Queue()

    def work() -> None:
        try:
            with index.writing(command, on_wait=notes.put), pipeline:
                box["result"] = job()
        except Exception as exc:  # shown to the user, never a traceback
            box["error"] = exc
        finally:
            notes.put(None)

    threading.Thread(target=work, name=command, daemon=True).start()
    while (note := notes.get()) is not None:
        yield note


def safe_name(name: str) -> str:
    """A file name with no directories, no traversal and no odd characters."""
    base = Path(name.replace("\\", "/")).name
    base = re.sub(r"[^\w.\-\u3400-\u9fff]", "_", base).lstrip(".")
    return base[:120] or "upload.txt"


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
    anchor: str, label: str, doc: str, heading: str, body: str, cls: str, is_open: bool
) -> str:
    heading_html = f" <span class='heading'>{html.escape(heading)}</span>" if heading else ""
    return (
        f"<details id='{anchor}' class='source {cls}'{' open' if is_open else ''}>"
        f"<summary><b>{label}{html.escape(doc)}</b>{heading_html}</summary>"
        f"<p class='passage'>{body}</p></details>"
    )


def render_turn(result: Answer, turn: int, lang: str) -> str:
    """One answer's sources: cited passages open with the support highlighted; retrieved
    but uncited passages folded, each expandable on its own."""
    t = LABELS[lang]
    out = []
    if result.refused or not result.citations:
        out.append(f"<div class='not-found'>{html.escape(t['not_found_panel'])}</div>")
    for c in result.citations:
        out.append(
            _source_block(
                f"src-{turn}-{c.n}",
                f"[{c.n}] ",
                c.doc,
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
            f"<details class='uncited-group'><summary>{html.escape(t['other'])} ({len(others)})</summary>"
        )
        for p in others:
            out.append(
                _source_block(
                    f"other-{turn}-{p.chunk_id}",
                    "",
                    p.doc_id,
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
    t = LABELS[lang]
    if not turns:
        return f"<p class='empty'>{html.escape(t['no_sources'])}</p>"
    out = []
    for i, turn in enumerate(reversed(turns)):
        n = len(turns) - i
        q = html.escape(turn["question"][:60])
        out.append(
            f"<details class='turn' id='turn-{n}'{' open' if i == 0 else ''}>"
            f"<summary>{html.escape(t['turn'].format(n=n))}：{q}</summary>{turn['html']}</details>"
        )
    return "\n".join(out)


def link_markers(answer: str, turn: int) -> str:
    """[n] -> a markdown link to that answer's source n in the panel."""
    return re.sub(r"\[(\d+)\]", rf"[[\1]](#src-{turn}-\1)", answer)


def _plain(text: str) -> str:
    """An answer without citation markers and white space, to tell a rewrite from a re-cite."""
    return re.sub(r"\s+|[\[【［]\s*\d+(?:\s*[,，、]\s*\d+)*\s*[\]】］]", "", text)


def draft_message(partial: str, lang: str) -> str:
    """What streams while the model writes: greyed, marked as not yet checked."""
    return (
        f"<span class='draft-text'>{html.escape(partial)}</span>\n\n"
        f"<small class='drafting'>{html.escape(LABELS[lang]['drafting'])}</small>"
    )


def chat_message(result: Answer, turn: int, lang: str) -> str:
    """The checked answer that replaces the draft; says so when the check changed the text."""
    t = LABELS[lang]
    if result.refused:
        return (
            f"<div class='not-found'>🔍 <b>{html.escape(result.answer)}</b><br>"
            f"<small>{html.escape(t['not_found_hint'])}</small></div>"
        )
    changed = bool(result.raw_answer) and _plain(result.raw_answer) != _plain(result.answer)
    if changed:
        badge = f"<small class='checked changed'>{html.escape(t['checked_changed'])}</small>"
    else:
        label = t["checked_quoted"] if result.produced_by == "quote" else t["checked"]
        badge = f"<small class='checked'>{html.escape(label)}</small>"
    return f"{link_markers(result.answer, turn)}\n\n{badge}"


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
        t = LABELS[lang]
        state = self.state.get(provider, "")
        if not has_model(provider):
            return t["status_extractive"]
        name = self.names.get(provider) or model_label(self.settings, provider)
        if state == "ready":
            return t["status_ready"].format(name=name, secs=self.seconds.get(provider, 0.0))
        if state == "error":
            return t["status_error"].format(name=name, error=self.errors.get(provider, ""))
        if state == "loading":
            return t["status_loading"].format(name=name)
        return ""


def model_label(settings: Settings, provider: str) -> str:
    """What the settings panel shows for a provider: its model, never a key or URL."""
    if provider == "local":
        return f"local · {Path(settings.llm.model_path).name or 'qwen2.5-coder-1.5b-instruct (bundled)'}"
    if not has_model(provider):
        return f"{provider} · " + (
            "摘录原文，不用模型" if settings.ui.language == "zh" else "quotes, no model"
        )
    return f"{provider} · {settings.llm.model}"


# --------------------------------------------------------------------------- the app


def build(settings: Settings, index: Index, status: ModelStatus | None = None):  # noqa: ANN201 - gradio Blocks
    import gradio as gr

    lang = settings.ui.language
    t = LABELS[lang]
    status = status or ModelStatus(settings)
    pipeline = threading.Lock()  # guards ingest/delete against a concurrent ask on the same index

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
        history: list[Message] = []
        for turn in turns:
            history += [
                {"role": "user", "content": turn["question"]},
                {"role": "assistant", "content": turn["answer"]},
            ]
        cold = has_model(provider) and status.state.get(provider) != "ready"
        waiting = t["loading_answer"] if cold else t["thinking"]
        chat += [{"role": "user", "content": message}, {"role": "assistant", "content": waiting}]
        yield chat, "", turns, gr.skip()
        tokens: queue.Queue[str | None] = queue.Queue()
        box: dict[str, Any] = {}

        def work() -> None:
            try:
                llm = status.load(provider)
                answerer = Answerer(status.settings_for(provider), index, llm)
                with pipeline:
                    box["result"] = answerer.ask(
                        message,
                        history=history,
                        on_token=tokens.put,
                        k=int(k),
                        answer_lang=None if answer_lang == "auto" else answer_lang,
                    )
            except Exception as exc:  # shown to the user, never a traceback
                box["error"] = exc
            finally:
                tokens.put(None)

        threading.Thread(target=work, name="answer", daemon=True).start()
        partial = ""
        while (tok := tokens.get()) is not None:
            partial += tok
            chat[-1] = {"role": "assistant", "content": draft_message(partial, lang)}
            yield chat, "", turns, gr.skip()
        if "error" in box:
            chat[-1] = {"role": "assistant", "content": f"⚠️ {box['error']}"}
            yield chat, "", turns, gr.skip()
            return
        result: Answer = box["result"]
        n = len(turns) + 1
        turns.append(
            {
                "question": message,
                "answer": result.answer,
                "html": render_turn(result, n, lang),
                "refused": result.refused,
            }
        )
        chat[-1] = {"role": "assistant", "content": chat_message(result, n, lang)}
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
        return [
            [
                d.doc_id,
                d.title,
                d.n_chunks,
                time.strftime("%Y-%m-%d %H:%M", time.localtime(d.added_at)),
            ]
            for d in index.catalog.documents()
        ]

    def doc_choices() -> list[str]:
        return [d.doc_id for d in index.catalog.documents()]

    def refresh_docs():
        return doc_rows(), gr.update(choices=doc_choices(), value=None)

    def upload(files: list[str] | None, progress=gr.Progress()):  # noqa: B008 - gradio's injection idiom
        files = list(files or [])
        lines: list[str] = []
        ok = bad = 0
        settings.uploads_dir.mkdir(parents=True, exist_ok=True)
        for i, f in enumerate(files, 1):
            src = Path(f)
            name = safe_name(src.name)
            progress((i - 1, len(files)), desc=name)
            yield (
                "\n".join([*lines, t["progress"].format(i=i, n=len(files), name=name)]),
                gr.skip(),
                gr.skip(),
            )
            size = src.stat().st_size
            if size > settings.ui.max_upload_mb * 1024 * 1024:
                lines.append(
                    f"❌ {name}: "
                    + t["too_big"].format(mb=size / 1024 / 1024, limit=settings.ui.max_upload_mb)
                )
                bad += 1
                continue
            dest = settings.uploads_dir / name
            backup = dest.with_name(f".{name}.previous")
            if dest.exists():
                os.replace(dest, backup)  # restored if the new version fails
            shutil.copyfile(src, dest)
            box: dict[str, Any] = {}
            for note in writing_in_background(
                index, "upload", pipeline, lambda d=dest: ingest_paths(index, [d]), box
            ):
                queued = t["queued"].format(i=i, n=len(files), name=name, detail=note)
                yield "\n".join([*lines, queued]), gr.skip(), gr.skip()
            results = box["result"].results if "result" in box else []
            failures = [box["error"]] if "error" in box else []
            failures += [r.error for r in results if r.status == "failed"]
            if failures:  # the previous version of the file comes back
                dest.unlink(missing_ok=True)
                if backup.exists():
                    os.replace(backup, dest)
                lines += [f"❌ {name}: {e}" for e in failures]
                bad += len(failures)
                continue
            backup.unlink(missing_ok=True)
            for r in results:
                lines.append(
                    f"✅ {r.doc_id}: "
                    + t["ok"].format(status=t.get(r.status, r.status), chunks=r.chunks)
                )
                ok += 1
        progress((len(files), len(files)))
        lines.append(t["done"].format(ok=ok, bad=bad))
        rows, choices = refresh_docs()
        yield "\n".join(lines), rows, choices

    def delete(doc_id: str | None):
        message = ""
        if doc_id:
            box: dict[str, Any] = {}
            for note in writing_in_background(
                index, "delete", pipeline, lambda: index.delete(doc_id), box
            ):
                yield t["queued_delete"].format(doc=doc_id, detail=note), gr.skip(), gr.skip()
            if "error" in box:
                message = f"❌ {doc_id}: {box['error']}"
            else:
                (settings.uploads_dir / safe_name(doc_id)).unlink(missing_ok=True)
                message = "🗑️ " + t["deleted"].format(doc=doc_id)
        rows, choices = refresh_docs()
        yield message, rows, choices

    def model_status(provider: str):
        return status.describe(provider, lang), gr.Timer(active=status.loading())

    # What the registry holds, plus the configured provider if it is a "module:Class" path.
    providers = list(dict.fromkeys([*PROVIDERS, settings.llm.provider]))
    with gr.Blocks(title=t["title"], analytics_enabled=False) as demo:
        gr.Markdown(f"# {t['title']}")
        with gr.Tab(t["ask"], id="ask"):
            with gr.Row():
                with gr.Column(scale=3):
                    state = gr.State([])
                    chatbot = gr.Chatbot(
                        label=t["chat"],
                        height=480,
                        elem_id="chat",
                        placeholder=t["chat_placeholder"],
                        examples=[{"text": q} for q in EXAMPLES[lang]],
                        feedback_options=None,
                        buttons=["copy", "copy_all"],
                    )
                    box = gr.Textbox(
                        label=t["question"],
                        placeholder=t["placeholder"],
                        elem_id="question",
                        lines=1,
                    )
                    with gr.Row():
                        send = gr.Button(t["ask"], variant="primary", elem_id="send")
                        new = gr.Button(t["new"], elem_id="new")
                with gr.Column(scale=2):
                    gr.Markdown(f"### {t['sources']}")
                    sources = gr.HTML(render_panel([], lang), elem_id="sources")
                    with gr.Accordion(t["settings"], open=True, elem_id="settings"):
                        provider = gr.Dropdown(
                            [(model_label(settings, p), p) for p in providers],
                            value=settings.llm.provider,
                            label=t["provider"],
                            elem_id="provider",
                        )
                        answer_lang = gr.Dropdown(
                            [(t["lang_auto"], "auto"), ("中文", "zh"), ("English", "en")],
                            value="auto",
                            label=t["answer_lang"],
                            elem_id="answer-lang",
                        )
                        k = gr.Slider(
                            1,
                            max(10, settings.retrieval.k),
                            value=settings.retrieval.k,
                            step=1,
                            label=t["k"],
                            elem_id="top-k",
                        )
                        model_md = gr.Markdown(
                            status.describe(settings.llm.provider, lang), elem_id="model-status"
                        )
            timer = gr.Timer(1.0, active=False)
            ask_inputs = [box, chatbot, state, provider, k, answer_lang]
            ask_outputs = [chatbot, box, state, sources]
            one = {
                "concurrency_id": "pipeline",
                "concurrency_limit": 1,
            }  # one answer or ingest at a time
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
        with gr.Tab(t["docs"], id="docs"):
            files = gr.File(label=t["upload"], file_count="multiple", elem_id="upload")
            log = gr.Textbox(
                label=t["log"], lines=4, max_lines=20, interactive=False, elem_id="upload-log"
            )
            table = gr.Dataframe(
                headers=[t["col_doc"], t["col_title"], t["col_chunks"], t["col_added"]],
                value=doc_rows(),
                interactive=False,
                elem_id="doc-table",
            )
            with gr.Row():
                pick = gr.Dropdown(doc_choices(), label=t["delete_pick"], elem_id="delete-pick")
                remove = gr.Button(t["delete"], variant="stop", elem_id="delete")
            files.upload(upload, files, [log, table, pick], api_name="upload", **one)
            remove.click(delete, pick, [log, table, pick], api_name="delete", **one)
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
