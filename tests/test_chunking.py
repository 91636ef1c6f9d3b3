"""Chunks follow the document's structure, keep offsets exact and never cut numbers or rows."""

import re

import pytest

from assistant.chunking import chunk_document
from assistant.config import ChunkingSettings
from assistant.ingest import read_document
from assistant.schema import Document
from conftest import SEEDS

CFG = ChunkingSettings()


@pytest.fixture(scope="module")
def seed_chunks():
    out = {}
    for path in sorted(SEEDS.glob("*.txt")):
        doc = read_document(path)
        out[path.name] = (doc, chunk_document(doc, CFG))
    return out


def test_every_chunk_is_an_exact_slice_of_the_cleaned_text(seed_chunks):
    for doc, chunks in seed_chunks.values():
        assert chunks
        for c in chunks:
            assert doc.text[c.start : c.end] == c.text
            assert c.doc_id == doc.doc_id and c.title


def test_chunk_sizes_stay_within_bounds(seed_chunks):
    lengths = [len(c.text) for _, chunks in seed_chunks.values() for c in chunks]
    assert max(lengths) <= CFG.max_chars
    assert 200 <= sum(lengths) / len(lengths) <= 400


def test_no_chunk_boundary_cuts_a_number(seed_chunks):
    for doc, chunks in seed_chunks.values():
        for c in chunks:
            before = doc.text[c.start - 1 : c.start]
            after = doc.text[c.end : c.end + 1]
            assert not (before.isdigit() and c.text[:1].isdigit()), c.text[:20]
            assert not (after.isdigit() and c.text[-1:].isdigit()), c.text[-20:]


def test_chunks_carry_their_heading_path(seed_chunks):
    _, chunks = seed_chunks["003_5e6f342b3dea3258.txt"]
    goal = next(c for c in chunks if "省外资金170亿元" in c.text)
    assert "二、工作目标" in goal.heading
    food = next(c for c in chunks if "绿色食品产业" in c.text)
    assert "三、工作重点" in food.heading and "（二）围绕新兴产业招商" in food.heading
    _, chunks002 = seed_chunks["002_aea219f0e11938a5.txt"]
    xincai = next(c for c in chunks002 if "新蔡县产业集聚区发展规划" in c.text)
    assert xincai.heading.startswith("第四篇")
    assert xincai.embed_text().startswith(xincai.title)


def test_table_rows_stay_whole_with_the_header_kept(seed_chunks):
    _, chunks = seed_chunks["003_5e6f342b3dea3258.txt"]
    rows = [c for c in chunks if "汝南街道 176000 7 6" in c.text]
    assert len(rows) == 1
    table = rows[0]
    assert "目标任务分解表" in table.heading and "省外资金" in table.heading
    for line in table.text.splitlines():
        if re.search(r" \d{4,} ", line):  # every row with a figure is a whole row
            assert re.fullmatch(r"\S+ \d+ \d+ \d+", line.strip()), line


def test_long_sections_split_on_sentence_ends_with_overlap(seed_chunks):
    doc, chunks = seed_chunks["002_aea219f0e11938a5.txt"]
    split = [c for c in chunks if len(c.text) > 200]
    ends_on_sentence = sum(1 for c in split if c.text.rstrip()[-1] in "。！？；”")
    assert ends_on_sentence >= 0.8 * len(split)
    overlapping = sum(1 for a, b in zip(chunks, chunks[1:], strict=False) if b.start < a.end)
    assert overlapping >= 1


def test_ids_are_stable_and_derived_from_content(seed_chunks):
    doc, chunks = seed_chunks["001_6e86d79fbe28caed.txt"]
    again = chunk_document(doc, CFG)
    assert [c.chunk_id for c in again] == [c.chunk_id for c in chunks]
    assert len({c.chunk_id for c in chunks}) == len(chunks)
    doc.text = doc.text.replace("第18位", "第19位")
    changed = chunk_document(doc, CFG)
    assert sum(a.chunk_id != b.chunk_id for a, b in zip(chunks, changed, strict=True)) >= 1
    assert (
        sum(a.chunk_id == b.chunk_id for a, b in zip(chunks, changed, strict=True))
        >= len(chunks) - 2
    )


