"""Binding and what is read of a passage: document identity and places, table rows, 公文 lines. No index, no model."""

from __future__ import annotations

from assistant.answer.evidence import Evidence
from assistant.answer.tables import describe_row, header_labels, readable
from assistant.answer.text import drop_title_line, passage_sentences
from assistant.answer.verify import check
from assistant.identity import bound, doc_identity, file_stem, place_names

PDF_HEADER = "汝州市 2023年招商引资目标任务分解表 单 位 省外资金 （万元） 引进项目（个） 总数 其中亿元 以上项目"


def test_file_stem_drops_extension_hash_and_copy_numbers():
    assert file_stem("渑池县2022年国民经济和社会发展统计公报.txt") == (
        "渑池县2022年国民经济和社会发展统计公报"
    )
    assert file_stem("000_049d4401db69d305.txt") == ""  # only a number and a hash
    assert file_stem("报告_049d4401db69d305.pdf") == "报告"
    assert file_stem("note_0042.txt") == "note"


def test_places_come_from_names_not_level_words():
    assert place_names("渑池县2022年国民经济和社会发展统计公报") == ["渑池"]
    assert place_names("临溪区2024年政府工作报告") == ["临溪"]
    assert place_names("全县规模以上工业增加值增长8.4%") == []
    assert place_names("汝绣农民工返乡创业产业园四期计划投资多少钱？") == []  # 返乡 is no 乡
    assert set(place_names("汝州产业集聚区和沁阳产业集聚区各融了多少钱？")) == {"汝州", "沁阳"}


def test_binding_counts_the_county_of_the_bulletin_not_the_neighbour():
    mianchi = doc_identity("渑池县2022年统计公报.txt", "2022年国民经济和社会发展统计公报")
    zhaoan = doc_identity("诏安县2022年统计公报.txt", "2022年国民经济和社会发展统计公报")
    body = "全年全县规模以上工业增加值比上年增长10.8%。"
    assert "渑池" in mianchi.text() and "渑池" in mianchi.places
    assert bound(["渑池"], mianchi, "三、工业", body) == 1.0  # "全县" in 渑池's bulletin
    assert bound(["渑池"], zhaoan, "三、工业", body) == 0.0  # 诏安's figure never
    # the other county's text may even name 渑池 in passing: still not its document
    assert bound(["渑池"], zhaoan, "", body, scope="与渑池县签订协作协议") == 0.0
    untitled = doc_identity("000_049d4401db69d305.txt", "擦亮星级名片 创梦产业新城")
    assert bound(["汝州"], untitled, "", "产业集聚区入驻企业104家", scope="汝州市产业集聚区") == 0.5
    assert bound([], zhaoan, "", body) == 1.0


def test_the_place_a_document_keeps_naming_is_its_own():
    from assistant.identity import home_place

    page = doc_identity("004_51d2894722f2002f.txt", "奋力打造一流产业集聚区")
    body = "沁阳市产业集聚区规划调整。" * 6 + "广东兴发铝业来沁阳投资。焦作市委书记调研。"
    assert home_place(body) == "沁阳"
    line = "通过融资平台融资18亿元"
    assert bound(["沁阳"], page, "", line, body, home_place(body)) == 1.0
    assert bound(["沁阳"], page, "", line, body) == 0.5  # named, but not known as its own
    # a report shared by several places has no home: each is only named in it
    shared = "汝州市产业集聚区。" * 5 + "沁阳市产业集聚区。" * 4
    assert home_place(shared) == ""
    # and a document whose identity names another place is that place's
    zhaoan = doc_identity("诏安县2022年统计公报.txt", "2022年国民经济和社会发展统计公报")
    assert bound(["沁阳"], zhaoan, "", line, body, home_place(body)) == 0.0


def test_a_pdf_header_split_over_lines_names_the_columns():
    assert header_labels(PDF_HEADER, 3) == [
        "省外资金（万元）",
        "引进项目（个）",
        "其中亿元以上项目",
    ]
    assert describe_row("汝南街道 176000 7 6", PDF_HEADER) == (
        "汝南街道｜省外资金：176000万元｜引进项目：7个｜其中亿元以上项目：6"
    )


def test_pipe_and_space_aligned_tables_are_described_from_the_line_above():
    md = "| 指标 | 单位 | 产量 | 比上年增长（%） |\n| --- | --- | --- | --- |\n| 粮食 | 万吨 | 42.7 | 1.9 |"
    assert readable(md, "").splitlines()[-1] == "粮食｜产量：42.7万吨｜比上年增长：1.9%"
    spaced = "产品名称        计量单位        产量        比上年增长(%)\n原煤 万吨 412.6 3.8"
    assert readable(spaced, "").splitlines()[-1] == ("原煤｜产量：412.6万吨｜比上年增长：3.8%")
    # the header lines in the passage, one cell per line as PDF extraction leaves them
    split = "单 位\n省外资金\n（万元）\n\n引进项目（个）\n\n总数\n其中亿元\n以上项目\n\n小屯镇 107000 4 3"
    assert readable(split, "").splitlines()[-1].startswith("小屯镇｜省外资金：107000万元")
    # a two-column table (as an HTML or .docx table arrives): label | figure
    two = "认定类别 | 奖励金额（万元）\n国家级制造业单项冠军企业 | 100"
    assert readable(two, "").splitlines()[-1] == "国家级制造业单项冠军企业｜奖励金额：100万元"
    prose = "全年全县生产总值286.47亿元，比上年增长6.2%。"
    assert readable(prose, "一、综合") == prose  # no table, nothing changes


