"""Hybrid search over the seeds, and the `assistant search --json` contract."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.evaluation import load_questions, relevant
from assistant.retrieval import search
from conftest import ROOT


@pytest.mark.parametrize(
    ("question", "doc", "fact"),
    [
        ("汝州产业集聚区在全省排第几？", "001_6e86d79fbe28caed.txt", "第18位"),
        ("鹤淇产业集聚区入驻了多少家企业？", "002_aea219f0e11938a5.txt", "104家"),
        ("汝南街道2023年省外资金目标是多少万元？", "003_5e6f342b3dea3258.txt", "176000"),
        ("沁阳市产业集聚区的前身叫什么？", "004_51d2894722f2002f.txt", "沁北产业集聚区"),
    ],
)
def test_hybrid_search_finds_the_passage(seeded, question, doc, fact):
    hits = search(seeded, question, k=5)
    assert any(p.doc_id == doc and fact in p.text for p in hits), [p.text[:40] for p in hits]


def test_each_result_says_which_retrievers_found_it(seeded):
    hits = search(seeded, "鹤淇产业集聚区入驻了多少家企业？", k=5)
    assert all(p.ranks and set(p.ranks) <= {"dense", "keyword"} for p in hits)
    assert any(len(p.ranks) == 2 for p in hits)
    assert [p.score for p in hits] == sorted((p.score for p in hits), reverse=True)
    dense = search(seeded, "鹤淇产业集聚区入驻了多少家企业？", k=5, mode="dense")
    assert all(set(p.ranks) == {"dense"} for p in dense)
    keyword = search(seeded, "鹤淇产业集聚区入驻了多少家企业？", k=5, mode="keyword")
    assert all(set(p.ranks) == {"keyword"} for p in keyword)


def test_a_quoted_wording_brings_every_passage_that_states_it(seeded):
    q = "汝州报道里出现了两个“3000亩”，分别指什么？"
    plain = search(seeded, q, k=2)  # the second 3000亩 passage ranks 3rd without the quote
    quoted = search(seeded, q, k=2, literals=["3000亩"])
    assert not any("汽车装备制造产业园" in p.text and "3000亩" in p.text for p in plain)
    assert any("汽车装备制造产业园" in p.text and "3000亩" in p.text for p in quoted)
    assert all(("literal" in p.ranks) == ("3000亩" in p.text) for p in quoted)


def test_filter_by_document(seeded):
    hits = search(seeded, "产业集聚区", k=5, doc_ids=["004_51d2894722f2002f.txt"])
    assert hits and all(p.doc_id == "004_51d2894722f2002f.txt" for p in hits)


def test_no_two_results_share_most_of_their_text(seeded):
    hits = search(seeded, "汝州市产业集聚区基础设施建设", k=10)
    for i, a in enumerate(hits):
        for b in hits[i + 1 :]:
            if a.doc_id == b.doc_id:
                shared = min(a.end, b.end) - max(a.start, b.start)
                assert shared <= 0.5 * min(a.end - a.start, b.end - b.start)


def test_hybrid_beats_or_matches_each_retriever_on_the_eval_set(seeded):
    """The measured baseline: hybrid hit@5 on the Chinese answerable questions."""
    questions = [
        q
        for q in load_questions(ROOT / "evals" / "questions.jsonl")
        if q.answerable and q.lang == "zh" and not q.history
    ]
    hit = {m: 0 for m in ("dense", "keyword", "hybrid")}
    for q in questions:
        for mode in hit:
            hit[mode] += any(relevant(p, q) for p in search(seeded, q.question, k=5, mode=mode))
    assert hit["hybrid"] >= max(hit["dense"], hit["keyword"]) - 1
    assert hit["hybrid"] / len(questions) >= 0.9


def test_cli_search_json_contract(seeded):
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(seeded.settings.data_dir)}
    exe = Path(sys.executable).parent / "assistant"
    out = subprocess.run(
        [str(exe), "search", "鹤淇产业集聚区入驻了多少家企业？", "--k", "3", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    data = json.loads(out.stdout)
    assert len(data["passages"]) == 3
    first = data["passages"][0]
    assert set(first) >= {"doc_id", "chunk_id", "heading", "start", "end", "score", "text", "ranks"}
    assert any("104家" in p["text"] for p in data["passages"])


def test_cli_reports_bad_input_without_a_traceback(tmp_path):
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(tmp_path / "d")}
    exe = str(Path(sys.executable).parent / "assistant")
    bad_mode = subprocess.run(
        [exe, "search", "x", "--mode", "fuzzy"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert (
        bad_mode.returncode == 2
        and "--mode" in bad_mode.stderr
        and "Traceback" not in bad_mode.stderr
    )
    missing = subprocess.run(
        [exe, "delete", "nope.txt"], capture_output=True, text=True, env=env, timeout=120
    )
    assert missing.returncode == 2 and "No document" in missing.stderr
    cfg = subprocess.run(
        [exe, "--config", str(tmp_path / "none.toml"), "status"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert cfg.returncode == 2 and "does not exist" in cfg.stderr and "Traceback" not in cfg.stderr


def test_concurrent_hybrid_search_equals_running_the_retrievers_one_after_the_other(seeded):
    """The keyword search runs in a worker thread beside the dense one: same fused result,
    scores, ranks and order as running them in turn, for every evaluation question."""
    questions = load_questions(ROOT / "evals" / "questions.jsonl")
    for q in questions:
        serial = search(seeded, q.question, k=10, concurrent=False)
        timings: dict[str, float] = {}
        together = search(seeded, q.question, k=10, concurrent=True, timings=timings)
        assert [p.to_dict() for p in together] == [p.to_dict() for p in serial], q.id
        assert set(timings) == {
            "embedding_ms",
            "chroma_ms",
            "keyword_ms",
            "fusion_ms",
            "total_ms",
        }
    doc = ["002_aea219f0e11938a5.txt"]
    a = search(seeded, "入驻企业", k=5, doc_ids=doc, keyword_query="入驻 企业 家", concurrent=False)
    b = search(seeded, "入驻企业", k=5, doc_ids=doc, keyword_query="入驻 企业 家")
    assert a and [p.to_dict() for p in a] == [p.to_dict() for p in b]


def test_concurrent_searches_from_many_threads(seeded):
    """Several UI sessions searching at once: each thread gets its own answer, unchanged."""
    from concurrent.futures import ThreadPoolExecutor

    questions = [q.question for q in load_questions(ROOT / "evals" / "questions.jsonl")][:16]
    expected = [[p.chunk_id for p in search(seeded, q, k=5, concurrent=False)] for q in questions]
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(lambda q: [p.chunk_id for p in search(seeded, q, k=5)], questions))
    assert got == expected


def test_search_of_an_empty_store_finds_nothing(fresh_index):
    """The vector query asks Chroma for n results without counting first: an empty (or
    smaller) collection returns fewer, not an error."""
    for mode in ("hybrid", "dense", "keyword"):
        assert search(fresh_index, "鹤淇产业集聚区入驻了多少家企业？", k=5, mode=mode) == []
