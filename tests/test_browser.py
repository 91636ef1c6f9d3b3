"""End-to-end: the real app (`python app.py`) on a free port, driven in headless Chromium.

Needs Debian's chromium (/usr/bin/chromium; `.ci/run` installs it) and Playwright's Python
package (the `test` extra). Playwright's own browser download does not work here, so the
tests launch the system Chromium. Screenshots and timings go to tests/artifacts/.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, free_port, wait_for
from tests.browsing import ask, new_conversation, turns

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = ROOT / "tests" / "artifacts"
SEED_Q = "鹤淇产业集聚区入驻了多少家企业？"
SEED_DOC = "002_aea219f0e11938a5.txt"
PLACEHOLDER_Q = "汝州产业集聚区在全省排第几？"  # the zh input box's example
RANK_DOC = "001_6e86d79fbe28caed.txt"
NOT_FOUND_Q = "上海迪士尼乐园的门票多少钱？"


def record(name: str, value: object) -> None:
    """Add a measurement to tests/artifacts/browser_timings.json."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / "browser_timings.json"
    data = json.loads(path.read_text()) if path.is_file() else {}
    data[name] = value
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False))


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(
            "Chromium is not installed: run `apt-get install -y chromium chromium-driver` as root "
            "(CI's .ci/run installs it). Playwright's own browser download does not work here."
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright's Python package is missing: .venv/bin/pip install -e '.[test]'")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


def copy_store(seeded, dest: Path) -> Path:
    """A private copy of the seeded store, without the 1.1 GB model cache."""
    src = Path(seeded.settings.data_dir)
    shutil.copytree(src, dest, ignore=lambda d, names: ["cache"] if Path(d) == src else [])
    return dest


class App:
    def __init__(self, data: Path, env: dict[str, str], timeout: float = 180) -> None:
        self.data = data
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log = data.parent / "app.log"
        full_env = {
            **os.environ,
            "ASSISTANT_DATA_DIR": str(data),
            "ASSISTANT_UI__PORT": str(self.port),
            "ASSISTANT_LLM__PROVIDER": "extractive",
            **env,
        }
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, str(ROOT / "app.py")],
                env=full_env,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_for(self.url, self.proc, timeout)
        except OSError as exc:
            raise AssertionError(
                f"the app did not start: {self.log.read_text(errors='replace')[-3000:]}"
            ) from exc

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise AssertionError("no VmRSS")


@pytest.fixture(scope="module")
def app(seeded, tmp_path_factory):
    """The app with the extractive provider and a 1 MB upload limit."""
    data = copy_store(seeded, tmp_path_factory.mktemp("browser") / "data")
    a = App(data, {"ASSISTANT_UI__MAX_UPLOAD_MB": "1"})
    yield a
    a.stop()


def open_page(browser, url: str, locale: str = "zh-CN", **context):
    """A fresh browser session on the app; returns (page, seconds until it is interactive)."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale=locale, **context)
    page = ctx.new_page()
    page.set_default_timeout(60_000)
    t0 = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.locator("#question textarea").wait_for(state="visible")
    page.wait_for_function(
        "() => { const t = document.querySelector('#question textarea'); return t && !t.disabled; }"
    )
    return page, time.perf_counter() - t0


@pytest.fixture
def page(browser, app):
    page, _ = open_page(browser, app.url)
    yield page
    page.context.close()


def upload(page, files: list[Path], tab: str = "文档管理", done: str = "完成：") -> str:
    """Upload files in the documents tab; the finished ingest log (once the box is empty
    again, ready for the next upload)."""
    page.get_by_role("tab", name=tab).click()
    log = page.locator("#upload-log textarea")
    log.evaluate("e => { e.value = ''; }")  # the previous upload's log is not this one's
    page.locator("#upload input[type=file]").set_input_files([str(f) for f in files])
    page.wait_for_function(
        f"() => document.querySelector('#upload-log textarea').value.includes('{done}')",
        timeout=120_000,
    )
    page.wait_for_function(
        "() => document.querySelectorAll('#upload .file-preview tr, #upload table tr').length === 0"
    )
    return log.input_value()


def delete_document(page, typed: str, name: str) -> None:
    """Delete a document in the documents tab, picked by typing part of its name."""
    page.get_by_role("tab", name="文档管理").click()
    page.locator("#delete-pick input").click()
    page.locator("#delete-pick input").fill(typed)
    page.get_by_role("option", name=name).click()
    page.locator("#delete").click()
    page.wait_for_function(
        "() => /已删除/.test(document.querySelector('#upload-log textarea').value)"
    )


def table_column(page, col: int) -> list[str]:
    """A column of the documents table (Gradio renders body cells as [data-testid=cell-<row>-<col>])."""
    return [
        c.strip()
        for c in page.locator(
            f"#doc-table [role=gridcell][data-testid$='-{col}']"
        ).all_inner_texts()
    ]


def table_docs(page) -> list[str]:
    """The documents table's file names (its second column; the title is first)."""
    return table_column(page, 1)


