"""`make bench`: what the assistant costs on this machine, as a table and a JSON file.

Every figure is the median (and p90 where it applies) of repeated runs. Sections:
embedding, ingest, search at 1x/10x/100x the seeds, answering, memory; `bigfile` (one
generated text file, `--big-mb`) runs only when named; `load` drives the running app with
many sessions at once (`benchmarks/load.py`). Run one section with `--only search`
(repeatable); `--quick` uses fewer repetitions.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.config import LLMSettings, Settings, load_settings  # noqa: E402
from assistant.evaluation import load_questions  # noqa: E402
from assistant.index import Index  # noqa: E402
from assistant.ingest import ingest_paths  # noqa: E402
from assistant.machine import cpu_info  # noqa: E402
from assistant.retrieval import search  # noqa: E402

SEEDS = ROOT / "seeds"
QUESTIONS = load_questions(ROOT / "evals" / "questions.jsonl")


def stats(values: list[float]) -> dict[str, float]:
    values = sorted(values)
    p90 = values[min(len(values) - 1, round(0.9 * (len(values) - 1)))]
    return {"median": round(statistics.median(values), 2), "p90": round(p90, 2), "n": len(values)}


def timed(fn, *args, **kwargs) -> tuple[float, Any]:  # noqa: ANN001
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return (time.perf_counter() - t0) * 1000, out


def settings_for(data_dir: Path, **kw: Any) -> Settings:
    return load_settings(data_dir=data_dir, **kw)


# --------------------------------------------------------------------------- sections


def bench_embedding(reps: int) -> dict[str, Any]:
    """Default embedder on 200 seed chunks (the seeds repeated with a marker to reach 200)."""
    from assistant.chunking import chunk_document
    from assistant.embeddings import make_embedder
    from assistant.ingest import read_document

    s = settings_for(Path(tempfile.mkdtemp()))
    chunks = [
        c for p in sorted(SEEDS.glob("*.txt")) for c in chunk_document(read_document(p), s.chunking)
    ]
    texts = [c.embed_text() for c in chunks]
    sample = [texts[i % len(texts)] + ("" if i < len(texts) else f" ({i})") for i in range(200)]
    emb = make_embedder(s.embedding)
    runs = []
    for _ in range(reps):
        ms, _ = timed(emb.embed_passages, sample)
        runs.append(ms)
    chars = sum(len(t) for t in sample)
    med = statistics.median(runs) / 1000
    query = [timed(emb.embed_query, q.question)[0] for q in QUESTIONS[:50]]
    return {
        "model": emb.name,
        "chunks": len(sample),
        "mean_chars": round(chars / len(sample)),
        "chunks_per_s": round(len(sample) / med, 2),
        "chars_per_s": round(chars / med),
        "batch_seconds": stats([r / 1000 for r in runs]),
        "query_ms": stats(query),
    }


def _ingest_child(data_dir: Path, paths: list[Path]) -> dict[str, Any]:
    """Ingest in a child process so its peak memory is its own."""
    code = (
        "import json,resource,sys,time;from pathlib import Path;"
        "from assistant.config import load_settings;from assistant.index import Index;"
        "from assistant.ingest import ingest_paths;t=time.perf_counter();"
        f"i=Index(load_settings(data_dir=Path({str(data_dir)!r})));"
        f"r=ingest_paths(i,[Path(p) for p in {[str(p) for p in paths]!r}]);"
        "print(json.dumps({'s':time.perf_counter()-t,'embedded':sum(x.embedded for x in r.results),"
        "'chunks':sum(x.chunks for x in r.results),'rss_mb':resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_ingest(reps: int) -> dict[str, Any]:
    cold, warm, changed = [], [], []
    rss = []
    for _ in range(max(1, reps // 2)):
        tmp = Path(tempfile.mkdtemp())
        docs = tmp / "docs"
        shutil.copytree(SEEDS, docs)
        c = _ingest_child(tmp / "data", [docs])
        cold.append(c)
        rss.append(c["rss_mb"])
        for _ in range(reps):
            warm.append(_ingest_child(tmp / "data", [docs]))
        f = docs / "003_5e6f342b3dea3258.txt"
        f.write_text(
            f.read_text(encoding="utf-8").replace("170亿元", f"1{len(changed) + 71}亿元"),
            encoding="utf-8",
        )
        changed.append(_ingest_child(tmp / "data", [docs]))
        shutil.rmtree(tmp)
    return {
        "cold_s": stats([c["s"] for c in cold]),
        "cold_chunks": cold[0]["chunks"],
        "cold_chunks_per_s": round(cold[0]["chunks"] / statistics.median(c["s"] for c in cold), 2),
        "warm_s": stats([w["s"] for w in warm]),
        "warm_embedded": max(w["embedded"] for w in warm),
        "one_changed_s": stats([c["s"] for c in changed]),
        "one_changed_embedded": [c["embedded"] for c in changed],
        "peak_rss_mb": round(max(rss)),
    }


SIZES = (9_400, 20_000)
BIG = 200_000
CACHE = ROOT / "data" / "bench-cache"


def _proc_status(pid: int | str, field: str) -> float:
    """A /proc/PID/status memory field (VmRSS, VmHWM) in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _du_mb(path: Path) -> float:
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return round(sum(p.stat().st_size for p in files) / 1e6, 1)


