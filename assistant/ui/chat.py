"""Answering in the page: a question runs in a thread of its own, and the chat shows where it
is (model loading, queued behind other answers for the model, drafting) until the checked
answer and its sources replace the draft."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from typing import Any, NamedTuple

from assistant.answer import Answer, Answerer, Budget
from assistant.config import Settings
from assistant.index import Index
from assistant.llm import Message, has_model
from assistant.messages import say
from assistant.pagetext import page_error, plain, question_bubble
from assistant.serving import GatedLLM, ModelQueue, StoreGuard
from assistant.ui.models import ModelStatus, model_label
from assistant.ui.render import (
    answer_language,
    chat_message,
    draft_message,
    queue_message,
    render_panel,
    render_turn,
    status_message,
)


class ChatHandlers(NamedTuple):
    """The ask tab's handlers."""

    respond: Callable[..., Any]
    new_conversation: Callable[[], Any]
    pick_example: Callable[[Any], str]


def chat_handlers(
    settings: Settings,
    index: Index,
    status: ModelStatus,
    guard: StoreGuard,
    model_queue: ModelQueue,
) -> ChatHandlers:
    """An answer streamed into the chat (queue, draft, checked answer, sources), a new
    conversation, an example question picked: the page's answering, apart from its layout."""
    import gradio as gr

    lang = settings.ui.language

    def respond(
        message: str,
        chat: list[dict[str, Any]],
        turns: list[dict[str, Any]],
        provider: str,
        k: int,
        answer_lang: str,
    ):
        asked_at = time.monotonic()  # the answer's time budget counts from here
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
            answer_settings = status.settings_for(provider)
            budget = Budget(answer_settings.answer.budget_s, start=asked_at)
            try:
                llm = status.load(provider)
                if llm is not None:
                    gated = GatedLLM(
                        llm,
                        model_queue,
                        on_wait=lambda ahead, secs: events.put(("queued", (ahead, secs))),
                        on_start=lambda: events.put(("started", None)),
                        aside=guard.aside,
                        latest=budget.latest_start,
                    )
                answerer = Answerer(answer_settings, index, gated)
                with guard.reading():
                    box["result"] = answerer.ask(
                        message,
                        history=history,
                        on_token=lambda tok: events.put(("token", tok)),
                        k=int(k),
                        answer_lang=None if answer_lang == "auto" else answer_lang,
                        budget=budget,
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

    return ChatHandlers(respond, new_conversation, pick_example)
