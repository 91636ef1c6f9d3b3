"""LangChain: the retriever, embeddings and answerer in LCEL chains over the real seeded
store, and any chat model through init_chat_model against a real llama.cpp server."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import pytest
from langchain_core.documents import Document
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import RunnableLambda, RunnableParallel, RunnablePassthrough
from langchain_core.vectorstores import InMemoryVectorStore

from assistant.answer import Answerer
from assistant.config import LLMSettings
from assistant.integrations.langchain import (
    AnswerRunnable,
    AssistantEmbeddings,
    HybridRetriever,
    format_docs,
)
from assistant.llm import LLMError, get_llm
from assistant.llm.langchain import LangChainLLM, capabilities, chat_model_kwargs
from assistant.retrieval import search
from conftest import ScriptedLLM, model_reads

Q_FIRMS = "鹤淇产业集聚区入驻了多少家企业？"
Q_RANK = "汝州产业集聚区在全省排第几？"


# --------------------------------------------------------------------------- components


def test_retriever_returns_the_hybrid_search_as_documents(seeded):
    retriever = HybridRetriever(index=seeded, k=4)
    docs = retriever.invoke(Q_FIRMS)
    passages = search(seeded, Q_FIRMS, k=4)
    assert [d.id for d in docs] == [p.chunk_id for p in passages]
    top = docs[0]
    assert isinstance(top, Document) and "104" in top.page_content
    meta = top.metadata
    assert {"doc_id", "chunk_id", "title", "heading", "start", "end", "score", "ranks"} <= set(meta)
    assert meta["ranks"] and set(meta["ranks"]) <= {"dense", "keyword"}
    assert meta["score"] == passages[0].score and meta["end"] > meta["start"] >= 0
    assert [d.metadata["score"] for d in docs] == sorted(
        (d.metadata["score"] for d in docs), reverse=True
    )
    keyword = HybridRetriever(index=seeded, k=3, mode="keyword").invoke(Q_FIRMS)
    assert all(set(d.metadata["ranks"]) == {"keyword"} for d in keyword)


def test_embeddings_keep_query_and_passage_sides_apart(seeded):
    emb = AssistantEmbeddings(seeded.embedder)
    text = "鹤淇产业集聚区入驻企业104家"
    query, (doc,) = emb.embed_query(text), emb.embed_documents([text])
    assert len(query) == len(doc) == seeded.embedder.dim
    assert query != doc  # "query: " and "passage: " prefixes give different vectors
    # a standard LangChain vector store built on them finds the right seed passage
    passages = search(seeded, "入驻企业", k=8, mode="keyword") + search(seeded, Q_RANK, k=4)
    store = InMemoryVectorStore(embedding=emb)
    store.add_texts([p.text for p in passages], ids=[p.chunk_id for p in passages])
    (best,) = store.similarity_search(Q_RANK, k=1)
    assert "汝州" in best.page_content


def test_lcel_chain_composes_retriever_and_answerer(seeded):
    retriever = HybridRetriever(index=seeded, k=3)
    answerer = AnswerRunnable(Answerer(seeded.settings, seeded, None))  # extractive: no model
    chain = RunnableParallel(
        context=retriever | RunnableLambda(format_docs),
        question=RunnablePassthrough(),
        result=answerer,
    ) | RunnableLambda(lambda x: {**x, "cited": [c["n"] for c in x["result"]["citations"]]})
    out = chain.invoke(Q_FIRMS)
    assert out["question"] == Q_FIRMS and out["context"].startswith("[1] ")
    assert "104" in out["context"]
    result = out["result"]
    assert "104" in result["answer"] and not result["refused"] and out["cited"]
    assert result["citations"][0]["doc"] and result["passages"]
    with pytest.raises(TypeError, match="question"):
        answerer.invoke(42)


def test_answerer_takes_history_for_follow_ups(seeded):
    llm = ScriptedLLM(Q_FIRMS, "入驻企业104家[1]。")  # the rewrite, then the answer
    answerer = AnswerRunnable(Answerer(model_reads(seeded.settings), seeded, llm))
    history = [
        {"role": "user", "content": "汝州产业集聚区入驻了多少家企业？"},
        {"role": "assistant", "content": "……"},
    ]
    out = answerer.invoke({"question": "那鹤淇呢？", "history": history, "k": 4})
    assert out["standalone"] == Q_FIRMS and "104" in out["answer"]
    assert len(out["passages"]) <= 4 and not llm.replies


def test_answerer_streams_tokens_then_the_final_answer(seeded):
    reply = "鹤淇产业集聚区入驻企业104家[1]。"
    runnable = AnswerRunnable(
        Answerer(model_reads(seeded.settings), seeded, ScriptedLLM(reply, reply))
    )
    chunks = list(runnable.stream(Q_FIRMS))
    tokens = [c["token"] for c in chunks[:-1]]
    final = chunks[-1]
    assert len(tokens) >= 5 and all("token" in c and len(c) == 1 for c in chunks[:-1])
    assert "".join(tokens) == final["raw_answer"] == reply
    assert "104" in final["answer"] and [c["n"] for c in final["citations"]] == [1]
    # LangChain adds stream chunks up: the sum is the final dict plus the whole text
    total = chunks[0]
    for c in chunks[1:]:
        total = total + c
    assert total["token"] == reply and total["answer"] == final["answer"]

    # async callers get the same chunks
    async def collect():
        return [c async for c in runnable.astream(Q_FIRMS)]

    runnable.answerer.llm.replies.append(reply)
    achunks = asyncio.run(collect())
    assert achunks[:-1] == chunks[:-1] and achunks[-1]["answer"] == final["answer"]
    # inside a chain the stream still arrives token by token
    piped = list((RunnablePassthrough() | runnable).stream(Q_FIRMS))
    assert len(piped) == len(chunks) and piped[-1]["answer"] == final["answer"]


# --------------------------------------------------------------------------- chat models


class NoStreamChat(BaseChatModel):
    """A chat model that implements only `_generate`: no streaming, tokenizer or tools."""

    @property
    def _llm_type(self) -> str:
        return "no-stream"

    def _generate(self, messages, stop=None, run_manager=None, **kwargs):
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content="ok"))])


def test_capability_check_names_what_a_chat_model_lacks():
    caps = capabilities(NoStreamChat())
    assert not caps.streaming and caps.token_count == "estimate" and not caps.structured_output
    assert caps.max_tokens_field is None
    assert any("streaming" in m for m in caps.missing) and len(caps.missing) == 4


def test_chat_model_kwargs_follow_the_provider(seeded, monkeypatch):
    def kwargs(**llm):
        return chat_model_kwargs(
            seeded.settings.model_copy(update={"llm": LLMSettings(provider="langchain", **llm)})
        )

    monkeypatch.setenv("TEST_LC_KEY", "sk-test")
    ollama = kwargs(model="ollama:qwen2.5:7b", n_ctx=8192, api_key_env="TEST_LC_KEY")
    assert ollama["num_ctx"] == 8192 and "api_key" not in ollama and "base_url" not in ollama
    hosted = kwargs(model="deepseek:deepseek-chat", api_key_env="TEST_LC_KEY", max_retries=5)
    assert hosted["api_key"] == "sk-test" and hosted["max_retries"] == 5
    local = kwargs(model="openai:x", base_url="http://127.0.0.1:1/v1", api_key_env="TEST_NONE")
    assert local["base_url"] == "http://127.0.0.1:1/v1" and local["api_key"] == "not-needed"
    extra = kwargs(model="openai:x", model_kwargs={"temperature": 0.7, "top_p": 0.9})
    assert extra["temperature"] == 0.7 and extra["top_p"] == 0.9


def test_langchain_provider_reports_bad_models(seeded):
    def load(model: str):
        llm = LLMSettings(provider="langchain", model=model)
        return LangChainLLM(seeded.settings.model_copy(update={"llm": llm}))

    with pytest.raises(LLMError, match="provider:model"):
        load("no-such-provider-model")
    try:
        import langchain_cohere  # noqa: F401
    except ImportError:
        with pytest.raises(LLMError, match="langchain-cohere|partner package"):
            load("cohere:command-r")


def _check(seeded, **llm: str) -> subprocess.CompletedProcess:
    """`assistant check` with the [llm] settings given as environment variables."""
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(seeded.settings.data_dir)}
    env.update({f"ASSISTANT_LLM__{k.upper()}": v for k, v in llm.items()})
    return subprocess.run(
        [sys.executable, "-c", "from assistant.cli import run; run()", "check"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_check_command_names_the_missing_partner_package(seeded):
    try:
        import langchain_ollama  # noqa: F401

        pytest.skip("langchain-ollama is installed")
    except ImportError:
        pass
    out = _check(seeded, provider="langchain", model="ollama:qwen2.5:7b")
    assert out.returncode == 2 and "langchain-ollama" in out.stderr and "[ollama]" in out.stderr
    assert "extractive" in _check(seeded, provider="extractive").stdout


@pytest.mark.slow
def test_init_chat_model_against_a_real_llama_cpp_server(seeded, llama_server):
    llm_cfg = LLMSettings(
        provider="langchain",
        model="openai:qwen-test",
        base_url=llama_server,
        api_key_env="TEST_NO_KEY",
        n_ctx=4096,
    )
    settings = seeded.settings.model_copy(update={"llm": llm_cfg})
    llm = get_llm(settings)
    assert isinstance(llm, LangChainLLM) and llm.name == "langchain/openai:qwen-test"
    assert llm.n_ctx == 4096 and llm.capabilities.streaming
    assert llm.capabilities.token_count in ("model", "estimate") and llm.count_tokens(Q_FIRMS) > 0
    short = list(llm.stream([{"role": "user", "content": "用三句话介绍河南省。"}], 4))
    assert 1 <= len(short) <= 4  # the output limit reaches the server
    settings = model_reads(settings)
    result = Answerer(settings, seeded, llm).ask(Q_FIRMS)
    assert "104" in result.answer and result.citations and not result.refused
    assert result.llm["model"] == "langchain/openai:qwen-test"
    # the same model behind the Runnable: tokens stream, then the checked answer
    chunks = list(AnswerRunnable(Answerer(settings, seeded, llm)).stream(Q_RANK))
    assert len(chunks) > 3 and chunks[-1]["answer"] and "token" not in chunks[-1]
    assert "".join(c["token"] for c in chunks[:-1]).strip()
    # the config check loads the same model and reports its capabilities
    out = _check(
        seeded,
        provider="langchain",
        model="openai:qwen-test",
        base_url=llama_server,
        api_key_env="TEST_NO_KEY",
    )
    assert out.returncode == 0, out.stderr
    assert "langchain/openai:qwen-test" in out.stdout and "max_tokens" in out.stdout
    assert any(line.split() == ["streaming", "yes"] for line in out.stdout.splitlines())