# --------------------------------------------------------------------------- tests


def test_answer_links_citations_to_highlighted_sources(page):
    bot = ask(page, SEED_Q)
    assert "104" in bot.inner_text()
    # the streamed draft was replaced by the checked answer, which says it was checked
    assert bot.locator(".checked").count() == 1 and bot.locator(".drafting").count() == 0
    link = bot.locator("a[href^='#src-1-']").first
    assert link.count() == 1 and link.inner_text().startswith("[")
    anchor = link.get_attribute("href")[1:]
    source = page.locator(f"#sources details#{anchor}")
    assert SEED_DOC in source.locator("summary").inner_text()
    assert source.locator(".heading").inner_text().strip()  # the heading path
    assert any(
        "104" in m for m in source.locator("mark").all_inner_texts()
    )  # the supporting sentence

    # folding the source and clicking the citation opens it again and scrolls to it
    page.evaluate(f"document.getElementById('{anchor}').open = false")
    page.evaluate("window.scrollTo(0, 0)")
    link.click()
    page.wait_for_function(f"() => document.getElementById('{anchor}').open")
    page.wait_for_timeout(600)  # smooth scroll
    box = source.bounding_box()
    assert box and 0 <= box["y"] < page.viewport_size["height"]
    assert page.evaluate("location.hash") == ""  # handled in the page, no navigation

    # retrieved-but-uncited passages are folded and open one by one
    group = page.locator("#sources details.uncited-group").first
    assert not group.evaluate("e => e.open")
    group.locator("summary").first.click()
    first_other = group.locator("details.uncited").first
    assert first_other.is_visible() and not first_other.evaluate("e => e.open")
    first_other.locator("summary").click()
    assert first_other.locator(".passage").is_visible()
    shot(page, "answer_with_sources")


def test_follow_up_uses_the_conversation_and_new_conversation_clears(page):
    ask(page, SEED_Q)
    follow = ask(page, "它累计投资多少亿元？")
    assert "132.7" in follow.inner_text()
    assert page.locator("#sources details.turn").count() == 2
    assert SEED_DOC in page.locator("#sources details.turn").first.inner_text()
    new_conversation(page)
    # the empty chat offers the example questions again; one click asks it
    example = page.locator("#chat").get_by_text("汝州产业集聚区在全省排第几？")
    example.click()
    page.wait_for_function("() => document.querySelectorAll('#sources details.turn').length === 1")
    assert (
        page.locator("#chat [data-testid='user']").last.inner_text().strip()
        == "汝州产业集聚区在全省排第几？"
    )
    assert page.locator("#sources details.source.cited").count() >= 1


# Messages of the chat whose visible part (inside the scrolled message area) lies under the
# chat's floating label or its clear/copy icons.
COVERED = """() => {
  const area = document.querySelector('#chat .bubble-wrap').getBoundingClientRect();
  const chrome = [...document.querySelectorAll(
    '#chat .icon-button-wrapper, #chat label[data-testid=block-label]')]
    .map(e => e.getBoundingClientRect()).filter(r => r.width && r.height);
  let covered = 0;
  for (const m of document.querySelectorAll('#chat [data-testid=bot], #chat [data-testid=user]')) {
    const r = m.getBoundingClientRect();
    const top = Math.max(r.top, area.top), bottom = Math.min(r.bottom, area.bottom);
    if (bottom <= top) continue;
    if (chrome.some(c => c.left < r.right && r.left < c.right && c.top < bottom && top < c.bottom))
      covered++;
  }
  return [covered, chrome.length];
}"""