def test_the_title_is_a_heading_line_not_a_sentence_that_names_a_plan():
    text = "# 云溪数字产业园简介\n云溪数字产业园已入驻企业37家，园区规划面积为600亩。\n"
    chunks = chunk_document(Document("yx.docx", "", text, ""), ChunkingSettings())
    assert chunks[0].title == "云溪数字产业园简介"


def test_a_headline_keeps_its_subtitle_but_not_its_byline_or_masthead():
    """A newspaper page names its place only in the line under the headline."""

    def title(text: str) -> str:
        return chunk_document(Document("p.txt", "", text, ""), ChunkingSettings())[0].title

    body = "园区规划占地1万亩，主要以生产经营高档机绣为主。" * 3
    page = f"擦亮星级名片 创梦产业新城\n汝州市产业集聚区晋升省二星级产业集聚区\n{body}\n"
    assert title(page) == "擦亮星级名片 创梦产业新城 汝州市产业集聚区晋升省二星级产业集聚区"
    for under in (
        "文/图 融媒体中心记者 宋乐义",
        "焦作日报 | 焦作晚报 | 焦作网",
        "县统计局（2024年4月）",
    ):
        assert title(f"奋力打造一流产业集聚区\n{under}\n{body}\n") == "奋力打造一流产业集聚区"
    # the line under a part marker heads that part, not the whole compilation
    parts = f"第一篇：产业集聚区2025年发展报告\n鹤淇产业集聚区2025年发展报告\n{body}\n"
    assert title(parts) == "第一篇：产业集聚区2025年发展报告"


def _table_chunks(text: str) -> list:
    from assistant.cleaning import clean_text

    doc = Document("t.txt", "", clean_text(text))
    cfg = ChunkingSettings(target_chars=120, max_chars=160, min_chars=20, overlap_chars=0)
    return doc, chunk_document(doc, cfg)


def test_a_space_aligned_table_keeps_its_columns_and_its_header_in_every_chunk():
    rows = "\n".join(
        f"项目{i}        新建供水管网{i}0公里，惠及{i}00户        {i}8300" for i in range(1, 9)
    )
    text = f"全区民生实事安排如下：\n\n民生实事        主要内容        计划投资（万元）\n{rows}\n"
    doc, chunks = _table_chunks(text)
    # the cell boundary survives cleaning: "…惠及100户" and "18300" stay two cells
    assert "项目1 | 新建供水管网10公里，惠及100户 | 18300" in doc.text
    with_rows = [c for c in chunks if "项目" in c.text]
    assert len(with_rows) >= 2, "the table spans several chunks"
    from assistant.answer.tables import readable

    for c in with_rows:
        assert "民生实事 | 主要内容 | 计划投资（万元）" in c.heading
        assert re.search(r"｜计划投资：\d+万元", readable(c.text, c.heading))


def test_a_pipe_table_header_rides_along_with_its_rows():
    rows = "\n".join(f"| 指标{i} | % | {i}.5 | {i} |" for i in range(1, 12))
    text = f"主要预期目标见下表。\n\n表1 主要指标\n\n| 指标 | 单位 | 2023年完成 | 2024年目标 |\n|---|---|---|---|\n{rows}\n"
    _, chunks = _table_chunks(text)
    last = [c for c in chunks if "指标11" in c.text][0]
    assert "| 指标 | 单位 | 2023年完成 | 2024年目标 |" in last.heading
    from assistant.answer.tables import readable

    assert "指标11｜2023年完成：11.5%｜2024年目标：11%" in readable(last.text, last.heading)


def test_a_dated_signature_closes_the_text_above_it_and_heads_nothing():
    """A notice's 成文日期 alone on its line ends the notice (its 落款); the attached plan's
    title below it heads the plan, not the date."""
    notice = (
        "关于印发招商引资工作实施方案的通知\n溪政办〔2023〕17号\n"
        "《招商引资工作实施方案》已经县政府研究同意，现印发给你们，请认真贯彻落实。\n"
        "溪县人民政府办公室\n2023年 3月 15日\n招商引资工作实施方案\n"
        "为进一步提升我县对外开放招商引资工作质量和水平，结合我县实际，特制定本方案。\n"
    )
    doc = Document("n.txt", "", notice, "")
    chunks = chunk_document(doc, ChunkingSettings(target_chars=60, max_chars=120, min_chars=10))
    dated = next(c for c in chunks if "2023年 3月 15日" in c.text)
    assert "溪县人民政府办公室" in dated.text and "请认真贯彻落实" in dated.text
    assert all("3月 15日" not in c.heading for c in chunks), [c.heading for c in chunks]
    plan = next(c for c in chunks if "特制定本方案" in c.text)
    assert plan.heading.endswith("招商引资工作实施方案"), plan.heading