def test_a_row_without_a_usable_header_keeps_its_cells():
    assert describe_row("甲 乙 22 10", "") == "甲乙｜22｜10"  # PDF-spaced "合 计" is one cell
    assert describe_row("小屯镇 22 10", "") == "小屯镇｜22｜10"


def test_only_a_line_that_repeats_the_title_is_dropped_from_the_reading():
    title = "云溪数字产业园已入驻企业37家"
    assert drop_title_line(f"# {title}\n园区规划面积600亩。", title) == "园区规划面积600亩。"
    sentence = f"{title}，其中高新技术企业12家。"
    assert drop_title_line(sentence, title) == sentence


def test_a_label_alone_heads_the_sentence_after_it() -> None:
    text = "（一）发展目标。按照总体规划，打造产业集聚区。力争2025年达到16平方公里。\n1.装备制造产业。\n以园区为载体。"
    assert passage_sentences(text) == [
        "（一）发展目标：按照总体规划，打造产业集聚区。",
        "力争2025年达到16平方公里。",
        "1.装备制造产业：以园区为载体。",
    ]
    assert passage_sentences("①加强领导，理顺管理体制。由副市长兼任。") == [
        "①加强领导，理顺管理体制：由副市长兼任。"
    ]
    # a figure after an enumerator is a sentence of its own, not a label
    assert passage_sentences("1.全年生产总值286亿元。") == ["1.全年生产总值286亿元。"]


def test_a_documents_number_and_signature_are_read_for_what_they_are() -> None:
    """公文 elements (GB/T 9704) on lines of their own are named for reading: "文号/落款/成文
    日期是什么" then has a sentence that says it; a date inside a sentence stays as it is."""
    from assistant.answer.text import official_lines

    text = (
        "关于印发方案的通知\n溪政办〔2023〕17号\n请认真贯彻落实。\n溪县管委会\n二〇一〇年一月五日"
    )
    lines = official_lines(text).split("\n")
    assert lines[1] == "发文字号（文号）：溪政办〔2023〕17号。"
    assert lines[4] == "落款：溪县管委会，成文日期：二〇一〇年一月五日。"
    assert official_lines("请认真贯彻落实。\n2023年 3月 15日").endswith(
        "成文日期：2023年 3月 15日。"
    )
    plain = "2023年3月15日，县政府召开常务会议。"
    assert official_lines(plain) == plain
    page = "第5版:今日溪县\n产业新城崛起\n\n2013年1月10日\n正文。"
    assert official_lines(page).split("\n")[3] == "出版日期：2013年1月10日（第5版:今日溪县）。"
    # the label answers a date question, and does not win a tie for anything else
    reading = official_lines("第5版:今日溪县\n\n2013年1月10日\n溪县产业集聚区前身为溪北园区。")
    ev = [Evidence(1, reading, reading, "")]
    from assistant.answer.extractive import ExtractiveReader as Reader
    from assistant.answer.kinds import asked_of
    from assistant.config import Settings as Defaults

    rank = Reader(Defaults()).rank
    named = rank(asked_of("溪县产业集聚区以前叫什么名字？"), ev, {"溪县": 3.0, "名字": 5.0})
    assert named[0][2].startswith("溪县产业集聚区前身为")
    dated = rank(asked_of("溪县那一版报纸是哪天出的？"), ev, {"溪县": 3.0, "报纸": 5.0})
    assert dated[0][2].startswith("出版日期：2013年1月10日")
    from assistant.answer.extractive import ExtractiveReader
    from assistant.config import Settings

    ev = [Evidence(1, text, official_lines(text), "")]
    reader = ExtractiveReader(Settings())
    got = reader.read("这份通知的文号是什么？", "zh", ev, {"文号": 5.0, "通知": 0.5})
    assert "溪政办〔2023〕17号" in got.text, got.text
    got = reader.read("那份材料的落款日期是哪天？", "zh", ev, {"落款": 5.0, "材料": 1.0})
    assert "二〇一〇年一月五日" in got.text and check(got.text, ev, "落款日期是哪天？").sentences


def test_a_question_about_the_nation_is_answered_from_national_documents_only():
    from assistant.answer.kinds import asked_of
    from assistant.identity import NATIONAL, is_national

    assert asked_of("2022年全国城镇新增就业多少？").places == (NATIONAL,)
    assert asked_of("国务院报告提出要培育哪些未来产业？").places == (NATIONAL,)
    assert asked_of("四川GDP在全国排第几？").places == ("四川",)  # a place of its own
    assert asked_of("中国（河南）自由贸易试验区郑州片区面积多大？").places == ("郑州",)
    report = doc_identity("2023年国务院政府工作报告.txt", "2023年国务院政府工作报告")
    notice = doc_identity("n.html", "国务院办公厅关于推广第二批支持创新相关改革举措的通知")
    province = doc_identity("x.docx", "2025年新疆政府工作报告")
    assert is_national(report) and is_national(notice) and not is_national(province)
    # a province's "居全国前列" or "全国平均" does not speak for the nation
    assert bound([NATIONAL], province, "", "增速居全国前列，全国平均5%") == 0.0
    assert bound([NATIONAL], report, "", "城镇新增就业1256万人。") == 1.0