def test_the_chat_icons_never_cover_a_message_as_it_scrolls(page):
    for q in (SEED_Q, PLACEHOLDER_Q, "鹤淇产业集聚区累计投资多少亿元？"):
        ask(page, q)
    scroller = page.locator("#chat .bubble-wrap")
    height = scroller.evaluate("e => e.scrollHeight - e.clientHeight")
    assert height > 300, "the chat must scroll for this test to mean anything"
    for y in range(0, height + 60, 60):
        scroller.evaluate(f"e => {{ e.scrollTop = {y}; }}")
        covered, icons = page.evaluate(COVERED)
        assert icons >= 2 and covered == 0, (y, covered)
    page.locator("#chat [data-testid='user']").first.scroll_into_view_if_needed()


def test_not_found_answer_is_calm_and_cites_nothing(page):
    bot = ask(page, NOT_FOUND_Q)
    assert bot.locator(".not-found").count() == 1
    assert "资料中未找到" in bot.inner_text()
    assert bot.locator("a[href^='#src-']").count() == 0
    assert page.locator("#sources .not-found").is_visible()
    assert page.locator("#sources details.source.cited").count() == 0
    shot(page, "not_found")


def test_an_english_answer_is_labelled_in_english_in_the_chinese_page(page):
    bot = ask(page, "How much has been invested in the Heqi industrial cluster zone?")
    assert "132.7" in bot.inner_text()
    badge = bot.locator(".checked").inner_text()
    assert badge.startswith("✔") and "documents" in badge
    assert not re.search(r"[\u4e00-\u9fff]", badge)
    refused = ask(page, "How much does a ticket to Shanghai Disneyland cost?")
    assert refused.locator(".not-found").count() == 1
    hint = refused.locator(".not-found small").inner_text()
    assert "Nothing in the documents answers this question" in hint
    # and a Chinese question in the same conversation is labelled in Chinese again
    zh = ask(page, SEED_Q)
    assert "已按资料核对" in zh.locator(".checked").inner_text()
    # the page around the answers stays Chinese
    assert page.locator("#send").inner_text().strip() == "提问"


def test_citations_are_numbered_in_the_order_the_answer_cites_them(page):
    # the reader quotes the attachment's title before the table row, from a passage
    # retrieved after the row's: numbered as read, [1] before [2], the panel in that order
    bot = ask(page, "庙下镇2023年的招商引资任务是多少？")
    hrefs = [a.get_attribute("href") for a in bot.locator("a[href^='#src-']").all()]
    numbers = [int(h.rsplit("-", 1)[1]) for h in hrefs]
    assert len(set(numbers)) >= 2, bot.inner_text()
    assert list(dict.fromkeys(numbers)) == list(range(1, len(set(numbers)) + 1))
    turn = hrefs[0].split("-")[1]
    cited = page.locator(f"#sources details.source.cited[id^='src-{turn}-']")
    assert [cited.nth(i).get_attribute("id") for i in range(cited.count())] == [
        f"src-{turn}-{n}" for n in range(1, len(set(numbers)) + 1)
    ]
    assert cited.nth(0).locator("summary").inner_text().startswith("[1] ")
    # source [1] holds what the answer says before its [1]
    said = bot.inner_text().split("[1]")[0]
    marked = cited.nth(0).locator("mark").all_inner_texts()
    assert marked and any(m.strip()[:8] in said for m in marked), (said, marked)
    shot(page, "citations_in_order")


