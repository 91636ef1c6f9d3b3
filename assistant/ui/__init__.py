"""The Gradio web UI. It calls the same public functions as the CLI: ingest, ask, delete.

Slow work never blocks the page: the model loads in a background thread at start-up (its
status is shown and polled). Answers run side by side for all sessions; only their model
stage takes turns (`assistant.serving`), and a user waiting for it sees how many answers
are ahead and about how long. Uploads and deletes are written one at a time. Every text
shown comes from `assistant.messages`, in the page's language (`ui.language`) - an answer's
own status line, badge and refusal label in the answer's language.

The parts: `assets` (examples, CSS, script), `render` (an answer as HTML), `models` (the
LLMs' loading state), `store` (opening the store, background writes), `chat` and
`documents` (the two tabs' handlers) and `page` (layout, wiring, launch). The names app.py
and the tests use are re-exported here.
"""

from __future__ import annotations

from assistant.ui.models import ModelStatus, model_label
from assistant.ui.page import build, launch
from assistant.ui.render import (
    answer_language,
    chat_message,
    draft_message,
    highlight,
    link_markers,
    queue_message,
    render_panel,
    render_turn,
    status_message,
    support_spans,
)
from assistant.ui.store import prepare_index, writing_in_background

__all__ = [
    "ModelStatus",
    "answer_language",
    "build",
    "chat_message",
    "draft_message",
    "highlight",
    "launch",
    "link_markers",
    "model_label",
    "prepare_index",
    "queue_message",
    "render_panel",
    "render_turn",
    "status_message",
    "support_spans",
    "writing_in_background",
]
