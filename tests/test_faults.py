"""Faults and hostile input, each tried for real: an over-long question, a full disk (a
small tmpfs), a truncated catalog, an upload killed half-way, Gradio's temporary copies, a
long file name, a Chroma server that is down, and markup in quotes and questions.

What every test checks is what the user sees (a sentence saying what to do, never a
traceback or an errno) and that the store's documents, chunks and vectors are the same
before and after the fault.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from assistant.answer import Answer, Answerer, QuestionTooLongError
from assistant.config import IngestSettings
from assistant.index import Index
from assistant.index.errors import StoreUnreachableError
from assistant.ingest import ingest_paths
from assistant.messages import say
from tests.browsing import new_conversation
from tests.conftest import ROOT, SEEDS, cli_env, free_port, make_settings, wait_for


def _env(data_dir: Path, **more: str) -> dict[str, str]:
    return cli_env(data_dir, ASSISTANT_LLM__PROVIDER="extractive", **more)


def _cli(
    data_dir: Path, *args: str, timeout: float = 300, **env: str
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "from assistant.cli import run; run()", *args],
        env=_env(data_dir, **env),
        cwd=str(ROOT),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _counts(index: Index) -> tuple[int, int, int]:
    """(documents, chunks, vectors), and every document ready."""
    docs = index.catalog.documents()
    assert all(d.status == "ready" for d in docs), [(d.doc_id, d.status) for d in docs]
    assert index.catalog.chunk_ids() == index.vectors.ids()
    return len(docs), index.catalog.chunk_count(), index.vectors.count()


# ---------------------------------------------------------------- 1. question length


def test_an_over_long_question_is_refused_before_retrieval_everywhere(seeded, tmp_path):
    from assistant.integrations.langchain import AnswerRunnable

    answerer = Answerer(seeded.settings, seeded, None)
    limit = seeded.settings.answer.max_question_chars
    assert limit == 1000
    long_q = "汝州产业集聚区在全省排第几？" * 15_000  # 210,000 characters
    expected = say("question.too_long", "en", n=len(long_q), limit=limit)
    t0 = time.perf_counter()
    with pytest.raises(QuestionTooLongError) as caught:
        answerer.ask(long_q)
    assert time.perf_counter() - t0 < 0.5  # no retrieval ran
    assert str(caught.value) == expected and "answer.max_question_chars" in expected
    assert "问题有 210000 个字" in caught.value.message("zh")
    with pytest.raises(QuestionTooLongError, match="over the 1000-character limit"):
        answerer.retrieve(long_q)
    with pytest.raises(QuestionTooLongError, match="over the 1000-character limit"):
        AnswerRunnable(answerer).invoke({"question": long_q})
    ok = answerer.ask("汝州产业集聚区在全省排第几？" + " " * 2000)  # blanks do not count
    assert not ok.refused

    data = seeded.settings.data_dir
    one = _cli(data, "ask", long_q[:5000])
    assert one.returncode == 2 and "over the 1000-character limit" in one.stderr
    assert "Traceback" not in one.stderr and long_q[:5000] not in one.stdout + one.stderr
    batch = tmp_path / "q.jsonl"
    batch.write_text(
        f'{{"id": "long", "question": "{long_q}"}}\n'
        '{"id": "short", "question": "鹤淇产业集聚区入驻了多少家企业？"}\n',
        encoding="utf-8",
    )
    out = tmp_path / "a.jsonl"
    t0 = time.perf_counter()
    run = _cli(data, "ask", "--file", str(batch), "--output", str(out))
    assert run.returncode == 0, run.stderr
    assert time.perf_counter() - t0 < 120
    import json

    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert rows[0]["id"] == "long" and rows[0]["error"] == expected
    assert len(rows[0]["question"]) < 300  # not echoed back whole
    assert rows[1]["id"] == "short" and "104" in rows[1]["answer"]


# ---------------------------------------------------------------- 2. a full disk


@pytest.fixture
def small_disk(tmp_path):
    """A 24 MB tmpfs: a disk that really fills up (needs root, as in the CI container)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a small tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mount)])
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(disk: Path, leave: int) -> Path:
    """A file that leaves `leave` bytes free on the disk."""
    filler = disk / f"filler{len(list(disk.glob('filler*')))}.bin"
    size = max(0, shutil.disk_usage(disk).free - leave)
    with filler.open("wb") as f:
        try:
            while size > 0:
                size -= f.write(b"\0" * min(size, 1 << 20))
        except OSError:  # full to the last page
            pass
    return filler