def _seeds_store(cache: Path) -> Path:
    """The seeds ingested once (with their embeddings cached) under the bench cache."""
    import re

    from assistant.embeddings import make_embedder

    s = settings_for(cache)
    name = make_embedder(s.embedding).name
    root = cache / re.sub(r"[^\w.-]+", "_", name)
    seeds = root / "seeds"
    if not (seeds / "built.json").is_file():
        shutil.rmtree(seeds, ignore_errors=True)
        index = Index(settings_for(seeds))
        ingest_paths(index, [SEEDS])
        del index
        (seeds / "built.json").write_text(json.dumps({"seeds": str(SEEDS)}))
    return seeds


def measure_search(data_dir: Path, url: str, reps: int) -> dict[str, Any]:
    """One store, in its own process (so its RSS is its own): latency of each search mode,
    where hybrid's time goes, and the process's memory."""
    from assistant.index import query_terms

    s = settings_for(data_dir, vector_store={"url": url})
    index = Index(s)
    questions = [q.question for q in QUESTIONS if q.lang == "zh"][:50]
    row: dict[str, Any] = {"chunks": index.catalog.chunk_count()}
    for q in questions[:3]:
        search(index, q)  # warm: model, Chroma's segments, SQLite's pages
    runs = (
        ("dense", "dense", True),
        ("keyword", "keyword", True),
        ("hybrid_serial", "hybrid", False),
        ("hybrid", "hybrid", True),
    )
    # every mode on the same question in turn: a shared machine's load drifts, and this
    # way it drifts under all of them alike
    times: dict[str, list[float]] = {name: [] for name, _, _ in runs}
    parts: list[dict[str, float]] = []
    for _ in range(reps):
        for q in questions:
            for name, mode, concurrent in runs:
                t: dict[str, float] = {}
                search(index, q, 5, mode, concurrent=concurrent, timings=t)
                times[name].append(t["total_ms"])
                if name == "hybrid":
                    parts.append(t)
    for name, values in times.items():
        row[name] = stats(values)
    row["hybrid_parts"] = {
        part: stats([t[part] for t in parts])
        for part in ("embedding_ms", "chroma_ms", "keyword_ms", "fusion_ms")
    }
    vectors = {q: index.embedder.embed_query(q) for q in questions}
    row["chroma_only"] = stats(
        [timed(index.vectors.query, vectors[q], 30, None)[0] for q in questions]
    )
    row["query_embedding"] = stats([timed(index.embedder.embed_query, q)[0] for q in questions])
    row["fts5_only"] = stats(
        [timed(index.catalog.keyword_search, query_terms(q), 30, None)[0] for q in questions]
    )
    row["rss_mb"] = _proc_status("self", "VmRSS")
    row["peak_rss_mb"] = _proc_status("self", "VmHWM")
    return row