def test_a_speech_without_a_title_line_is_titled_by_its_file_name():
    """A report that opens with its salutation and section heading ("各位代表：",
    "一、2024年工作回顾") has no title line: the file name says what it is."""
    text = (
        "各位代表：\n\n现在，我代表县人民政府向大会报告工作，请予审议。\n\n"
        "一、2024年工作回顾\n\n全县地区生产总值完成210.5亿元，增长6.1%。\n"
    )
    doc = Document("青岚县2025年政府工作报告.txt", "", text)
    chunks = chunk_document(doc, ChunkingSettings())
    assert chunks and all(c.title == "青岚县2025年政府工作报告" for c in chunks)


def test_photo_captions_and_figure_titles_head_nothing():
    """A newspaper page with photos prints their captions between (even inside) the
    article's sentences; its subheads are side-by-side phrases, and a park's name heads
    the paragraph that describes the park. A figure's title heads nothing in any text."""
    page = (
        "云溪产业园：一座新城的崛起\n文/图 记者 王伟 通讯员 李明\n"
        "近年来，云溪产业园深化改革，园区面貌焕然一新，入驻企业达到86家。\n"
        "升级改造中的园区道路\n\n民生优先 基础设施先行\n\n正在施工的云溪南路\n\n园区游园\n"
        "园区三条主干道全长12公里，全部实现通车，沿线新建公厕6座，绿化面积达到3万平方米，"
        "道路两侧配套建设了管网与路灯，项目标准化管\n"
        "云溪扶贫移民搬迁安置小区\n"
        "理体系和办事流程进入常态，先后完成了18个项目的招投标工作。\n"
        "投产企业生产车间\n机制完善 机关管理规范\n"
        "管委会把服务企业放在首位，为企业办理各类审批事项120件，企业满意率达到98%。\n"
        "云溪机绣产业园\n云溪机绣产业园位于园区东部，规划面积1200亩，已入驻机绣企业40家。\n"
    )
    cfg = ChunkingSettings(target_chars=40, max_chars=120, min_chars=10, overlap_chars=0)
    chunks = chunk_document(Document("yx.txt", "", page, ""), cfg)

    def heading_of(fact: str) -> str:
        return next(c.heading for c in chunks if fact in c.text)

    assert heading_of("全长12公里") == "民生优先 基础设施先行"
    # the caption inside the cut sentence does not head its second half
    assert heading_of("18个项目") == "民生优先 基础设施先行"
    assert heading_of("审批事项120件") == "机制完善 机关管理规范"
    assert heading_of("已入驻机绣企业40家") == "云溪机绣产业园"
    captions = ("园区道路", "云溪南路", "园区游园", "安置小区", "生产车间")
    assert not any(cap in c.heading for c in chunks for cap in captions), [
        c.heading for c in chunks
    ]
    for c in chunks:  # offsets stay exact: captions are text, only not headings
        assert page[c.start : c.end] == c.text

    report = (
        "一、基本情况\n全县地区生产总值增长6.5%，规模以上工业增加值增长8.1%。\n"
        "图1 2019-2023年地区生产总值及增速\n"
        "全年粮食总产量32万吨，比上年增长1.2%。\n"
        "鸟瞰效果图\n产业园区\n园区新建标准化厂房12万平方米。\n"
    )
    cfg = ChunkingSettings(target_chars=20, max_chars=120, min_chars=5, overlap_chars=0)
    chunks = chunk_document(Document("r.txt", "", report, ""), cfg)
    assert all("图" not in c.heading for c in chunks), [c.heading for c in chunks]
    assert next(c for c in chunks if "32万吨" in c.text).heading == "一、基本情况"
    # a short line under a figure's title still heads what follows it
    assert next(c for c in chunks if "标准化厂房" in c.text).heading.endswith("产业园区")