def test_a_full_disk_refuses_or_stops_cleanly_and_readers_keep_working(
    small_disk, embedder, monkeypatch
):
    from assistant import ingest as ingest_module

    data = small_disk / "data"
    settings = make_settings(data, ingest=IngestSettings(min_free_mb=1))
    index = Index(settings, embedder=embedder)
    first = ingest_paths(
        index, [SEEDS / "000_049d4401db69d305.txt", SEEDS / "003_5e6f342b3dea3258.txt"]
    )
    assert first.count("added") == 2, first.failed
    before = _counts(index)
    assert before[1] == before[2] > 10
    big = SEEDS / "002_aea219f0e11938a5.txt"

    # Refused before anything is written: the estimate does not fit. A plain-text file
    # too big for the disk is refused from its size, before it is read.
    filler = _fill(small_disk, 400_000)
    huge = small_disk.parent / "huge.txt"
    huge.write_text(("产业集聚区第一季度新增投资项目十二个。" * 50 + "\n") * 3000, encoding="utf-8")
    t0 = time.perf_counter()
    [failed] = ingest_paths(index, [huge]).failed
    assert failed.error_key == "ingest.disk_full" and time.perf_counter() - t0 < 1.0
    report = ingest_paths(index, [big])
    [failed] = report.failed
    assert failed.error_key == "ingest.disk_full" and "Not enough disk space" in failed.error
    assert "磁盘空间不足" in failed.reason("zh")
    assert _counts(index) == before

    # A write that fails anyway (the estimate bypassed, the disk filled to the last page)
    # stops with a message and leaves the store as it was.
    monkeypatch.setattr(ingest_module, "space_needed", lambda *a, **k: 0)
    monkeypatch.setattr(ingest_module, "least_needed", lambda *a, **k: 0)
    monkeypatch.setattr(settings.ingest, "min_free_mb", 0)
    filler.unlink()
    filler = _fill(small_disk, 64_000)
    report = ingest_paths(index, [big])
    [failed] = report.failed
    assert failed.error_key == "store.disk_full", failed
    assert "is full" in failed.error and "unchanged" in failed.error
    fresh = Index(settings, embedder=embedder)
    assert not fresh.catalog.document(big.name)
    assert _counts(fresh) == before

    # Readers on the full disk: status, search and ask still work.
    _fill(small_disk, 0)
    for args in (
        ("status",),
        ("search", "汝南街道的省外资金目标是多少"),
        ("ask", "汝南街道2023年的省外资金目标是多少？"),
    ):
        run = _cli(data, *args)
        assert run.returncode == 0, (args, run.stderr)
        assert "Traceback" not in run.stderr
        if args == ("status",):
            assert f"chunks           {before[1]}" in run.stdout, run.stdout
    assert "176000" in run.stdout

    # Space freed: the same file goes in, and the store agrees with itself.
    for f in small_disk.glob("filler*"):
        f.unlink()
    monkeypatch.undo()
    settings = make_settings(data, ingest=IngestSettings(min_free_mb=1))
    report = ingest_paths(Index(settings, embedder=embedder), [big])
    assert report.count("added") == 1, report.failed
    after = _counts(Index(settings, embedder=embedder))
    assert after[0] == before[0] + 1 and after[1] > before[1]


