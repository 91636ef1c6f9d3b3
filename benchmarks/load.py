"""`bench.py --only load`: many sessions at once against the running app.

The real app (`python app.py`, the local model, a fresh store of the seeds) is driven over
HTTP by `sessions` HTTP clients at once: a few ask English questions (each needs the
model: the question's translation, the reading, the answer's translation), the rest ask
Chinese questions that a confident quote answers, again and again, for as long as model
answers are running. What matters is that a quote does not wait for another user's model
answer: `quote_p50_s` / `quote_p90_s` are the quotes' whole times (question sent to checked
answer received) while a model answer was running; `model_p90_s` is the model answers'
whole time, queue included. Every question starts a new conversation (a second question
in the same one is a follow-up, which the model may have to rewrite). Target on 2 cores:
quote p90 <= 1 s, 0 errors, peak RSS <= 2.5 GB (VmHWM of the app process, its start and
seed ingest included).

The sessions are plain HTTP clients of the page's `respond` endpoint (`/gradio_api/call/`,
the same queue the browser's events join), not `gradio_client`: on these two cores that
client spent 73 ms of CPU per question, more than the app's own 45 ms, and since it runs
beside the app its CPU was counted in every quote's time. A user's browser is elsewhere.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

# Answered by a confident quote (no model): measured in `bench.py --only answer`.
QUOTE_QUESTIONS = [
    "鹤淇产业集聚区入驻了多少家企业？",
    "汝州产业集聚区2018年综合排名全省第几？",
    "鹤淇产业集聚区累计投资多少亿元？",
    "汝绣农民工返乡创业产业园规划面积有多大？",
    "沁阳产业集聚区在2010和2011年获得过什么称号？",
]
# English: translated by the model, read, and the answer translated back.
MODEL_QUESTIONS = [
    "How many enterprises are in the Heqi industrial cluster zone?",
    "What was the Qinyang industrial cluster zone called before it took its current name?",
    "How much has been invested in the Heqi industrial cluster zone?",
    "Where is the Ruzhou industrial cluster zone located relative to the city?",
]
QUOTED_BADGE = "原文摘录"


def _p(values: list[float], q: float) -> float:
    values = sorted(values)
    return round(values[min(len(values) - 1, round(q * (len(values) - 1)))], 3) if values else 0.0


def _text(chat: list[dict[str, Any]]) -> str:
    content = chat[-1]["content"] if chat else ""
    if isinstance(content, list):
        return " ".join(str(c.get("text", "")) for c in content if isinstance(c, dict))
    return str(content)


def _ask(url: str, question: str, provider: str = "local") -> str:
    """One question in a new conversation (a call has a session of its own) through the
    page's queue; the text of the answer as the chat shows it."""
    body = json.dumps({"data": [question, [], provider, 5, "auto"]}).encode()
    request = urllib.request.Request(
        f"{url}gradio_api/call/respond", body, {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=600) as response:
        event_id = json.load(response)["event_id"]
    with urllib.request.urlopen(f"{url}gradio_api/call/respond/{event_id}", timeout=900) as r:
        lines = r.read().decode("utf-8").splitlines()
    # server-sent events: "event: generating|complete|error" then "data: <json>"
    kind, data = "", None
    for line in lines:
        if line.startswith("event:"):
            kind = line.split(":", 1)[1].strip()
        elif line.startswith("data:") and kind == "complete":
            data = json.loads(line[5:])
    if data is None:
        raise RuntimeError(f"no answer: {' '.join(lines)[:200]}")
    return _text(data[0])


def _start_app(data: Path, gguf: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {
        **os.environ,
        "ASSISTANT_DATA_DIR": str(data),
        "ASSISTANT_UI__PORT": str(port),
        "ASSISTANT_LLM__PROVIDER": "local",
        "ASSISTANT_LLM__MODEL_PATH": str(gguf),
    }
    log = (data.parent / "app.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "app.py"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 900
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)
            return proc, url
        except OSError:
            if time.time() > deadline or proc.poll() is not None:
                proc.kill()
                raise RuntimeError(
                    f"the app did not start; see {data.parent / 'app.log'}"
                ) from None
            time.sleep(1)


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def bench_load(sessions: int = 12, model_sessions: int = 4, rounds: int = 2) -> dict[str, Any]:
    """`sessions` clients at once, `model_sessions` of them asking `rounds` English (model)
    questions one after another, the others asking quoted Chinese questions in a loop
    (a second's pause between) until the model answers are done."""
    from assistant.config import load_settings
    from assistant.models import bundled_model_path

    gguf = bundled_model_path(load_settings().cache_dir)
    tmp = Path(tempfile.mkdtemp())
    proc, url = _start_app(tmp / "data", gguf)
    lock = threading.Lock()
    quotes: list[tuple[float, float, float, bool]] = []  # start, end, seconds, quoted
    models: list[tuple[float, float, float]] = []
    errors: list[str] = []
    running = threading.Event()  # set while any model session is still asking
    try:
        _ask(url, MODEL_QUESTIONS[-1])  # loads the model and fills the prompt cache once
        start = threading.Barrier(sessions)

        def ask(question: str) -> tuple[float, float, str]:
            # a new conversation each time: in the same session the page keeps the turns,
            # and a question after them is a follow-up the model may have to rewrite
            t0 = time.perf_counter()
            text = _ask(url, question)
            return t0, time.perf_counter(), text

        def model_session(i: int) -> None:
            start.wait()
            for r in range(rounds):
                q = MODEL_QUESTIONS[(i + r) % len(MODEL_QUESTIONS)]
                try:
                    t0, t1, text = ask(q)
                except Exception as exc:  # counted, the run goes on
                    with lock:
                        errors.append(f"{q}: {type(exc).__name__}: {exc}")
                    continue
                with lock:
                    models.append((t0, t1, t1 - t0))
                    if "⚠" in text:
                        errors.append(f"{q}: {text[:200]}")

        def quote_session(i: int) -> None:
            start.wait()
            n = i
            while running.is_set() or n - i < 3:
                q = QUOTE_QUESTIONS[n % len(QUOTE_QUESTIONS)]
                n += 1
                try:
                    t0, t1, text = ask(q)
                except Exception as exc:
                    with lock:
                        errors.append(f"{q}: {type(exc).__name__}: {exc}")
                    continue
                with lock:
                    quotes.append((t0, t1, t1 - t0, QUOTED_BADGE in text))
                    if "⚠" in text:
                        errors.append(f"{q}: {text[:200]}")
                time.sleep(1.0)

        running.set()
        model_threads = [
            threading.Thread(target=model_session, args=(i,)) for i in range(model_sessions)
        ]
        quote_threads = [
            threading.Thread(target=quote_session, args=(i,))
            for i in range(sessions - model_sessions)
        ]
        t_start = time.perf_counter()
        for t in model_threads + quote_threads:
            t.start()
        for t in model_threads:
            t.join()
        running.clear()
        for t in quote_threads:
            t.join()
        wall = time.perf_counter() - t_start
        peak = _peak_rss_mb(proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(tmp, ignore_errors=True)

    def during_model(t0: float, t1: float) -> bool:
        return any(m0 < t1 and t0 < m1 for m0, m1, _ in models)

    quoted = [q for q in quotes if q[3]]
    overlapping = [s for t0, t1, s, _ in quoted if during_model(t0, t1)]
    out = {
        "sessions": sessions,
        "model_sessions": model_sessions,
        "model_questions_per_session": rounds,
        "quote_answers": len(quoted),
        "quote_answers_during_model": len(overlapping),
        "quote_p50_s": _p(overlapping, 0.5),
        "quote_p90_s": _p(overlapping, 0.9),
        "quote_max_s": _p(overlapping, 1.0),
        "not_quoted": len(quotes) - len(quoted),  # a quote question the model had to read
        "model_answers": len(models),
        "model_p50_s": _p([m[2] for m in models], 0.5),
        "model_p90_s": _p([m[2] for m in models], 0.9),
        "errors": len(errors),
        "error_samples": errors[:5],
        "peak_rss_mb": round(peak),
        "wall_s": round(wall, 1),
        # (seconds after the start, seconds taken) of every answer
        "quote_samples": [(round(t0 - t_start, 1), round(secs, 2)) for t0, _, secs, _ in quotes],
        "model_samples": [(round(t0 - t_start, 1), round(secs, 1)) for t0, _, secs in models],
        "cores": os.cpu_count(),
    }
    if overlapping:
        out["quote_mean_s"] = round(statistics.mean(overlapping), 3)
    return out