# A report whose first chunk ends inside a sentence: the paragraph stops at "…带" and the
# next (after a blank line, as a PDF's page break leaves it) goes on "动就业1560人。".
STEEL = (
    "钢铁产业园位于集聚区东部，占地一千二百亩，建有标准化厂房十八栋，引进轧钢、铸造、精密加工、"
    "钢结构制造等上下游企业二十六家，配套建设物流园、污水处理厂、职工公寓和研发中心，"
    "形成了从原料到成品的完整产业链条，园区道路、供水、供电等基础设施全部建成，"
    "今年完成投资13亿元，带动就业1560人。"
)
PARKS = "".join(
    f"{name}产业园今年完成投资{i + 3}亿元，带动就业{(i + 2) * 130}人。"
    for i, name in enumerate(
        ["纺织", "机械", "电子", "建材", "食品", "物流", "光伏", "医药", "汽车"]
    )
)
CUT_REPORT = (
    f"青石产业集聚区重点项目建设情况\n\n青石产业集聚区重点项目建设稳步推进。{PARKS}"
    + STEEL.replace("带动就业", "带\n\n动就业")
    + "造纸产业园今年完成投资14亿元，带动就业1690人。"
    "陶瓷产业园今年完成投资15亿元，带动就业1820人。\n"
)


def test_a_quote_reads_on_to_its_sentence_end_across_a_chunk_and_a_broken_line(page, tmp_path):
    report = tmp_path / "青石产业集聚区.txt"
    report.write_text(CUT_REPORT, encoding="utf-8")
    assert "1 个成功，0 个失败" in upload(page, [report])
    try:
        page.get_by_role("tab", name="提问").click()
        bot = ask(page, "钢铁产业园带动就业多少人？")
        assert STEEL in bot.inner_text()
        # the citation opens the stored passage, cut where its chunk ends (or begins)
        cited = page.locator("#sources details.source.cited").first
        assert "青石产业集聚区.txt" in cited.locator("summary").inner_text()
        passage = cited.locator(".passage").inner_text()
        assert "带动就业1560人" not in passage
        assert "钢铁产业园" in passage or "动就业1560人" in passage
        assert cited.locator("mark").count() >= 1
        shot(page, "whole_quote_across_chunks")
        # the seed report's PDF broke this sentence's line after "以汝绣特色吸"
        bot = ask(page, "汝绣园一二三期现在入驻了多少企业、多少条生产线？")
        assert "以汝绣特色吸引八方来客。" in bot.inner_text()
    finally:
        delete_document(page, "青石", "青石产业集聚区.txt")


def make_docx(path: Path) -> Path:
    from docx import Document

    doc = Document()
    doc.add_heading("云溪数字产业园简介", level=1)
    doc.add_paragraph("云溪数字产业园位于河南省鹤壁市，2024年正式开园。")
    doc.add_paragraph("云溪数字产业园已入驻企业37家，其中高新技术企业12家，园区规划面积为600亩。")
    doc.save(path)
    return path


def test_uploaded_docx_answers_and_deleting_it_removes_it(page, app, tmp_path):
    docx = make_docx(tmp_path / "云溪产业园.docx")
    log = upload(page, [docx])
    assert "✅ 云溪产业园.docx" in log and "1 个成功，0 个失败" in log
    docs = table_docs(page)
    assert "云溪产业园.docx" in docs
    # the table names a document by its title first, its file name second
    assert table_column(page, 0)[docs.index("云溪产业园.docx")] == "云溪数字产业园简介"
    assert (app.data / "uploads" / "云溪产业园.docx").is_file()
    shot(page, "upload")

    # the box was emptied: the next upload sends (and lists) only its own file
    assert "云溪产业园.docx" not in page.locator("#upload").inner_text()
    note = tmp_path / "星云产业园.md"
    note.write_text("# 星云产业园\n星云产业园规划占地300亩，入驻企业9家。\n", encoding="utf-8")
    log = upload(page, [note])
    assert "云溪产业园.docx" not in log
    assert log.count("星云产业园.md") == 1 and "1 个成功，0 个失败" in log

    page.get_by_role("tab", name="提问").click()
    question = "云溪数字产业园入驻了多少家企业？"
    bot = ask(page, question)
    assert "37" in bot.inner_text()
    cited = page.locator("#sources details.source.cited").first
    assert cited.locator(".doc-title").inner_text().endswith("云溪数字产业园简介")
    assert cited.locator(".file").inner_text() == "云溪产业园.docx"

    delete_document(page, "云溪", "云溪产业园.docx")
    assert "云溪产业园.docx" not in table_docs(page)
    assert not (app.data / "uploads" / "云溪产业园.docx").exists()

    page.get_by_role("tab", name="提问").click()
    new_conversation(page)
    ask(page, question)
    assert "云溪产业园.docx" not in page.locator("#sources").inner_text()
    assert "37家" not in page.locator("#chat [data-testid='bot']").last.inner_text()