def test_a_store_nobody_has_open_is_read_on_a_full_disk_and_writes_say_so(small_disk):
    """No process holds the store, so SQLite must create its -shm file to read it, and
    Chroma writes as it opens: neither can on a full disk."""
    import json

    data = small_disk / "data"
    env = {"ASSISTANT_INGEST__MIN_FREE_MB": "1"}
    assert _cli(data, "ingest", str(SEEDS / "000_049d4401db69d305.txt"), **env).returncode == 0
    db = sqlite3.connect(data / "catalog.sqlite3")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()  # the last connection: SQLite removes -wal and -shm
    assert not (data / "catalog.sqlite3-shm").exists()
    (data / ".space-reserve").unlink(missing_ok=True)
    _fill(small_disk, 0)
    assert shutil.disk_usage(small_disk).free == 0
    status = _cli(data, "status", "--json")
    assert status.returncode == 0, status.stderr
    info = json.loads(status.stdout)
    assert info["documents"] == 1 and info["chunks"] == info["vectors"] >= 5
    found = _cli(data, "search", "汝绣产业园规划占地多少？", "--json")
    assert found.returncode == 0, found.stderr
    hits = json.loads(found.stdout)["passages"]
    assert "dense" in hits[0]["ranks"] and any("1万亩" in p["text"] for p in hits)
    ask = _cli(data, "ask", "汝绣农民工返乡创业产业园规划占地多少？")
    assert ask.returncode == 0 and "1万亩" in ask.stdout, ask.stdout + ask.stderr
    for args in (
        ("ingest", str(SEEDS / "001_6e86d79fbe28caed.txt")),
        ("delete", info["docs"][0]["doc_id"]),
    ):
        run = _cli(data, *args)
        assert run.returncode in (1, 2) and "Traceback" not in run.stderr, run.stderr
        assert "disk" in run.stderr and "Free some space" in run.stderr, run.stderr
    for f in small_disk.glob("filler*"):
        f.unlink()
    again = _cli(data, "ingest", str(SEEDS / "001_6e86d79fbe28caed.txt"), **env)
    assert again.returncode == 0 and "1 added" in again.stdout, again.stderr
    now = json.loads(_cli(data, "status", "--json").stdout)
    assert now["documents"] == 2 and now["vectors"] == now["chunks"] > info["chunks"]


def test_the_estimate_covers_what_a_document_really_takes(tmp_path, embedder):
    """space_needed() against the bytes a store really grows by (catalog, its WAL, Chroma)."""
    from assistant.chunking import chunk_document
    from assistant.ingest import read_document, space_needed

    data = tmp_path / "data"
    index = Index(make_settings(data), embedder=embedder)
    ingest_paths(index, [SEEDS / "000_049d4401db69d305.txt"])

    def used() -> int:
        return sum(f.stat().st_size for f in data.rglob("*") if f.is_file())

    start = used()
    big = SEEDS / "002_aea219f0e11938a5.txt"
    chunks = chunk_document(read_document(big), index.settings.chunking)
    ingest_paths(index, [big])
    grew = used() - start
    estimate = space_needed(chunks)
    assert grew < estimate < 6 * grew, (grew, estimate, len(chunks))


# ---------------------------------------------------------------- 3. a damaged catalog


