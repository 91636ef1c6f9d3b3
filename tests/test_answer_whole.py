"""Whole quotes: a quoted sentence ends where the source's sentence ends, across a line a
PDF broke and across the edge of a chunk (the chunk beside it, from the store)."""

from __future__ import annotations

from fakes import FakeIndex, FakeRetriever

from assistant.answer import Answerer
from assistant.answer.bind import Binder
from assistant.answer.tables import last_header, needs_header
from assistant.answer.whole import around, carried_header, joined, read_back, read_on
from assistant.chunking import chunk_document
from assistant.config import ChunkingSettings
from assistant.index.catalog import Catalog
from assistant.schema import Document, Passage
from conftest import make_settings

CUT = "汝绣农民工返乡创业园项目一、二、三期园区连接拔地而起，入驻企业160余家、生产线1300余条，引回产业工人3000余名，以汝绣特色吸"
REST = "引八方来客。"


def test_a_line_broken_inside_a_sentence_is_read_whole():
    assert (
        joined(f"{CUT}\n\n{REST}汽车装备制造产业园入驻。") == f"{CUT}{REST}汽车装备制造产业园入驻。"
    )
    # a photo caption under the cut line ends no sentence: not run in
    caption = f"{CUT}\n\n汝绣农民工返乡创业产业园四期效果图\n\n{REST}"
    assert joined(caption) == caption
    # a line that ends its sentence, a title, a heading or a list item below: kept apart
    for text in (
        f"入驻企业160余家。\n{REST}",
        f"汝州市产业集聚区发展纪实\n{REST}",
        f"{CUT}\n二、主要任务\n{REST}",
        f"{CUT}\n（一）加快项目建设，年内建成。",
        f"{CUT}\n| 指标 | 2023年 |",
    ):
        assert joined(text) == text, text
    english = "The plan the county government adopted sets out the work of the\nspring of 2023."
    assert joined(english) == english.replace("\n", " ")


def test_a_passage_cut_at_its_edges_reads_on_and_back_to_the_sentence_ends():
    assert read_on(CUT, f"\n\n{REST}汽车装备") == f"\n\n{REST}"
    assert read_on("全年生产总值286.47亿元，", "比上年增长6.2%。粮食总产量31.2万吨。") == (
        "比上年增长6.2%。"
    )
    assert read_on("全年生产总值286.47亿元。", "比上年增长6.2%。") == ""  # ends its sentence
    assert read_on("全年生产总值286.47亿元，", "比" * 300 + "。") == ""  # past the bound
    assert read_on(CUT, "\n汝绣农民工返乡创业产业园四期效果图\n") == ""  # a caption
    assert read_back(f"{REST}汽车装备", f"园区道路。{CUT}\n\n") == f"{CUT}\n\n"
    assert read_back("比上年增长6.2%。", "初步核算。全年生产总值286.47亿元，") == (
        "全年生产总值286.47亿元，"
    )
    assert read_back("比上年增长6.2%。", "全年生产总值286.47亿元。") == ""


def test_the_extractive_reader_chooses_among_the_lines_and_quotes_the_sentence_whole(tmp_path):
    from assistant.answer.extractive import ExtractiveReader

    text = f"园区道路全部建成。{CUT}\n\n{REST}汽车装备制造产业园将整合吸纳200余家企业。"
    p = Passage("r1", "ru.txt", "", "", text, 0, len(text), 1.0)
    _, [e] = Binder(FakeIndex([p]), 5).evidence([], [p])
    assert f"{CUT}{REST}" in e.sentences() and CUT in e.pieces()  # read whole, chosen apart
    assert (
        e.whole(CUT[-12:]) == CUT + REST and e.whole("园区道路全部建成。") == "园区道路全部建成。"
    )
    quote = ExtractiveReader(make_settings(tmp_path)).read(
        "汝绣园入驻了多少企业？", "zh", [e], {"汝绣": 2.0, "入驻": 1.0, "企业": 0.5}
    )
    assert quote.text == f"{CUT}{REST}[1]"


# A PDF's text: one paragraph hard-wrapped at 44 characters, so that the first chunk ends
# at a line end inside the sentence about 钢铁 ("…带" / "动就业1560人。").
NAMES = "纺织 机械 电子 建材 食品 物流 光伏 医药 汽车 化工 钢铁 造纸 陶瓷 家具 服装 玩具 印刷 塑料 橡胶 玻璃"
BODY = "".join(
    f"{name}产业园位于集聚区东部，今年完成投资{i + 3}亿元，带动就业{(i + 2) * 130}人。"
    for i, name in enumerate(NAMES.split())
)
DOC = "重点项目建设\n\n" + "\n".join(BODY[i : i + 44] for i in range(0, len(BODY), 44))
STEEL = "钢铁产业园位于集聚区东部，今年完成投资13亿元，带动就业1560人。"