def bad_files(tmp_path: Path) -> list[Path]:
    """Files an upload must refuse, each for its own reason, and one good file."""
    from pypdf import PdfWriter

    junk = tmp_path / "乱码.txt"
    junk.write_bytes(bytes(range(256)) * 8)
    sheet = tmp_path / "表格.xlsx"
    sheet.write_bytes(b"PK\x03\x04 not really a workbook")
    scanned = tmp_path / "扫描件.pdf"
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    with scanned.open("wb") as f:
        writer.write(f)
    broken = tmp_path / "损坏.pdf"
    broken.write_bytes(scanned.read_bytes()[:300])
    empty = tmp_path / "空白.txt"
    empty.write_bytes(b"")
    big = tmp_path / "大文件.txt"
    big.write_text("园区" * 400_000, encoding="utf-8")  # 2.4 MB > the 1 MB limit of this app
    good = tmp_path / "星河产业园.md"
    good.write_text("# 星河产业园\n星河产业园规划占地800亩，入驻企业42家。\n", encoding="utf-8")
    return [junk, sheet, scanned, broken, empty, big, good]


def log_lines(log: str) -> dict[str, list[str]]:
    """The log's lines by file name (a file listed twice has two)."""
    out: dict[str, list[str]] = {}
    for line in log.splitlines():
        if ":" in line:
            out.setdefault(line.split(":")[0].lstrip("✅❌ "), []).append(line)
    return out


def test_bad_uploads_are_reported_per_file_in_chinese_and_the_rest_goes_through(
    page, app, tmp_path
):
    before = table_docs_after_open(page)
    log = upload(page, bad_files(tmp_path))
    lines = {name: found[0] for name, found in listed_once(log).items()}
    assert lines["乱码.txt"].startswith("❌") and "二进制文件" in lines["乱码.txt"]
    assert "不支持的文件类型「.xlsx」" in lines["表格.xlsx"] and "支持" in lines["表格.xlsx"]
    assert "没有文字层" in lines["扫描件.pdf"] and "OCR" in lines["扫描件.pdf"]
    assert "PDF 已损坏或无法读取：" in lines["损坏.pdf"]
    assert "空文件，未添加" in lines["空白.txt"]
    assert "ui.max_upload_mb" in lines["大文件.txt"] and "请拆分文件" in lines["大文件.txt"]
    assert lines["星河产业园.md"].startswith("✅") and "已添加" in lines["星河产业园.md"]
    assert "1 个成功，6 个失败" in log
    # every reason in the page's language: no English sentence in the Chinese log
    assert not re.search(r"\b(?:file|empty|corrupt|unsupported|binary|scanned)\b", log), log
    after = table_docs(page)
    assert set(before) <= set(after) and "星河产业园.md" in after
    assert not any(
        (app.data / "uploads" / n).exists()
        for n in ("乱码.txt", "表格.xlsx", "扫描件.pdf", "损坏.pdf", "空白.txt", "大文件.txt")
    )
    shot(page, "upload_errors")


def listed_once(log: str) -> dict[str, list[str]]:
    """log_lines, asserting that each file is listed exactly once."""
    lines = log_lines(log)
    assert all(len(found) == 1 for found in lines.values()), lines
    return lines


def table_docs_after_open(page) -> list[str]:
    page.get_by_role("tab", name="文档管理").click()
    page.locator("#doc-table [role=gridcell]").first.wait_for()
    docs = table_docs(page)
    assert SEED_DOC in docs and len(docs) >= 5
    return docs