def test_a_truncated_catalog_is_named_checked_and_rebuilt(tmp_path, embedder, small_corpus):
    data = tmp_path / "data"
    settings = make_settings(data)
    index = Index(settings, embedder=embedder)
    ingest_paths(index, [small_corpus])
    before = _counts(index)
    index.catalog.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    index.catalog.close()
    catalog = settings.catalog_path
    with catalog.open("r+b") as f:
        f.truncate(catalog.stat().st_size // 2)

    for args in (("status",), ("ask", "汝州产业集聚区在全省排第几？"), ("search", "入驻企业")):
        run = _cli(data, *args)
        assert run.returncode == 2, (args, run.stdout, run.stderr)
        assert "Traceback" not in run.stderr and "malformed" not in run.stderr
        assert str(catalog) in run.stderr.replace("\n", "") and "check --repair" in run.stderr
    app = subprocess.run(
        [sys.executable, str(ROOT / "app.py")],
        env=_env(data, ASSISTANT_UI__PORT=str(free_port())),
        cwd=str(ROOT),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert app.returncode == 2 and "Traceback" not in app.stderr
    assert "check --repair" in app.stderr

    check = _cli(data, "check")
    assert check.returncode == 1 and "problem" in check.stdout and "catalog" in check.stdout
    repaired = _cli(data, "check", "--repair")
    assert repaired.returncode == 0, repaired.stdout + repaired.stderr
    assert "damaged catalog moved to" in repaired.stdout
    assert list(data.glob("catalog.sqlite3.damaged-*"))  # kept, not deleted
    assert _cli(data, "check", "--llm", "extractive").returncode == 0
    assert _counts(Index(settings, embedder=embedder)) == before
    found = _cli(data, "search", "汝南街道的省外资金目标是多少")
    assert found.returncode == 0 and "176000" in found.stdout


def test_a_damaged_chroma_folder_is_named_and_refilled_from_the_catalog(
    tmp_path, embedder, small_corpus
):
    import json

    data = tmp_path / "data"
    ingest_paths(Index(make_settings(data), embedder=embedder), [small_corpus])
    before = json.loads(_cli(data, "status", "--json").stdout)
    (data / "chroma" / "chroma.sqlite3").write_bytes(b"not a database" * 1000)
    run = _cli(data, "search", "入驻企业")
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "Chroma store" in run.stderr and "check --repair" in run.stderr
    repaired = _cli(data, "check", "--repair")
    assert repaired.returncode == 0, repaired.stdout + repaired.stderr
    assert "moved to" in repaired.stdout and list(data.glob("chroma.damaged-*"))
    after = json.loads(_cli(data, "status", "--json").stdout)
    assert before["chunks"] == after["chunks"] == after["vectors"] == before["vectors"] > 10
    found = _cli(data, "search", "汝南街道的省外资金目标是多少")
    assert found.returncode == 0 and "176000" in found.stdout


# ---------------------------------------------------------------- 4. a killed upload


def test_an_upload_killed_half_way_is_repaired_when_the_app_starts(tmp_path, embedder):
    from assistant.ui import prepare_index

    data = tmp_path / "data"
    settings = make_settings(data, seeds_dir=tmp_path / "no-seeds")
    index = Index(settings, embedder=embedder)
    ingest_paths(index, [SEEDS / "000_049d4401db69d305.txt"])
    before = _counts(index)
    uploads = settings.uploads_dir
    uploads.mkdir(parents=True)
    upload = uploads / "新上传报告.txt"
    shutil.copy(SEEDS / "002_aea219f0e11938a5.txt", upload)
    # The page's upload path in a real process, cut by SIGKILL after its vectors went in.
    script = (
        "import os, signal; from pathlib import Path;"
        "from assistant.config import load_settings; from assistant.index import Index;"
        "from assistant.ingest import ingest_paths;"
        f"i = Index(load_settings(data_dir=Path({str(data)!r})));"
        "i.catalog.replace_chunks = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL);"
        f"ingest_paths(i, [Path({str(upload)!r})])"
    )
    killed = subprocess.run([sys.executable, "-c", script], env=_env(data), cwd=str(ROOT))
    assert killed.returncode == -signal.SIGKILL
    left = Index(settings, embedder=embedder)
    assert left.catalog.document(upload.name).status == "pending"
    assert left.vectors.count() > before[2]

    started = prepare_index(settings)  # what `python app.py` does first
    assert started.catalog.document(upload.name) is None
    assert _counts(started) == before
    assert not upload.exists() and not list(uploads.iterdir())


def test_a_killed_replacement_upload_keeps_the_earlier_version(tmp_path, embedder):
    from assistant.ui import prepare_index

    settings = make_settings(tmp_path / "data", seeds_dir=tmp_path / "no-seeds")
    uploads = settings.uploads_dir
    uploads.mkdir(parents=True)
    first = uploads / "报告.txt"
    shutil.copy(SEEDS / "000_049d4401db69d305.txt", first)
    index = Index(settings, embedder=embedder)
    ingest_paths(index, [first])
    before = _counts(index)
    # killed after the backup was made and the new version copied, before it was ingested
    os.replace(first, uploads / ".报告.txt.previous")
    shutil.copy(SEEDS / "003_5e6f342b3dea3258.txt", first)
    started = prepare_index(settings)
    assert _counts(started) == before
    assert first.read_bytes() == (SEEDS / "000_049d4401db69d305.txt").read_bytes()
    assert [p.name for p in uploads.iterdir()] == ["报告.txt"]


# ---------------------------------------------------------------- 5-8. the page


@pytest.fixture
def page_app(seeded, tmp_path):
    """The real app (extractive) on a copy of the seeded store; yields (url, data_dir)."""
    data = tmp_path / "data"
    shutil.copytree(seeded.settings.data_dir, data, ignore=shutil.ignore_patterns("cache"))
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "app.py")],
        env=_env(data, ASSISTANT_UI__PORT=str(port)),
        cwd=str(ROOT),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    wait_for(url, proc, 180)
    yield url, data
    proc.terminate()
    proc.wait(timeout=20)


