"""The Gradio web UI. It calls the same public functions as the CLI: ingest, ask, delete."""

from __future__ import annotations

import html
import queue
import re
import shutil
import sys
import threading
from pathlib import Path
from typing import Any

from assistant.answer import Answer, Answerer
from assistant.config import Settings
from assistant.index import Index
from assistant.ingest import ingest_paths
from assistant.llm import PROVIDERS, LLMError, get_llm

EXAMPLES = [
    "汝州产业集聚区在全省排第几？",
    "鹤淇产业集聚区入驻了多少家企业？",
    "汝南街道2023年的省外资金目标是多少？",
    "How many enterprises are in the Heqi industrial cluster zone?",
]
LABELS = {
    "zh": {"title": "产业集聚区文档问答", "ask": "提问", "new": "新对话", "sources": "引用来源", "docs": "文档管理",
           "upload": "上传文档（txt、md、pdf、docx、html）", "delete": "删除", "provider": "模型", "k": "检索段落数",
           "placeholder": "输入问题，例如：汝州产业集聚区在全省排第几？", "other": "检索到但未引用的段落"},
    "en": {"title": "Policy document Q&A", "ask": "Ask", "new": "New conversation", "sources": "Sources", "docs": "Documents",
           "upload": "Upload documents (txt, md, pdf, docx, html)", "delete": "Delete", "provider": "Model", "k": "Passages",
           "placeholder": "Ask a question, e.g. How many enterprises are in the Heqi zone?", "other": "Retrieved but not cited"},
}


def prepare_index(settings: Settings) -> Index:
    """Open the index and bring seeds/ into it (a no-op after the first run)."""
    index = Index(settings)
    if settings.seeds_dir.is_dir():
        report = ingest_paths(index, [settings.seeds_dir])
        added = report.count("added") + report.count("updated")
        if added:
            print(f"ingested {added} seed documents", file=sys.stderr)
    return index


def safe_name(name: str) -> str:
    """A file name with no directories, no traversal and no odd characters."""
    base = Path(name.replace("\\", "/")).name
    base = re.sub(r"[^\w.\-\u3400-\u9fff]", "_", base).lstrip(".")
    return base[:120] or "upload.txt"


def render_sources(result: Answer, lang: str) -> str:
    """Cited passages, supporting sentences highlighted; uncited ones folded below."""
    out = []
    cited = {c.chunk_id for c in result.citations}
    for c in result.citations:
        text = html.escape(c.text)
        for sentence in c.sentences:
            for part in re.split(r"[，,；;]", sentence):
                part = part.strip(" 。")
                if len(part) >= 6 and html.escape(part) in text:
                    text = text.replace(html.escape(part), f"<mark>{html.escape(part)}</mark>", 1)
        out.append(f"<details id='src-{c.n}' class='source' open><summary><b>[{c.n}] {html.escape(c.doc)}</b> "
                   f"<small>{html.escape(c.heading)}</small></summary><p style='white-space:pre-wrap'>{text}</p></details>")
    others = [p for p in result.passages if p.chunk_id not in cited]
    if others:
        out.append(f"<details><summary>{LABELS[lang]['other']} ({len(others)})</summary>")
        for p in others:
            out.append(f"<p><b>{html.escape(p.doc_id)}</b> <small>{html.escape(p.heading)}</small><br>"
                       f"<span style='white-space:pre-wrap'>{html.escape(p.text)}</span></p>")
        out.append("</details>")
    return "\n".join(out)


def _text(content: Any) -> str:
    """Gradio sends message content as a string or as a list of {"type": "text", "text": ...}."""
    if isinstance(content, list):
        return " ".join(str(part.get("text", "")) if isinstance(part, dict) else str(part) for part in content)
    return str(content)


def link_markers(answer: str) -> str:
    return re.sub(r"\[(\d+)\]", r"[[\1]](#src-\1)", answer)


