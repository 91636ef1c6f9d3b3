"""The web UI: its rendering helpers, and the served app driven through its HTTP API with
gradio_client (the browser tests are in test_browser.py)."""

import subprocess
import sys
from pathlib import Path

import pytest

from assistant.answer import Answer, Citation
from assistant.schema import Passage
from assistant.ui import (
    chat_message,
    draft_message,
    highlight,
    link_markers,
    render_panel,
    render_turn,
    support_spans,
)
from assistant.uploads import safe_name
from conftest import ROOT, free_port, wait_for


def test_upload_names_cannot_escape_the_uploads_folder():
    assert safe_name("../../etc/passwd") == "passwd"
    assert safe_name("..\\..\\evil.txt") == "evil.txt"
    assert safe_name(".hidden.md") == "hidden.md"
    assert safe_name("规划 报告(1).docx") == "规划_报告_1_.docx"


PASSAGE = "鹤淇产业集聚区规划建设用地25平方公里，累计投资132.7亿元。入驻企业104家，形成四大支柱产业。其中食品加工为主。"


def test_supporting_sentence_is_highlighted_quoted_or_paraphrased():
    quoted = highlight(PASSAGE, ["入驻企业104家，形成四大支柱产业。[1]"])
    assert "<mark>入驻企业104家，形成四大支柱产业。</mark>" in quoted
    # a quoted fragment marks the whole sentence it comes from
    assert "<mark>入驻企业104家，形成四大支柱产业。</mark>" in highlight(PASSAGE, ["104家[1]"])
    # a model's paraphrase marks the passage sentence sharing most of its wording
    ((a, b),) = support_spans(PASSAGE, ["该区入驻企业共104家[1]"])
    assert "104" in PASSAGE[a:b] and "132.7" not in PASSAGE[a:b]
    assert support_spans(PASSAGE, ["完全无关的句子"]) == []


def test_rendered_sources_escape_document_text_and_link_per_turn():
    evil = Passage(
        "c1",
        "evil<script>.txt",
        "t",
        "一、<b>标题</b>",
        "<img src=x onerror=alert(1)>入驻企业104家。",
        0,
        10,
        1.0,
    )
    other = Passage("c2", "002.txt", "t", "二", "别的段落。", 0, 5, 0.5)
    result = Answer(
        "q",
        "入驻企业104家。[1]",
        [Citation(1, evil.doc_id, "c1", evil.heading, evil.text, 1.0, True, ["入驻企业104家。"])],
        [evil, other],
        False,
        {},
        {},
    )
    html = render_turn(result, 3, "zh")
    assert "<script>" not in html and "<img" not in html and "&lt;img" in html
    assert (
        "id='src-3-1'" in html
        and "<mark>&lt;img src=x onerror=alert(1)&gt;入驻企业104家。</mark>" in html
    )
    assert "class='uncited-group'" in html and "别的段落" in html
    assert link_markers("甲[1]乙[2]", 3) == "甲[[1]](#src-3-1)乙[[2]](#src-3-2)"
    panel = render_panel([{"question": "<q>", "html": html}], "zh")
    assert "&lt;q&gt;" in panel and "id='turn-1'" in panel


def test_not_found_turn_shows_no_citation():
    refused = Answer("q", "资料中未找到相关信息。", [], [], True, {}, {})
    html = render_turn(refused, 1, "zh")
    assert "not-found" in html and "class='source cited'" not in html


def test_draft_is_marked_unchecked_and_a_changed_check_is_visible():
    draft = draft_message("入驻企业104家 <b>[1]", "zh")
    assert "class='drafting'" in draft and "&lt;b&gt;" in draft  # marked, and escaped
    kept = Answer(
        "q", "入驻企业104家。[1]", [], [], False, {}, {}, raw_answer="入驻企业104家。[1][2]"
    )
    assert "class='checked'" in chat_message(kept, 1, "zh")  # only re-cited: not "changed"
    cut = Answer(
        "q", "入驻企业104家。[1]", [], [], False, {}, {}, raw_answer="入驻企业104家，产值900亿元。"
    )
    assert "class='checked changed'" in chat_message(cut, 1, "zh")
    assert "[[1]](#src-1-1)" in chat_message(cut, 1, "zh")


@pytest.fixture(scope="module")
def app_url(seeded, tmp_path_factory):
    import os
    import shutil

    src = Path(seeded.settings.data_dir)
    data = tmp_path_factory.mktemp("ui") / "data"
    shutil.copytree(
        src, data, ignore=lambda d, names: ["cache"] if Path(d) == src else []
    )  # not the 1.1 GB model
    port = free_port()
    env = {
        **os.environ,
        "ASSISTANT_DATA_DIR": str(data),
        "ASSISTANT_UI__PORT": str(port),
        "ASSISTANT_LLM__PROVIDER": "extractive",
    }
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "app.py")],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    wait_for(url, proc, 120)
    yield url
    proc.terminate()
    proc.wait(timeout=20)


def test_chat_answers_with_a_linked_citation_and_sources(app_url):
    from gradio_client import Client

    client = Client(app_url, verbose=False)
    chat, _, sources = client.predict(
        "鹤淇产业集聚区入驻了多少家企业？", [], "extractive", 5, "auto", api_name="/respond"
    )
    answer = chat[-1]["content"]
    text = answer[0]["text"] if isinstance(answer, list) else answer
    assert "104" in text and "(#src-1-1)" in text
    assert (
        "id='src-1-1'" in sources and "002_aea219f0e11938a5.txt" in sources and "<mark>" in sources
    )


def test_bad_upload_is_reported_and_documents_stay(app_url, tmp_path):
    from gradio_client import Client, handle_file

    client = Client(app_url, verbose=False)
    before, _ = client.predict(api_name="/doc_rows")
    bad = tmp_path / "junk.txt"
    bad.write_bytes(bytes(range(256)) * 10)
    good = tmp_path / "星河产业园.md"
    good.write_text("# 星河产业园\n星河产业园规划占地800亩，入驻企业42家。\n", encoding="utf-8")
    log, table, _, box = client.predict(
        [handle_file(str(bad)), handle_file(str(good))], api_name="/upload"
    )
    assert "❌ junk.txt" in log and "二进制文件" in log
    assert "✅ 星河产业园.md" in log and "1 个成功，1 个失败" in log
    assert not box  # the upload box is emptied for the next upload
    docs = [row[1] for row in table["data"]]  # title first, file name second
    assert "星河产业园.md" in docs and all(row[1] in docs for row in before["data"])
    message, table, _ = client.predict("星河产业园.md", api_name="/delete")
    assert "星河产业园.md" in message and "星河产业园.md" not in [row[1] for row in table["data"]]