def test_uploads_stay_private_inside_the_data_folder_and_leave_no_copy(page_app, tmp_path):
    from gradio_client import Client, handle_file

    url, data = page_app
    system_tmp = Path(tempfile.gettempdir()) / "gradio"
    before = set(system_tmp.rglob("*")) if system_tmp.exists() else set()
    name = "私密上传" * 18 + "星河产业园规划.md"  # 240 bytes: shortened, extension kept
    doc = tmp_path / name
    doc.write_text("# 星河产业园\n星河产业园规划占地800亩，入驻企业42家。\n", encoding="utf-8")
    client = Client(url, verbose=False)
    log, table, *_ = client.predict([handle_file(str(doc))], api_name="/upload")
    assert "✅" in log and "1 个成功" in log, log
    temp = data / "tmp"
    assert temp.is_dir() and stat.S_IMODE(temp.stat().st_mode) == 0o700
    body = doc.read_bytes()  # no copy of it is left once it is ingested
    assert not [p for p in temp.rglob("*") if p.is_file() and p.read_bytes() == body]
    after = set(system_tmp.rglob("*")) if system_tmp.exists() else set()
    assert not [p for p in after - before if doc.name in p.name]
    [stored] = [p for p in (data / "uploads").iterdir() if p.name.endswith(".md")]
    message, table, *_ = client.predict(stored.name, api_name="/delete")
    assert stored.name in message and not stored.exists()


def test_a_long_file_name_is_shortened_keeping_its_extension_and_unique():
    from assistant.uploads import MAX_NAME_BYTES, safe_name

    a = safe_name("关于印发产业集聚区发展规划的通知" * 12 + "（第一版）.docx")
    b = safe_name("关于印发产业集聚区发展规划的通知" * 12 + "（第二版）.docx")
    assert a.endswith(".docx") and b.endswith(".docx") and a != b
    assert len(a.encode()) <= MAX_NAME_BYTES and a.startswith("关于印发")
    assert safe_name("a" * 300 + ".pdf").endswith(".pdf")
    assert safe_name("规划 报告(1).docx") == "规划_报告_1_.docx"  # short names as before


def test_markup_in_a_quote_is_shown_as_text_and_a_question_as_plain_text():
    from assistant.pagetext import question_bubble
    from assistant.ui import chat_message

    result = Answer(
        "问",
        "园区标注为<b>重点</b>，<img src=x onerror=alert(1)>共**42**家[1]。",
        [],
        [],
        False,
        {},
        {},
        flags=["quoted"],
    )
    shown = chat_message(result, 1, "zh")
    assert "&lt;b&gt;重点&lt;/b&gt;" in shown and "<img" not in shown and "<b>" not in shown
    assert r"\*\*42\*\*" in shown and "[[1]](#src-1-1)" in shown
    bubble = question_bubble('<img src="x">汝州产业集聚区在全省排第几？')
    assert "<img" not in bubble and "&lt;img" in bubble
    from assistant.answer import detect_lang

    assert detect_lang('<img src="x" onerror="alert(1)">汝州产业集聚区在全省排第几？') == "zh"