def _measure_child(data_dir: Path, url: str, reps: int) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--measure-search", str(data_dir), "--reps", str(reps)]
    if url:
        cmd += ["--url", url]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if out.returncode:
        raise RuntimeError(f"search measurement failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _chroma_server(path: Path) -> tuple[subprocess.Popen, str]:
    """`chroma run` on a store's Chroma folder, on a free loopback port."""
    import socket
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    exe = Path(sys.executable).parent / "chroma"
    proc = subprocess.Popen(
        [str(exe), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 300
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2)
            return proc, url
        except OSError:
            if time.time() > deadline or proc.poll() is not None:
                proc.kill()
                raise RuntimeError("chroma server did not start") from None
            time.sleep(0.5)


def bench_search(reps: int, big: bool, server: bool, cache: Path = CACHE) -> dict[str, Any]:
    """Search at the seeds' size, about 9,400 and 20,000 chunks (and 200,000 with `big`),
    against embedded Chroma and a `chroma run` server. Stores are built once (see
    benchmarks/synth.py) and kept under data/bench-cache/."""
    from benchmarks import synth

    seeds = _seeds_store(cache)
    stores = [seeds] + [
        synth.cached_store(
            seeds.parent,
            seeds,
            size,
            lambda p: Index(settings_for(p)),
            log=lambda m: print(m, file=sys.stderr),
        )
        for size in (*SIZES, *((BIG,) if big else ()))
    ]
    out: dict[str, Any] = {}
    for path in stores:
        built = json.loads((path / "built.json").read_text())
        row: dict[str, Any] = {
            "disk_mb": {
                "chroma": _du_mb(path / "chroma"),
                "catalog": _du_mb(path / "catalog.sqlite3"),
            },
            "build_s": built.get("build_s"),
        }
        row["embedded"] = _measure_child(path, "", reps)
        label = f"{row['embedded']['chunks']}"
        print(
            f"  search {label} embedded: hybrid {row['embedded']['hybrid']['median']} ms",
            file=sys.stderr,
        )
        if server:
            proc, url = _chroma_server(path / "chroma")
            try:
                row["server"] = _measure_child(path, url, reps)
                row["server"]["server_rss_mb"] = _proc_status(proc.pid, "VmRSS")
                row["server"]["server_peak_rss_mb"] = _proc_status(proc.pid, "VmHWM")
            finally:
                proc.terminate()
                proc.wait(timeout=60)
            print(
                f"  search {label} server: hybrid {row['server']['hybrid']['median']} ms",
                file=sys.stderr,
            )
        out[label] = row
    return out


def bench_answer(reps: int, with_local: bool) -> dict[str, Any]:
    from assistant.answer import Answerer
    from assistant.llm import get_llm

    tmp = Path(tempfile.mkdtemp())
    base = settings_for(tmp / "data")
    index = Index(base)
    ingest_paths(index, [SEEDS])
    zh = [q for q in QUESTIONS if q.lang == "zh" and q.answerable and not q.history][:10]
    en = [q for q in QUESTIONS if q.lang == "en" and q.answerable and not q.history][:5]
    out: dict[str, Any] = {}
    # "local" is what users get (a confident quote answers without the model);
    # "local_reads_all" has the model read every question (answer.quote_first off);
    # "local_en": English questions (translated, read in Chinese, the answer translated)
    runs = [("extractive", "extractive", True, zh)]
    if with_local:
        runs += [
            ("local", "local", True, zh),
            ("local_reads_all", "local", False, zh),
            ("local_en", "local", True, en),
        ]
    llms: dict[str, Any] = {}
    for name, provider, quote_first, questions in runs:
        s = base.model_copy(
            update={
                "llm": LLMSettings(provider=provider),
                "answer": base.answer.model_copy(update={"quote_first": quote_first}),
            }
        )
        if provider not in llms:
            llms[provider] = get_llm(s)
        answerer = Answerer(s, index, llms[provider])
        ttft, total, ptok, gen_rate, read_ttft = [], [], [], [], []
        quoted = 0
        for q in questions:
            pieces: list[float] = []
            r = answerer.ask(
                q.question, on_token=lambda _t, seen=pieces: seen.append(time.perf_counter())
            )
            ttft.append(r.timings["first_token_ms"])
            total.append(r.timings["total_ms"])
            ptok.append(r.prompt_tokens)
            if r.produced_by == "quote":
                quoted += 1
            elif r.prompt_tokens:
                read_ttft.append(r.timings["first_token_ms"])
            if len(pieces) > 2:
                gen_rate.append((len(pieces) - 1) / (pieces[-1] - pieces[0]))
        out[name] = {
            "model": answerer.llm.name if answerer.llm else "extractive",
            "quote_first": quote_first,
            "quoted": f"{quoted}/{len(questions)}",
            "first_token_ms": stats(ttft),
            "first_token_ms_model_read": stats(read_ttft) if read_ttft else None,
            "total_ms": stats(total),
            "prompt_tokens": stats(ptok),
            "generation_tokens_per_s": stats(gen_rate) if gen_rate else None,
        }
        print(
            f"  answer {name}: first token median {out[name]['first_token_ms']['median']} ms"
            f" ({quoted}/{len(questions)} quoted)",
            file=sys.stderr,
        )
    out["peak_rss_mb_bench_process"] = round(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    )
    shutil.rmtree(tmp)
    return out


def big_text(path: Path, mb: float) -> Path:
    """A big text file made of the seeds, repeated; every 8th copy starts with a numbered
    line, so some chunks are new to the embedding cache and most are not (as in a corpus
    with boilerplate). Generated, never committed."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    with path.open("w", encoding="utf-8") as out:
        size, n = 0, 0
        while size < mb * 1024 * 1024:
            head = f"汇编本{n}：以下为第{n}份资料。\n" if n % 8 == 0 else ""
            part = head + texts[n % len(texts)] + "\n\n"
            out.write(part)
            size += len(part.encode("utf-8"))
            n += 1
    return path


def bench_bigfile(mb: float) -> dict[str, Any]:
    """One big text file ingested in a child process: wall time, chunks, peak RSS."""
    tmp = Path(tempfile.mkdtemp())
    try:
        path = big_text(tmp / f"big_{mb:g}mb.txt", mb)
        settings_mb = max(50.0, mb + 1)
        os.environ["ASSISTANT_INGEST__MAX_FILE_MB"] = str(settings_mb)
        try:
            c = _ingest_child(tmp / "data", [path])
        finally:
            del os.environ["ASSISTANT_INGEST__MAX_FILE_MB"]
        return {
            "file_mb": round(path.stat().st_size / 1024 / 1024, 1),
            "chunks": c["chunks"],
            "embedded": c["embedded"],
            "s": round(c["s"], 1),
            "chunks_per_s": round(c["chunks"] / c["s"], 1),
            "peak_rss_mb": round(c["rss_mb"]),
            "s_per_40mb_extrapolated": round(c["s"] * 40 / (path.stat().st_size / 1024 / 1024)),
        }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def bench_memory(mmap: bool = False) -> dict[str, Any]:
    """RSS of the real app (python app.py) with the local model: idle, after one answer,
    after uploading five files, and its peak (VmHWM) after two sessions asked at once."""
    import socket
    import threading
    import urllib.request

    from assistant.models import bundled_model_path

    gguf = bundled_model_path(load_settings().cache_dir)  # assembled once, reused
    tmp = Path(tempfile.mkdtemp())
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {
        **os.environ,
        "ASSISTANT_DATA_DIR": str(tmp / "data"),
        "ASSISTANT_UI__PORT": str(port),
        "ASSISTANT_LLM__PROVIDER": "local",
        "ASSISTANT_LLM__MODEL_PATH": str(gguf),
        "ASSISTANT_LLM__USE_MMAP": "true" if mmap else "false",
    }
    proc = subprocess.Popen(
        [sys.executable, "app.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def status(field: str) -> float:
        for line in Path(f"/proc/{proc.pid}/status").read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1]) / 1024
        return 0.0

    try:
        deadline = time.time() + 600
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except OSError:
                if time.time() > deadline or proc.poll() is not None:
                    raise RuntimeError("app did not start") from None
                time.sleep(1)
        time.sleep(2)
        from gradio_client import Client, handle_file

        url = f"http://127.0.0.1:{port}/"
        out: dict[str, Any] = {"use_mmap": mmap, "app_started_rss_mb": round(status("VmRSS"))}
        client = Client(url, verbose=False)
        client.predict(
            "鹤淇产业集聚区入驻了多少家企业？", [], "local", 5, "auto", api_name="/respond"
        )
        out["after_first_answer_rss_mb"] = round(status("VmRSS"))
        uploads = tmp / "uploads"
        uploads.mkdir()
        for i, seed in enumerate(sorted(SEEDS.glob("*.txt"))):
            (uploads / f"upload_{i}.txt").write_text(
                f"上传副本{i}。\n" + seed.read_text(encoding="utf-8"), encoding="utf-8"
            )
        client.predict([handle_file(str(p)) for p in sorted(uploads.iterdir())], api_name="/upload")
        out["after_upload_rss_mb"] = round(status("VmRSS"))
        questions = [
            ["汝州产业集聚区在全省排第几？", "汝南街道2023年省外资金目标是多少万元？"],
            ["鹤淇产业集聚区规划建设用地多少平方公里？", "鹤淇产业集聚区累计投资多少亿元？"],
        ]

        def session(qs: list[str]) -> None:
            c = Client(url, verbose=False)
            for q in qs:
                c.predict(q, [], "local", 5, "auto", api_name="/respond")

        threads = [threading.Thread(target=session, args=(qs,)) for qs in questions]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        out["after_two_sessions_rss_mb"] = round(status("VmRSS"))
        out["app_peak_rss_mb"] = round(status("VmHWM"))
        return out
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--only",
        action="append",
        choices=["embedding", "ingest", "search", "answer", "memory", "load", "bigfile"],
    )
    parser.add_argument(
        "--sessions", type=int, default=12, help="load: sessions asking at once (>= 10)"
    )
    parser.add_argument(
        "--big-mb",
        type=float,
        default=4.0,
        help="bigfile: size of the generated text file (40 takes ~10x as long)",
    )
    parser.add_argument(
        "--mmap", action="store_true", help="memory: map the GGUF (llm.use_mmap) for comparison"
    )
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--no-local", action="store_true", help="skip the local LLM")
    parser.add_argument(
        "--big", action="store_true", help="search: add the 200,000-chunk store (built once)"
    )
    parser.add_argument(
        "--no-server", action="store_true", help="search: skip the `chroma run` server runs"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    parser.add_argument(
        "--cache", type=Path, default=CACHE, help="search: where built stores are kept"
    )
    # internal: one store's search measurement, run in a child process
    parser.add_argument("--measure-search", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--url", default="", help=argparse.SUPPRESS)
    parser.add_argument("--reps", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure_search:
        print(json.dumps(measure_search(args.measure_search, args.url, args.reps)))
        return
    reps = 2 if args.quick else 5
    sections = args.only or ["embedding", "ingest", "search", "answer", "memory", "load"]
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    result: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "commit": commit,
        "cores": os.cpu_count(),
        "cpu": cpu_info(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "loadavg_at_start": os.getloadavg(),
    }
    for name in sections:
        print(f"[{name}]", file=sys.stderr)
        if name == "embedding":
            result[name] = bench_embedding(reps)
        elif name == "ingest":
            result[name] = bench_ingest(reps)
        elif name == "search":
            result[name] = bench_search(max(1, reps // 2), args.big, not args.no_server, args.cache)
        elif name == "answer":
            result[name] = bench_answer(reps, with_local=not args.no_local)
        elif name == "memory" and not args.no_local:
            result[name] = bench_memory(args.mmap)
        elif name == "load" and not args.no_local:
            from benchmarks.load import bench_load

            result[name] = bench_load(args.sessions, rounds=1 if args.quick else 2)
        elif name == "bigfile":
            result[name] = bench_bigfile(args.big_mb)
    result["loadavg_at_end"] = os.getloadavg()
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"{time.strftime('%Y-%m-%d-%H%M')}.json"
    path.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print_table(result)
    print(f"\nwrote {path}")


def print_table(r: dict[str, Any]) -> None:
    print(f"commit {r['commit']} · {r['cores']} cores · load {r['loadavg_at_start'][0]:.1f}")
    if "embedding" in r:
        e = r["embedding"]
        print(
            f"embedding  {e['model']}: {e['chunks_per_s']} chunks/s, {e['chars_per_s']} chars/s, query {e['query_ms']['median']} ms"
        )
    if "ingest" in r:
        i = r["ingest"]
        print(
            f"ingest     cold {i['cold_s']['median']:.1f} s ({i['cold_chunks_per_s']} chunks/s), warm {i['warm_s']['median']:.2f} s "
            f"(embedded {i['warm_embedded']}), one file changed {i['one_changed_s']['median']:.1f} s "
            f"(embedded {i['one_changed_embedded']}), peak RSS {i['peak_rss_mb']} MB"
        )
    if "search" in r:
        print(f"search     medians in ms on {r.get('cpu', {}).get('name', '?')}")
        print(
            "           chunks  chroma    dense  keyword  hybrid (serial)  | embed  chroma  fts5  fusion"
            "  | RSS MB (server)  disk MB"
        )
        for row in r["search"].values():
            for where in ("embedded", "server"):
                m = row.get(where)
                if not m:
                    continue
                parts = m["hybrid_parts"]
                rss = f"{m['rss_mb']:.0f}" + (
                    f" ({m['server_rss_mb']:.0f})" if "server_rss_mb" in m else ""
                )
                disk = row["disk_mb"]["chroma"] + row["disk_mb"]["catalog"]
                print(
                    f"           {m['chunks']:6}  {where:8}  {m['dense']['median']:5.1f}  {m['keyword']['median']:7.1f}"
                    f"  {m['hybrid']['median']:6.1f} ({m['hybrid_serial']['median']:5.1f})"
                    f"  | {parts['embedding_ms']['median']:5.1f}  {parts['chroma_ms']['median']:6.1f}"
                    f"  {parts['keyword_ms']['median']:4.1f}  {parts['fusion_ms']['median']:6.1f}"
                    f"  | {rss:15}  {disk:.0f}"
                )
    if "answer" in r:
        for provider, a in r["answer"].items():
            if isinstance(a, dict):
                gen = (
                    a["generation_tokens_per_s"]["median"]
                    if a.get("generation_tokens_per_s")
                    else "-"
                )
                read = a.get("first_token_ms_model_read")
                read_s = f", model-read {read['median'] / 1000:.1f} s" if read else ""
                print(
                    f"answer     {provider:15} first token {a['first_token_ms']['median'] / 1000:.1f} s"
                    f"{read_s} ({a.get('quoted', '-')} quoted), total {a['total_ms']['median'] / 1000:.1f} s, "
                    f"prompt {a['prompt_tokens']['median']:.0f} tokens, generation {gen} tok/s"
                )
    if "bigfile" in r:
        b = r["bigfile"]
        print(
            f"big file   {b['file_mb']} MB, {b['chunks']} chunks ({b['embedded']} embedded) in {b['s']} s, "
            f"peak RSS {b['peak_rss_mb']} MB; ~{b['s_per_40mb_extrapolated']} s for 40 MB"
        )
    if "load" in r:
        m = r["load"]
        print(
            f"load       {m['sessions']} sessions: quotes while model answers ran p50 "
            f"{m['quote_p50_s']} s, p90 {m['quote_p90_s']} s ({m['quote_answers_during_model']}); "
            f"{m['model_answers']} model answers p90 {m['model_p90_s']} s; {m['errors']} errors; "
            f"peak RSS {m['peak_rss_mb']} MB"
        )
    if "memory" in r:
        m = r["memory"]
        print(
            f"memory     app (use_mmap={m['use_mmap']}) started {m['app_started_rss_mb']} MB, after an answer "
            f"{m['after_first_answer_rss_mb']} MB, after 5 uploads {m['after_upload_rss_mb']} MB, after two sessions "
            f"{m['after_two_sessions_rss_mb']} MB; peak {m['app_peak_rss_mb']} MB"
        )


if __name__ == "__main__":
    main()
