"""The Gradio web UI. It calls the same public functions as the CLI."""

from __future__ import annotations

import html
import sys

from assistant.config import Settings
from assistant.index import Index
from assistant.ingest import ingest_paths
from assistant.retrieval import search


def prepare_index(settings: Settings) -> Index:
    """Open the index and bring seeds/ into it (a no-op after the first run)."""
    index = Index(settings)
    if settings.seeds_dir.is_dir():
        report = ingest_paths(index, [settings.seeds_dir])
        added = report.count("added") + report.count("updated")
        if added:
            print(f"ingested {added} seed documents", file=sys.stderr)
    return index


def build(settings: Settings, index: Index):  # noqa: ANN201 - gradio Blocks
    import gradio as gr

    def run_search(query: str) -> str:
        if not query.strip():
            return ""
        rows = []
        for i, p in enumerate(search(index, query), 1):
            rows.append(
                f"<div class='passage'><b>[{i}] {html.escape(p.doc_id)}</b> "
                f"<small>{html.escape(p.heading)}</small><p>{html.escape(p.text)}</p></div>"
            )
        return "\n".join(rows) or "资料中未找到相关内容。"

    with gr.Blocks(title="产业集聚区文档问答", analytics_enabled=False) as demo:
        gr.Markdown("# 产业集聚区文档问答")
        box = gr.Textbox(label="问题", placeholder="例如：汝州产业集聚区在全省排第几？")
        out = gr.HTML()
        box.submit(run_search, box, out)
    return demo


def launch(settings: Settings) -> int:
    index = prepare_index(settings)
    demo = build(settings, index)
    demo.queue(default_concurrency_limit=1).launch(
        server_name=settings.ui.host,
        server_port=settings.ui.port,
        share=False,
        auth=[tuple(a) for a in settings.ui.auth] or None,
    )
    return 0