def test_two_sessions_asking_at_once_both_get_answers(browser, app):
    a, _ = open_page(browser, app.url)
    b, _ = open_page(browser, app.url)
    try:
        for p, q in ((a, SEED_Q), (b, "汝州产业集聚区在全省排第几？")):
            p.locator("#question textarea").fill(q)
        a.locator("#send").click()
        b.locator("#send").click()
        for p in (a, b):
            p.wait_for_function(
                "() => document.querySelectorAll('#sources details.turn').length === 1"
            )
            assert p.locator("#sources details.source.cited").count() >= 1
        assert "104" in a.locator("#chat [data-testid='bot']").last.inner_text()
        assert (
            "104" not in b.locator("#chat [data-testid='bot']").last.inner_text()
        )  # each its own answer
    finally:
        a.context.close()
        b.context.close()


def test_page_load_time_is_recorded(browser, app):
    times = []
    for _ in range(3):
        page, secs = open_page(browser, app.url)
        times.append(secs)
        page.context.close()
    record(
        "page_load_to_interactive_s",
        {"runs": [round(t, 3) for t in times], "median": round(statistics.median(times), 3)},
    )
    assert statistics.median(times) < 15


def test_english_labels_and_basic_auth(browser, seeded, tmp_path_factory):
    data = copy_store(seeded, tmp_path_factory.mktemp("auth") / "data")
    a = App(data, {"ASSISTANT_UI__LANGUAGE": "en", "ASSISTANT_UI__AUTH": '[["reader", "s3cret"]]'})
    try:
        ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
        page = ctx.new_page()
        page.set_default_timeout(60_000)
        page.goto(a.url)
        page.locator("input[type=password]").wait_for()
        assert page.locator("#question").count() == 0  # nothing of the app before logging in
        page.locator("input[type=text]").first.fill("reader")
        page.locator("input[type=password]").fill("wrong")
        page.keyboard.press("Enter")
        page.get_by_text("Incorrect", exact=False).first.wait_for()
        page.locator("input[type=text]").first.fill("reader")  # the form is cleared after a failure
        page.locator("input[type=password]").fill("s3cret")
        page.keyboard.press("Enter")
        page.locator("#question textarea").wait_for()
        assert page.get_by_role("tab", name="Documents").is_visible()
        assert page.locator("#send").inner_text().strip() == "Ask"
        bot = ask(page, "How much has been invested in the Heqi industrial cluster zone?")
        assert "132.7" in bot.inner_text()  # quoted from the Chinese sentence (no model here)
        assert bot.locator("a[href^='#src-1-']").count() >= 1
        assert SEED_DOC in page.locator("#sources details.source.cited").first.inner_text()
        assert "against the documents" in bot.locator(".checked").inner_text().replace(
            "Quoted from the documents and checked", "checked against the documents"
        )
        shot(page, "english_answer")

        # the page's messages are English too: upload reasons and the result line
        empty = tmp_path_factory.mktemp("en_upload") / "blank.txt"
        empty.write_bytes(b"")
        log = upload(page, [empty], tab="Documents", done="Done:")
        line = listed_once(log)["blank.txt"][0]
        assert line.startswith("❌") and "empty file, not added" in line
        assert "Done: 0 succeeded, 1 failed." in log
        assert not re.search(r"[\u4e00-\u9fff]", log), log
        assert page.locator("#doc-table thead").inner_text().split()[0] == "Title"
        ctx.close()
    finally:
        a.stop()


# --------------------------------------------------------------------------- the real model