def test_the_page_names_the_chroma_server_when_it_is_down(small_corpus, tmp_path, embedder):
    from gradio_client import Client

    from assistant.config import VectorStoreSettings
    from assistant.pagetext import page_error

    port = free_port()
    where = f"http://127.0.0.1:{port}"
    chroma = Path(sys.executable).parent / "chroma"
    server = subprocess.Popen(
        [str(chroma), "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1",
         "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    data = tmp_path / "data"
    app_port = free_port()
    app = None
    try:
        wait_for(f"{where}/api/v2/heartbeat", server, 60)
        settings = make_settings(data, vector_store=VectorStoreSettings(url=where))
        ingest_paths(Index(settings, embedder=embedder), [small_corpus])
        app = subprocess.Popen(
            [sys.executable, str(ROOT / "app.py")],
            env=_env(
                data,
                ASSISTANT_UI__PORT=str(app_port),
                ASSISTANT_VECTOR_STORE__URL=where,
                ASSISTANT_SEEDS_DIR=str(tmp_path / "no-seeds"),
            ),
            cwd=str(ROOT),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(f"http://127.0.0.1:{app_port}/", app, 180)
        server.terminate()
        server.wait(timeout=20)
        client = Client(f"http://127.0.0.1:{app_port}/", verbose=False)
        chat, *_ = client.predict(
            "汝南街道2023年的省外资金目标是多少？", [], "extractive", 5, "auto", api_name="/respond"
        )
        text = str(chat[-1]["content"])
        assert f"向量库 {where} 无法连接" in text and "Chroma 服务已启动" in text, text
        assert "Errno" not in text and "refused" not in text.lower()
    finally:
        for proc in (server, app):
            if proc and proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=20)
    with pytest.raises(StoreUnreachableError) as caught:
        Index(make_settings(data, vector_store=VectorStoreSettings(url=where)), embedder=embedder)
    assert page_error(caught.value, "en").startswith(f"The vector store {where} cannot be reached")


def test_markup_shows_as_text_in_a_real_browser_and_long_questions_are_refused(page_app, tmp_path):
    from gradio_client import Client, handle_file
    from playwright.sync_api import sync_playwright

    url, _ = page_app
    client = Client(url, verbose=False)
    doc = tmp_path / "星河产业园.txt"
    doc.write_text(
        "星河产业园简介\n星河产业园入驻企业42家，其中<b>重点</b>企业12家，**占地800亩**。\n",
        encoding="utf-8",
    )
    log, *_ = client.predict([handle_file(str(doc))], api_name="/upload")
    assert "✅" in log, log
    long_chat, *_ = client.predict("问" * 5000, [], "extractive", 5, "auto", api_name="/respond")
    assert "超过上限 1000 字" in str(long_chat[-1]["content"])
    assert len(str(long_chat[-2]["content"])) < 600  # the bubble is cut, not 5,000 characters

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"]
        )
        page = browser.new_page()
        page.set_default_timeout(60_000)
        page.goto(url)
        box = page.locator("#question textarea")
        page.wait_for_function(
            "() => { const t = document.querySelector('#question textarea');"
            " return t && !t.disabled; }"
        )
        shown = []
        for question, answered in (
            ('<img src="x" onerror="alert(1)">鹤淇产业集聚区入驻了多少家企业？', "104"),
            ("星河产业园入驻企业多少家？", "42家"),
        ):
            if shown:  # each question on its own, not a follow-up; the cleared chat comes
                new_conversation(page)  # back with an empty box, so type only after it
            box.fill(question)
            page.locator("#send").click()
            try:
                page.wait_for_function(  # the finished answer: its check badge is shown
                    f"() => [...document.querySelectorAll('#chat [data-testid=bot]')]"
                    f".some(b => b.innerText.includes({answered!r}) && b.querySelector('.checked'))"
                )
            except Exception:
                pytest.fail(page.locator("#chat").inner_text())
            shown.append(
                (
                    page.locator("#chat [data-testid='user']").last.inner_text(),
                    page.locator("#chat [data-testid='bot']").last.inner_text(),
                    page.locator("#chat img[src='x']").count(),
                )
            )
        browser.close()
    (user, first_bot, images), (_, bot, _) = shown
    assert '<img src="x" onerror="alert(1)">' in user and images == 0
    assert "104" in first_bot and "企业" in first_bot  # answered in Chinese
    assert "<b>重点</b>企业12家" in bot and "**占地800亩**" in bot, bot


def test_sqlite_errors_of_a_damaged_file_are_translated(tmp_path):
    from assistant.index.errors import CatalogDamagedError
    from assistant.index.sqlite import connect

    path = tmp_path / "catalog.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    db = connect(path)
    with pytest.raises(CatalogDamagedError, match="check --repair"):
        db.execute("SELECT * FROM sqlite_master").fetchall()
