"""The web UI served for real on 127.0.0.1, driven through its HTTP API with gradio_client."""

import subprocess
import sys

import pytest

from assistant.ui import safe_name
from conftest import ROOT, free_port, wait_for


def test_upload_names_cannot_escape_the_uploads_folder():
    assert safe_name("../../etc/passwd") == "passwd"
    assert safe_name("..\\..\\evil.txt") == "evil.txt"
    assert safe_name(".hidden.md") == "hidden.md"
    assert safe_name("规划 报告(1).docx") == "规划_报告_1_.docx"


@pytest.fixture(scope="module")
def app_url(seeded, tmp_path_factory):
    import os
    import shutil

    data = tmp_path_factory.mktemp("ui") / "data"
    shutil.copytree(seeded.settings.data_dir, data)
    port = free_port()
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(data), "ASSISTANT_UI__PORT": str(port),
           "ASSISTANT_LLM__PROVIDER": "extractive"}
    proc = subprocess.Popen([sys.executable, str(ROOT / "app.py")], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    wait_for(url, proc, 120)
    yield url
    proc.terminate()
    proc.wait(timeout=20)


def test_chat_answers_with_a_linked_citation_and_sources(app_url):
    from gradio_client import Client

    client = Client(app_url, verbose=False)
    chat, _, sources = client.predict("鹤淇产业集聚区入驻了多少家企业？", [], "extractive", 5, api_name="/respond")
    answer = chat[-1]["content"]
    text = answer[0]["text"] if isinstance(answer, list) else answer
    assert "104" in text and "(#src-1)" in text
    assert "id='src-1'" in sources and "002_aea219f0e11938a5.txt" in sources and "<mark>" in sources


def test_bad_upload_is_reported_and_documents_stay(app_url, tmp_path):
    from gradio_client import Client, handle_file

    client = Client(app_url, verbose=False)
    before = client.predict(api_name="/doc_rows")
    bad = tmp_path / "junk.txt"
    bad.write_bytes(bytes(range(256)) * 10)
    good = tmp_path / "星河产业园.md"
    good.write_text("# 星河产业园\n星河产业园规划占地800亩，入驻企业42家。\n", encoding="utf-8")
    log, table, _ = client.predict([handle_file(str(bad)), handle_file(str(good))], api_name="/upload")
    assert "junk.txt" in log and "binary" in log
    assert "星河产业园.md" in log and "added" in log
    docs = [row[0] for row in table["data"]]
    assert "星河产业园.md" in docs and all(row[0] in docs for row in before["data"])