@pytest.mark.slow
def test_local_model_streams_a_cited_answer_in_the_browser(browser, seeded, tmp_path_factory):
    from assistant.models import bundled_model_path

    gguf = bundled_model_path(seeded.settings.cache_dir)  # the one assembled copy, shared
    data = copy_store(seeded, tmp_path_factory.mktemp("local") / "data")
    t_start = time.perf_counter()
    env = {
        "ASSISTANT_LLM__PROVIDER": "local",
        "ASSISTANT_LLM__MODEL_PATH": str(gguf),
        # the model reads every question here (no quote-first): its drafts must stream
        "ASSISTANT_ANSWER__QUOTE_FIRST": "false",
        "ASSISTANT_ANSWER__MODEL_FLOOR": "0",
        "ASSISTANT_ANSWER__BUDGET_S": "0",  # and to their end (the budget has its own test)
    }
    a = App(data, env)
    try:
        page, _ = open_page(browser, a.url)
        status = page.locator("#model-status")
        page.wait_for_function(
            "() => /✅/.test(document.querySelector('#model-status').innerText)", timeout=300_000
        )
        ready_s = time.perf_counter() - t_start
        assert "qwen2.5-coder" in status.inner_text()

        first_tokens, totals = [], []
        # three different questions: a repeated one would reuse llama.cpp's cached prompt
        questions = [
            SEED_Q,
            PLACEHOLDER_Q,  # the input box's own example (the model's "not found" is re-asked)
            "鹤淇产业集聚区累计投资多少亿元？",
        ]
        for i, question in enumerate(questions):
            if i:
                new_conversation(page)
            page.locator("#question textarea").fill(question)
            t0 = time.perf_counter()
            page.locator("#send").click()
            page.wait_for_function(
                "() => { const m = [...document.querySelectorAll('#chat [data-testid=bot]')].pop();"
                " if (!m) return false; const t = m.innerText.trim(); return t && t !== '…' && !t.includes('⏳') && !t.includes('⏸'); }",
                polling=20,
                timeout=300_000,
            )
            first_tokens.append(time.perf_counter() - t0)
            page.wait_for_function(
                "() => document.querySelectorAll('#sources details.turn').length === 1",
                timeout=300_000,
            )
            totals.append(time.perf_counter() - t0)
            if i == 0:  # facts only, never the model's wording
                assert "104" in page.locator("#chat [data-testid='bot']").last.inner_text()
                assert SEED_DOC in page.locator("#sources details.source.cited").first.inner_text()
            if i == 1:
                placeholder = page.locator("#question textarea").get_attribute("placeholder")
                assert PLACEHOLDER_Q in placeholder
                assert "18" in page.locator("#chat [data-testid='bot']").last.inner_text()
                assert RANK_DOC in page.locator("#sources details.source.cited").first.inner_text()
            if i == 0:
                shot(page, "local_model_answer")
        rss = a.rss_mb()

        # two sessions asking at once: one generation at a time, the other queued; both answered
        other, _ = open_page(browser, a.url)
        new_conversation(page)
        page.locator("#question textarea").fill(SEED_Q)
        other.locator("#question textarea").fill("鹤淇产业集聚区规划建设用地多少平方公里？")
        page.locator("#send").click()
        other.locator("#send").click()
        for p in (page, other):
            p.wait_for_function(
                "() => document.querySelectorAll('#sources details.turn').length === 1",
                timeout=600_000,
            )
            assert "⚠" not in p.locator("#chat [data-testid='bot']").last.inner_text()
        assert "104" in page.locator("#chat [data-testid='bot']").last.inner_text()
        other.context.close()
        record(
            "local_model",
            {
                "app_start_to_model_ready_s": round(ready_s, 1),
                "first_token_s": [round(t, 2) for t in first_tokens],
                "first_token_median_s": round(statistics.median(first_tokens), 2),
                "answer_total_s": [round(t, 2) for t in totals],
                "answer_total_median_s": round(statistics.median(totals), 2),
                "rss_mb": round(rss, 0),
            },
        )
        assert statistics.median(first_tokens) < statistics.median(totals)
        page.context.close()
    finally:
        a.stop()