def stored_chunks(tmp_path):
    doc = Document("plan.txt", "重点项目建设", DOC)
    chunks = chunk_document(doc, ChunkingSettings())
    catalog = Catalog(tmp_path / "catalog.sqlite3")
    catalog.replace_chunks("plan.txt", "plan.txt", doc.title, "h", chunks)
    return catalog, chunks


def passage_of(c) -> Passage:
    return Passage(c.chunk_id, c.doc_id, c.title, c.heading, c.text, c.start, c.end, 1.0)


def test_the_store_gives_a_chunks_neighbours_and_the_cut_sentence_is_completed(tmp_path):
    catalog, chunks = stored_chunks(tmp_path)
    assert len(chunks) == 2 and chunks[0].text.endswith("13亿元，带")
    assert catalog.neighbour(chunks[0].chunk_id, 1).chunk_id == chunks[1].chunk_id
    assert catalog.neighbour(chunks[1].chunk_id, -1).chunk_id == chunks[0].chunk_id
    assert catalog.neighbour(chunks[0].chunk_id, -1) is None
    assert catalog.neighbour(chunks[1].chunk_id, 1) is None
    assert catalog.neighbour("no-such-chunk") is None
    first = passage_of(chunks[0])
    before, after = around(catalog, first)
    assert before == "" and after == "\n动就业1560人。"
    assert DOC[first.end : first.end + len(after)] == after  # the document's own text
    assert around(catalog, passage_of(chunks[1])) == ("", "")  # it begins and ends whole


def test_an_answer_quotes_the_sentence_whole_across_a_chunk_edge_and_cites_the_passage(
    tmp_path,
):
    _, chunks = stored_chunks(tmp_path)
    index = FakeIndex([passage_of(c) for c in chunks])
    kept, evidence = Binder(index, 5).evidence([], [passage_of(chunks[0])])
    assert kept[0].text == chunks[0].text and kept[0].after == "\n动就业1560人。"
    assert STEEL in evidence[0].reading and evidence[0].text == chunks[0].text
    answerer = Answerer(make_settings(tmp_path), index, None, FakeRetriever())  # type: ignore[arg-type]
    got = answerer.ask("钢铁产业园带动就业多少人？")
    assert not got.refused and got.answer.startswith(STEEL), got.answer
    # the citation opens the passage the quote begins in, as stored
    assert got.citations[0].chunk_id == chunks[0].chunk_id
    assert got.citations[0].text == chunks[0].text and got.citations[0].supported


def _measures(a: int, b: int) -> str:
    return "\n".join(
        f"{i} | 第{i}项改革举措 | 介绍第{i}项举措的做法和成效，内容较长。 | 科技部、财政部 | 全国"
        for i in range(a, b)
    )


LIST_DOC = (
    "第二批改革举措推广清单\n\n各地要结合实际推广下列举措。\n\n"
    "序号 | 改革举措 | 主要内容 | 指导部门 | 推广范围\n--- | --- | --- | --- | ---\n"
    f"一、知识产权保护方面（共4项）\n{_measures(1, 5)}\n二、科技金融创新方面（共4项）\n{_measures(5, 9)}\n"
)


def test_a_table_continued_in_a_later_chunk_reads_its_rows_by_the_carried_header(tmp_path):
    # the table's group lines become headings: the later chunks begin with rows, no header
    doc = Document("list.md", "清单", LIST_DOC)
    chunks = chunk_document(doc, ChunkingSettings(target_chars=200, max_chars=300))
    catalog = Catalog(tmp_path / "catalog.sqlite3")
    catalog.replace_chunks("list.md", "list.md", doc.title, "h", chunks)
    later = next(c for c in chunks if c.text.startswith("5 |"))
    assert needs_header(later.text) and not needs_header(chunks[0].text)
    header = carried_header(catalog, passage_of(later))
    assert header == "序号 | 改革举措 | 主要内容 | 指导部门 | 推广范围"
    _, evidence = Binder(FakeIndex([passage_of(c) for c in chunks]), 5).evidence(
        [], [passage_of(later)]
    )
    assert "5｜改革举措：第5项改革举措｜" in evidence[0].reading
    assert "指导部门：科技部、财政部｜推广范围：全国" in evidence[0].reading
    # prose between a row and the header above it: that header is another table's
    assert last_header("说明：以下各项均由各省份自行推广实施，并报送年度进展情况。") == ""
    assert last_header(_measures(1, 3)) is None