def build(settings: Settings, index: Index):  # noqa: ANN201 - gradio Blocks
    import gradio as gr

    lang = settings.ui.language
    t = LABELS[lang]

    def answerer_for(provider: str) -> Answerer:
        s = settings.model_copy(update={"llm": settings.llm.model_copy(update={"provider": provider})})
        return Answerer(s, index, get_llm(s))

    def respond(message: str, chat: list[dict[str, Any]], provider: str, k: int):
        if not message.strip():
            yield chat, "", gr.update()
            return
        history = [{"role": m["role"], "content": _text(m["content"])} for m in chat]
        chat = chat + [{"role": "user", "content": message}, {"role": "assistant", "content": "…"}]
        yield chat, "", gr.update()
        try:
            answerer = answerer_for(provider)
        except LLMError as exc:
            chat[-1]["content"] = f"⚠️ {exc}"
            yield chat, "", gr.update()
            return
        tokens: queue.Queue[str | None] = queue.Queue()
        box: dict[str, Any] = {}

        def work() -> None:
            try:
                box["result"] = answerer.ask(message, history=history, on_token=tokens.put, k=int(k))
            except Exception as exc:  # shown to the user, never a traceback
                box["error"] = exc
            finally:
                tokens.put(None)

        threading.Thread(target=work, daemon=True).start()
        partial = ""
        while (tok := tokens.get()) is not None:
            partial += tok
            chat[-1]["content"] = partial
            yield chat, "", gr.update()
        if "error" in box:
            chat[-1]["content"] = f"⚠️ {box['error']}"
            yield chat, "", gr.update()
            return
        result: Answer = box["result"]
        chat[-1]["content"] = ("🔍 " if result.refused else "") + link_markers(result.answer)
        yield chat, "", render_sources(result, lang)

    def doc_rows() -> list[list[Any]]:
        import time as _t

        return [[d.doc_id, d.n_chunks, _t.strftime("%Y-%m-%d %H:%M", _t.localtime(d.added_at))] for d in index.catalog.documents()]

    def upload(files: list[str] | None):
        lines = []
        settings.uploads_dir.mkdir(parents=True, exist_ok=True)
        for f in files or []:
            src = Path(f)
            size_mb = src.stat().st_size / 1e6
            if size_mb > settings.ui.max_upload_mb:
                lines.append(f"❌ {src.name}: {size_mb:.0f} MB is over the {settings.ui.max_upload_mb} MB limit (ui.max_upload_mb)")
                continue
            dest = settings.uploads_dir / safe_name(src.name)
            shutil.copy(src, dest)
            report = ingest_paths(index, [dest])
            for r in report.results:
                if r.status == "failed":
                    dest.unlink(missing_ok=True)
                    lines.append(f"❌ {r.doc_id}: {r.error}")
                else:
                    lines.append(f"✅ {r.doc_id}: {r.status}, {r.chunks} chunks")
        return "\n".join(lines), doc_rows(), gr.update(choices=[d.doc_id for d in index.catalog.documents()])

    def delete(doc_id: str | None):
        if doc_id:
            index.delete(doc_id)
            (settings.uploads_dir / doc_id).unlink(missing_ok=True)
        return doc_rows(), gr.update(choices=[d.doc_id for d in index.catalog.documents()], value=None)

    with gr.Blocks(title=t["title"], analytics_enabled=False) as demo:
        gr.Markdown(f"# {t['title']}")
        with gr.Tab(t["ask"]):
            with gr.Row():
                with gr.Column(scale=3):
                    chatbot = gr.Chatbot(label=t["ask"], height=460)
                    box = gr.Textbox(label=t["ask"], placeholder=t["placeholder"], elem_id="question")
                    with gr.Row():
                        send = gr.Button(t["ask"], variant="primary", elem_id="send")
                        new = gr.Button(t["new"], elem_id="new")
                    gr.Examples(EXAMPLES, inputs=box)
                with gr.Column(scale=2):
                    gr.Markdown(f"### {t['sources']}")
                    sources = gr.HTML(elem_id="sources")
                    provider = gr.Dropdown(list(PROVIDERS), value=settings.llm.provider, label=t["provider"])
                    k = gr.Slider(1, 10, value=settings.retrieval.k, step=1, label=t["k"])
            send.click(respond, [box, chatbot, provider, k], [chatbot, box, sources])
            box.submit(respond, [box, chatbot, provider, k], [chatbot, box, sources])
            new.click(lambda: ([], "", ""), None, [chatbot, box, sources])
        with gr.Tab(t["docs"]):
            files = gr.File(label=t["upload"], file_count="multiple", elem_id="upload")
            log = gr.Textbox(label="", lines=4, interactive=False, elem_id="upload-log")
            table = gr.Dataframe(headers=["document", "chunks", "added"], value=doc_rows, interactive=False)
            with gr.Row():
                pick = gr.Dropdown([d.doc_id for d in index.catalog.documents()], label=t["delete"])
                remove = gr.Button(t["delete"], variant="stop")
            files.upload(upload, files, [log, table, pick])
            remove.click(delete, pick, [table, pick])
    return demo


def launch(settings: Settings) -> int:
    index = prepare_index(settings)
    if settings.llm.provider != "extractive":
        print(f"loading the {settings.llm.provider} model ...", file=sys.stderr)
        try:
            get_llm(settings)
        except LLMError as exc:
            print(f"warning: {exc} (answers fall back to the model chosen in the page)", file=sys.stderr)
    demo = build(settings, index)
    demo.queue(default_concurrency_limit=2).launch(
        server_name=settings.ui.host,
        server_port=settings.ui.port,
        share=False,
        auth=[tuple(a) for a in settings.ui.auth] or None,
    )
    return 0
