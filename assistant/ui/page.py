"""The page: its layout, which handler each event runs (and how many at once), and launching
it on the configured host and port."""

from __future__ import annotations

import os

from assistant.config import Settings
from assistant.index import Index
from assistant.llm import PROVIDERS
from assistant.messages import say
from assistant.serving import ModelQueue, StoreGuard
from assistant.ui.assets import CSS, EXAMPLES, HEAD
from assistant.ui.chat import chat_handlers
from assistant.ui.documents import document_handlers
from assistant.ui.models import ModelStatus, model_label
from assistant.ui.render import render_panel
from assistant.ui.store import prepare_index
from assistant.uploads import temp_dir


def build(
    settings: Settings,
    index: Index,
    status: ModelStatus | None = None,
    model_queue: ModelQueue | None = None,
):  # noqa: ANN201 - gradio Blocks
    """The page over this store; tests pass their own model status and queue."""
    import gradio as gr

    lang = settings.ui.language
    status = status or ModelStatus(settings)
    guard = StoreGuard()  # answers read together; an upload or delete writes alone
    model_queue = model_queue or ModelQueue()  # one model: the answers needing it take turns

    respond, new_conversation, pick_example = chat_handlers(
        settings, index, status, guard, model_queue
    )
    doc_rows, doc_choices, refresh_docs, upload, delete = document_handlers(settings, index, guard)

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
                            status.describe(settings.llm.provider, lang),
                            elem_id="model-status",
                        )
            timer = gr.Timer(1.0, active=False)
            ask_inputs = [box, chatbot, state, provider, k, answer_lang]
            ask_outputs = [chatbot, box, state, sources]
            # Answers run side by side (only their model stage takes turns, `ModelQueue`),
            # so a quote never waits behind another user's model answer; writes go one by one.
            one = {
                "concurrency_id": "answer",
                "concurrency_limit": settings.ui.concurrent_answers,
            }
            write = {"concurrency_id": "write", "concurrency_limit": 1}
            status_args = (
                [model_md, timer],
                {"api_name": False, "show_progress": "hidden"},
            )
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
                    doc_choices(),
                    label=say("ui.delete_pick", lang),
                    elem_id="delete-pick",
                )
                remove = gr.Button(say("ui.delete", lang), variant="stop", elem_id="delete")
            files.upload(upload, files, [log, table, pick, files], api_name="upload", **write)
            remove.click(delete, pick, [log, table, pick], api_name="delete", **write)
        timer.tick(
            model_status,
            provider,
            [model_md, timer],
            api_name=False,
            show_progress="hidden",
        )
        for shown in (provider.change, demo.load):  # the model's status, on a switch and on open
            shown(model_status, provider, [model_md, timer], api_name=False, show_progress="hidden")
        demo.load(
            refresh_docs,
            None,
            [table, pick],
            api_name="doc_rows",
            show_progress="hidden",
        )
    return demo


def launch(settings: Settings) -> int:
    """Open the store, start loading the model, and serve the page until stopped."""
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