@pytest.mark.slow
def test_a_model_answer_queues_the_next_one_and_quotes_pass_it(browser, seeded, tmp_path_factory):
    """Three users at once with the local model: A's English question has the model; B's
    follow-up needs the model too and shows its question at once and its place in the queue;
    C's quoted question is answered while A's is still being written."""
    from assistant.models import bundled_model_path

    gguf = bundled_model_path(seeded.settings.cache_dir)
    data = copy_store(seeded, tmp_path_factory.mktemp("queue") / "data")
    env = {
        "ASSISTANT_LLM__PROVIDER": "local",
        "ASSISTANT_LLM__MODEL_PATH": str(gguf),
        "ASSISTANT_ANSWER__BUDGET_S": "0",  # B waits its turn however long A takes
    }
    a_app = App(data, env)
    pages = []
    try:
        a, _ = open_page(browser, a_app.url)
        b, _ = open_page(browser, a_app.url)
        c, _ = open_page(browser, a_app.url)
        pages = [a, b, c]
        a.wait_for_function(
            "() => /✅/.test(document.querySelector('#model-status').innerText)", timeout=300_000
        )
        ask(b, SEED_Q)  # a confident quote: no model
        a.locator("#question textarea").fill(
            "How much has been invested in the Heqi industrial cluster zone?"
        )
        a.locator("#send").click()
        b.wait_for_timeout(1500)  # A is translating its question with the model by now
        follow = "它累计投资多少亿元？"  # a follow-up: the model rewrites it, so B queues
        b.locator("#question textarea").fill(follow)
        t_b = time.perf_counter()
        b.locator("#send").click()
        b.wait_for_function(
            "() => /排队中：前面还有 1 个回答，约 \\d+ 秒/.test("
            "[...document.querySelectorAll('#chat [data-testid=bot]')].pop().innerText)",
            timeout=15_000,
        )
        queued_after = time.perf_counter() - t_b
        assert b.locator("#chat [data-testid='user']").last.inner_text().strip() == follow
        shot(b, "queued")

        t_c = time.perf_counter()
        quote = ask(c, PLACEHOLDER_Q, timeout=30_000)
        c_secs = time.perf_counter() - t_c
        assert "18" in quote.inner_text() and "原文摘录" in quote.inner_text()
        assert turns(a) == 0, "A's model answer should still be running while C's quote is done"

        for p in (a, b):
            p.wait_for_function(
                f"() => document.querySelectorAll('#sources details.turn').length === {1 if p is a else 2}",
                timeout=600_000,
            )
            assert "⚠" not in p.locator("#chat [data-testid='bot']").last.inner_text()
        # A's answer is the model's (its facts are the answer tests' business): checked and cited
        a_bot = a.locator("#chat [data-testid='bot']").last
        assert a_bot.locator(".checked, .not-found").count() == 1
        assert "132.7" in b.locator("#chat [data-testid='bot']").last.inner_text()
        record(
            "queue",
            {
                "queued_message_after_s": round(queued_after, 2),
                "quote_during_model_s": round(c_secs, 2),
            },
        )
        assert queued_after < 5 and c_secs < 5
    finally:
        for p in pages:
            p.context.close()
        a_app.stop()


@pytest.mark.slow
def test_a_model_over_the_time_budget_gives_the_checked_quote_without_a_spinner(
    browser, seeded, tmp_path_factory
):
    """With a 3 s budget and the model reading every question, the answer is the checked
    quote, said to be one, as soon as the budget runs out (the prompt's current block)."""
    from assistant.models import bundled_model_path

    gguf = bundled_model_path(seeded.settings.cache_dir)
    data = copy_store(seeded, tmp_path_factory.mktemp("budget") / "data")
    env = {
        "ASSISTANT_LLM__PROVIDER": "local",
        "ASSISTANT_LLM__MODEL_PATH": str(gguf),
        "ASSISTANT_ANSWER__QUOTE_FIRST": "false",
        "ASSISTANT_ANSWER__BUDGET_S": "3",
    }
    app = App(data, env)
    page = None
    try:
        page, _ = open_page(browser, app.url)
        page.wait_for_function(
            "() => /✅/.test(document.querySelector('#model-status').innerText)", timeout=300_000
        )
        t0 = time.perf_counter()
        bot = ask(page, SEED_Q, timeout=60_000)
        took = time.perf_counter() - t0
        text = bot.inner_text()
        assert "104" in text and "原文摘录" in text, text
        assert "模型未在 3 秒时限内答完" in text, text
        record("budget", {"budget_s": 3, "answer_shown_after_s": round(took, 2)})
        assert took < 3 + 15, took  # a block of the prompt at most after the budget
        shot(page, "out_of_time")
    finally:
        if page is not None:
            page.context.close()
        app.stop()
