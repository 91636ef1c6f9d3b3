"""The assistant's parts as LangChain components, for use inside other people's chains.

- `HybridRetriever`: a `BaseRetriever` over the hybrid search (dense + BM25, fused by RRF);
  each `Document` carries doc id, title, heading path, offsets, fused score and the rank
  each retriever gave it.
- `AssistantEmbeddings`: an `Embeddings` over the configured embedder; `embed_query` and
  `embed_documents` stay apart because e5-style models prefix queries and passages differently.
- `AnswerRunnable`: the whole answer stage (rewrite, retrieve, answer, check citations) as a
  `Runnable`: a question (or `{"question", "history", "k", "answer_lang"}`) in, the answer
  with its citations out as a dict; `.stream()` yields `{"token": ...}` chunks, then the
  final dict (chunks add up, LangChain-style, to the final dict plus the whole text).

Only langchain-core is needed (a base dependency).
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import Runnable, RunnableConfig
from langchain_core.runnables.utils import AddableDict
from pydantic import ConfigDict

from assistant.config import Settings
from assistant.schema import Passage

__all__ = [
    "AnswerRunnable",
    "AssistantEmbeddings",
    "HybridRetriever",
    "format_docs",
    "passage_to_document",
]


def passage_to_document(passage: Passage) -> Document:
    """A retrieved passage as a LangChain Document (id = chunk id)."""
    return Document(
        id=passage.chunk_id,
        page_content=passage.text,
        metadata={
            "doc_id": passage.doc_id,
            "chunk_id": passage.chunk_id,
            "title": passage.title,
            "heading": passage.heading,
            "start": passage.start,
            "end": passage.end,
            "score": passage.score,
            "ranks": dict(passage.ranks),
        },
    )


def format_docs(docs: Sequence[Document]) -> str:
    """Numbered passages with their heading path, the way the assistant's own prompt cites them."""
    parts = []
    for n, doc in enumerate(docs, start=1):
        where = " > ".join(x for x in (doc.metadata.get("title"), doc.metadata.get("heading")) if x)
        parts.append(f"[{n}] {where}\n{doc.page_content}")
    return "\n\n".join(parts)


class HybridRetriever(BaseRetriever):
    """The hybrid search as a retriever; `k`, `mode` and `doc_ids` default to the config."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: Any
    k: int | None = None
    mode: str | None = None
    doc_ids: list[str] | None = None

    @classmethod
    def from_settings(cls, settings: Settings, **kwargs: Any) -> HybridRetriever:
        from assistant.index import Index

        return cls(index=Index(settings), **kwargs)

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        from assistant.retrieval import search

        passages = search(self.index, query, k=self.k, mode=self.mode, doc_ids=self.doc_ids)
        return [passage_to_document(p) for p in passages]


class AssistantEmbeddings(Embeddings):
    """The configured embedder (an `assistant.embeddings.Embedder`) as LangChain Embeddings."""

    def __init__(self, embedder: Any) -> None:
        self.embedder = embedder

    @classmethod
    def from_settings(cls, settings: Settings) -> AssistantEmbeddings:
        from assistant.embeddings import make_embedder

        return cls(make_embedder(settings.embedding))

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embedder.embed_passages(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embedder.embed_query(text).tolist()


_DONE = object()


class AnswerRunnable(Runnable[Any, dict[str, Any]]):
    """The answerer as a Runnable. Input: a question, or a dict with "question" and optional
    "history" ([{"role", "content"}]), "k", "answer_lang". Output: `Answer.to_dict()`."""

    def __init__(self, answerer: Any) -> None:
        self.answerer = answerer

    @classmethod
    def from_settings(cls, settings: Settings, index: Any = None) -> AnswerRunnable:
        """The configured LLM over the configured index (or the one given)."""
        from assistant.answer import Answerer
        from assistant.index import Index
        from assistant.llm import get_llm

        return cls(Answerer(settings, index or Index(settings), get_llm(settings)))

    @staticmethod
    def _arguments(value: Any) -> dict[str, Any]:
        if isinstance(value, str):
            return {"question": value}
        if isinstance(value, dict) and isinstance(value.get("question"), str):
            allowed = ("question", "history", "k", "answer_lang")
            return {key: value[key] for key in allowed if value.get(key) is not None}
        raise TypeError(
            f'AnswerRunnable takes a question or {{"question": ..., "history": [...]}}, '
            f"not {type(value).__name__}"
        )

    def _ask(self, value: Any, on_token: Any = None) -> dict[str, Any]:
        return self.answerer.ask(**self._arguments(value), on_token=on_token).to_dict()

    def invoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> dict:
        on_token = kwargs.get("on_token")  # set by stream()
        return self._call_with_config(self._ask, input, config, run_type="chain", on_token=on_token)

    def stream(
        self, input: Any, config: RunnableConfig | None = None, **kwargs: Any
    ) -> Iterator[dict[str, Any]]:
        """Tokens as the model writes them (`{"token": ...}`), then the final checked answer.

        The answerer reports tokens through a callback; it runs in a thread that feeds a
        queue, so this generator can hand each token on as it arrives.
        """
        self._arguments(input)  # a bad input fails here, not in the thread
        tokens: queue.Queue[Any] = queue.Queue()
        outcome: dict[str, Any] = {}

        def work() -> None:
            try:
                outcome["result"] = self.invoke(input, config, on_token=tokens.put)
            except BaseException as exc:  # handed to the consumer below
                outcome["error"] = exc
            finally:
                tokens.put(_DONE)

        thread = threading.Thread(target=work, name="answer-stream", daemon=True)
        thread.start()
        while (item := tokens.get()) is not _DONE:
            yield AddableDict(token=item)
        thread.join()
        if "error" in outcome:
            raise outcome["error"]
        yield AddableDict(outcome["result"])

    async def astream(
        self, input: Any, config: RunnableConfig | None = None, **kwargs: Any
    ) -> AsyncIterator[dict[str, Any]]:
        """`stream` for async callers: each chunk is awaited off the event loop."""
        chunks = self.stream(input, config)
        loop = asyncio.get_running_loop()
        while (chunk := await loop.run_in_executor(None, next, chunks, _DONE)) is not _DONE:
            yield chunk
