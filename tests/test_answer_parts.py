"""The answer stage's pure parts: identity and binding, table rows, verification,
question splitting, key terms and the refusal model. No index, no model."""

from __future__ import annotations

import random

from assistant.answer import refusal
from assistant.answer.evidence import Evidence
from assistant.answer.followup import bind_rewrite, carried_places, carried_turn, needs_rewrite
from assistant.answer.query import asked_quantities, coverage, key_terms, loosely_in
from assistant.answer.split import asked_of_each, split_question
from assistant.answer.tables import describe_row, header_labels, readable
from assistant.answer.text import drop_title_line, passage_sentences
from assistant.answer.verify import check
from assistant.identity import bound, doc_identity, file_stem, place_names

# --------------------------------------------------------------------------- identity


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


# --------------------------------------------------------------------------- tables

PDF_HEADER = "汝州市 2023年招商引资目标任务分解表 单 位 省外资金 （万元） 引进项目（个） 总数 其中亿元 以上项目"


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


# --------------------------------------------------------------------------- verification


def _ev(n: int, text: str, bound_: float = 1.0, heading: str = "") -> Evidence:
    return Evidence(n, text, readable(text, heading), heading, bound_)


def test_a_translation_states_only_the_figures_of_the_checked_answer():
    from assistant.answer.evidence import Checked
    from assistant.answer.verify import unfaithful

    zh = "对新认定的国家级专精特新“小巨人”企业，给予一次性奖励50万元。[1]"
    right = 'A newly recognised "little giant" enterprise receives 500,000 (50万) yuan.'
    assert unfaithful([right], zh) == []
    assert unfaithful(["It receives 100 million yuan."], zh) == ["It receives 100 million yuan."]
    # a Chinese name kept in an English sentence is spaced from its English neighbours
    kept = Checked([("It was called the沁北产业集聚区 before.", [1])]).text("en")
    assert kept == "It was called the 沁北产业集聚区 before.[1]"


def test_figures_must_occur_in_a_cited_sentence_and_wrong_markers_move():
    ev = [
        _ev(1, "鹤淇产业集聚区累计入驻企业104家。规划面积12平方公里。"),
        _ev(2, "沁阳产业集聚区入驻企业230家。"),
    ]
    out = check("入驻企业104家[2]。园区主任李明年薪987654元[1]。", ev)
    assert out.sentences == [("入驻企业104家。", [1])]  # moved to the passage that holds 104
    assert "citation_moved" in out.flags and "removed_unsupported_figure" in out.flags
    assert out.dropped == ["园区主任李明年薪987654元。"]


def test_figures_from_two_sentences_of_a_passage_do_not_support_one_claim():
    ev = [_ev(1, "2018年入驻企业104家。2020年规划面积12平方公里。")]
    assert check("2020年入驻企业104家[1]。", ev).sentences == []
    assert check("2018年入驻企业104家[1]。", ev).sentences


def test_unbound_passages_support_nothing_and_bare_markers_are_no_answer():
    ev = [_ev(1, "全县生产总值336.23亿元。", bound_=0.0), _ev(2, "全县生产总值286.47亿元。")]
    assert check("生产总值336.23亿元[1]。", ev).sentences == []
    assert check("[1][2]", ev).sentences == []
    assert check("根据资料，[2]", ev).sentences == []  # words the passage does not share


def test_uncited_sentences_get_the_passage_with_their_facts():
    ev = [_ev(1, "规划面积12平方公里。"), _ev(2, "全县生产总值286.47亿元，增长6.2%。")]
    out = check("全县生产总值286.47亿元，增长6.2%。", ev)
    assert out.sentences == [("全县生产总值286.47亿元，增长6.2%。", [2])]
    assert out.text() == "全县生产总值286.47亿元，增长6.2%。[2]"


def test_a_negative_figure_is_not_read_as_growth():
    ev = [_ev(1, "产品名称 计量单位 产量 比上年增长(%)\n水泥 万吨 186.3 -4.2")]
    assert check("水泥产量186.3万吨，比上年增长4.2%[1]。", ev).sentences == []
    assert check("水泥产量186.3万吨，比上年下降4.2%[1]。", ev).sentences
    assert check("水泥产量186.3万吨，增长-4.2%[1]。", ev).sentences


def test_english_figures_are_matched_by_value():
    ev = [_ev(1, "新增城镇就业8万个，引进项目176个。")]
    out = check("It added 80,000 jobs (8万个) [1].", ev)
    assert out.sentences and out.sentences[0][1] == [1]
    assert check("It added 90,000 jobs [1].", ev).sentences == []


def test_each_kept_sentence_names_the_passage_sentence_it_rests_on():
    ev = [_ev(1, "全县新增城镇就业8万个。引进项目176个，其中亿元以上项目12个。")]
    assert check("The county added 80,000 jobs [1].", ev).grounds == [
        (1, "全县新增城镇就业8万个。")
    ]
    out = check("引进项目176个[1]。", ev)
    assert out.grounds == [(1, "引进项目176个，其中亿元以上项目12个。")]
    # no figure to check: the sentence sharing most words
    assert check("全县引进了一批亿元以上项目[1]。", ev).grounds == [
        (1, "引进项目176个，其中亿元以上项目12个。")
    ]


def test_table_rows_are_checked_against_their_described_cells():
    ev = [_ev(1, "汝南街道 176000 7 6", heading=f"附件1 > {PDF_HEADER}")]
    assert check("汝南街道省外资金176000万元，引进项目7个[1]。", ev).sentences
    assert check("汝南街道省外资金170000万元[1]。", ev).sentences == []


# --------------------------------------------------------------------------- questions


def test_comparison_and_multi_part_questions_are_split():
    assert split_question("汝州产业集聚区和沁阳产业集聚区各通过融资平台融了多少钱？") == [
        "汝州产业集聚区通过融资平台融了多少钱？",
        "沁阳产业集聚区通过融资平台融了多少钱？",
    ]
    assert split_question("渑水县和澄源县的地区生产总值哪个更大？") == [
        "渑水县的地区生产总值是多少？",
        "澄源县的地区生产总值是多少？",
    ]
    two = split_question("汝州的报道说全省有多少个产业集聚区？柘城的文件说全省首批有多少家？")
    assert len(two) == 2 and two[1].startswith("柘城")
    assert split_question("鹤淇产业集聚区入驻了多少家企业？") == [
        "鹤淇产业集聚区入驻了多少家企业？"
    ]
    # two noun phrases with the distributive right after them: one part each
    assert split_question("温岭东部产业集聚区的规划范围和建设重点区分别多大？") == [
        "温岭东部产业集聚区的规划范围多大？",
        "温岭东部产业集聚区的建设重点区多大？",
    ]
    # a noun of its own keeps its own head ("企业" does not become "企业人口")
    assert split_question("集聚区入驻企业和就业人口分别是多少？") == [
        "集聚区入驻企业是多少？",
        "集聚区入驻就业人口是多少？",
    ]
    # without it the phrase goes on ("城镇和农村居民人均可支配收入各…") and only the
    # head-sharing split applies
    assert split_question("城镇和农村居民人均可支配收入各增长多少？") == [
        "城镇居民人均可支配收入增长多少？",
        "农村居民人均可支配收入增长多少？",
    ]


def test_key_terms_drop_question_phrasing_by_part_of_speech_and_frequency():
    df = {"道路": 30, "绿化": 12, "面积": 40, "汝州": 60, "项目": 90, "地被": 2}.get
    terms = key_terms(
        "同一个道路绿化项目的地被铺植面积，两篇汝州报道各写的是多少？", lambda t: df(t, 0), 200
    )
    assert {"道路", "绿化", "地被", "汝州"} <= set(terms)
    assert not {"各写", "两篇", "多少", "同一个", "铺植"} & set(terms)  # unused verbs/phrasing
    assert terms["地被"] > terms["道路"] > terms["项目"]  # rarer weighs more
    # a noun no document uses is what the question asks for: it keeps the highest weight
    phone = key_terms("管委会主任的电话号码是多少？", lambda t: 5 if t == "主任" else 0, 200)
    assert "电话号码" in phone and phone["电话号码"] > phone["主任"]
    # in the model's translation of an English question such a noun is the model's word
    # ("开发区" for the documents' 集聚区): it is dropped, the names stay
    seen = {"安阳": 3, "项目": 40}.get
    translated = key_terms("安阳开发区哪个项目投产了？", lambda t: seen(t, 0), 200, translated=True)
    assert "开发区" not in translated and "安阳" in translated
    assert "开发区" in key_terms("安阳开发区哪个项目投产了？", lambda t: seen(t, 0), 200)


def test_a_question_about_the_sum_reads_the_total_row():
    from assistant.answer.extractive import ExtractiveReader

    rows = "签订项目（个） 引进亿元以上项目（个）\n尼龙产业 3 2\n装备制造产业 4 2\n合 计 22 10"
    ev = [_ev(1, rows)]
    terms = {"签订": 2.0, "项目": 1.0}
    best = ExtractiveReader.rank(None, "各产业链一共签订多少个项目？", ev, terms)  # type: ignore[arg-type]
    assert best[0][2].startswith("合计｜签订项目：22个")


def test_an_added_sentence_must_state_the_kind_of_answer_asked():
    from assistant.answer.extractive import ExtractiveReader
    from assistant.config import Settings

    ev = [_ev(1, "沁阳通过融资平台融资18亿元。"), _ev(2, "沁阳市委书记调研融资工作。")]
    terms = {"沁阳": 2.0, "融资": 2.0}
    reader = ExtractiveReader(Settings())
    assert reader.read("沁阳融了多少钱？", "zh", ev, terms).text.endswith("18亿元。[1]")
    # the sentence sharing most words but stating no figure is passed over for one that does
    wide = [_ev(1, "温岭东部产业集聚区规划范围主要为沿海高速以东。规划范围约310平方公里。")]
    got = reader.read("规划范围多大？", "zh", wide, {"规划范围": 2.0, "沿海": 0.5}).text
    assert got.startswith("规划范围约310平方公里")
    # without an asked kind the second passage's sentence still joins the first
    assert "[2]" in reader.read("沁阳的融资工作", "zh", ev, terms).text


def test_the_sentence_giving_the_figure_in_the_asked_measure_word_is_read():
    """ "栽了多少棵树": a project's 1100亩 is a figure, but not a count of trees."""
    from assistant.answer.extractive import ExtractiveReader
    from assistant.config import Settings

    text = "占地1100亩的望嵩南路等4条道路绿化及游园项目快速推进。目前已栽种各类树木6.5万余棵。"
    ev = [_ev(1, text)]
    terms = {"望嵩南路": 3.0, "道路": 1.0, "绿化": 1.0, "游园": 1.0, "项目": 0.5, "树": 0.5}
    got = ExtractiveReader(Settings()).read("道路绿化及游园项目栽了多少棵树？", "zh", ev, terms)
    assert got.text.startswith("目前已栽种各类树木6.5万余棵"), got.text


def test_a_passage_bound_to_the_asked_place_speaks_for_its_name():
    """Within passages bound to 安阳, the sentence repeating the park's full name is not
    the answer to "标准化厂房投资多少" for that alone; the reported score stays the
    sentence's own coverage, so an unanswerable question gains nothing from the credit."""
    from assistant.answer.extractive import ExtractiveReader
    from assistant.config import Settings
    from assistant.identity import named_subjects

    q = "安阳高新技术产业集聚区1-10月标准化厂房投资多少？"
    assert named_subjects(q) == {"安阳": "安阳高新技术产业集聚区"}
    assert named_subjects("汝州智能终端产业园投资多少")["汝州"] == "汝州"  # a park is not the place
    assert named_subjects("渑水县2023年生产总值")["渑水"] == "渑水县"
    text = (
        "安阳高新技术产业集聚区位于安阳市南部，规划面积13.68平方公里。"
        "标准化厂房建设方面：1－10月份，投资5000万元，新建标准化厂房1万平米。"
    )
    terms = {"安阳": 4.0, "高新技术": 4.0, "标准化": 2.3, "厂房": 2.0, "投资": 1.3}
    bound = [Evidence(1, text, text, "二、产业集聚区现状", 1.0, places=("安阳",))]
    reader = ExtractiveReader(Settings())
    got = reader.read(q, "zh", bound, terms)
    assert got.text.startswith("标准化厂房建设方面"), got.text
    # its own words (标准化, 厂房, 投资: 5.6 of 13.6) and the figure asked, not the name
    assert abs(got.score - (5.6 / 13.6 + 0.1)) < 1e-6
    # without the binding the name ranks first
    loose = [Evidence(1, text, text, "二、产业集聚区现状", 1.0)]
    assert reader.rank(q, loose, terms)[0][2].startswith("安阳高新技术")
    assert reader.rank(q, bound, terms)[0][2].startswith("标准化厂房")


def test_parts_about_places_of_their_own_are_labelled_and_named_kinds_pick_documents():
    from assistant.answer.plan import document_labels, one_of_each_kind, place_labels
    from assistant.answer.split import named_kinds
    from assistant.schema import Passage

    assert place_labels(["渑水县2023年生产总值是多少？", "澄源县2023年生产总值是多少？"]) == [
        "渑水县",
        "澄源县",
    ]
    # one place, two quantities: the place needs no saying twice
    assert place_labels(["白沙湾区有多少家企业？", "白沙湾区增加值增长多少？"]) == ["", ""]
    # a per-document part is labelled with the place it answers for, not its section title
    q2 = "鹤淇和沁阳的报告都提到了变电站，各是什么状态？"
    titles = ["第一篇：产业集聚区2025年发展报告", "奋力打造一流产业集聚区"]
    assert document_labels(q2, [["鹤淇"], ["沁阳"]], titles) == [
        ("鹤淇", "鹤淇"),
        ("沁阳", "沁阳"),
    ]
    q3 = "渑水县和澄源县的统计公报分别怎么说？"
    assert document_labels(q3, [["渑水"], ["澄源"]], titles)[0] == ("渑水县", "渑水")
    # two documents about one place are told apart by their names, and have no place
    assert document_labels(q2, [["汝州"], ["汝州"]], titles) == [(t, "") for t in titles]
    assert document_labels(q2, [[], []], titles) == [(t, "") for t in titles]
    q = "汝州的主导产业前后有什么变化？早先产业集聚区报道和2023年招商方案各怎么定？"
    assert named_kinds(q) == ["报道", "方案"]
    assert named_kinds("融资到账多少？两篇报道分别怎么说？") == ["报道"]

    def p(doc: str, title: str) -> Passage:
        return Passage("c" + doc, doc, title, "", "text", 0, 4, 1.0)

    wide = [p("a", "一座新城的崛起"), p("b", "擦亮星级名片"), p("c", "招商引资工作实施方案的通知")]
    # two news reports rank first; the plan the clause names still gets its turn
    got = one_of_each_kind(["报道", "方案"], ["a", "b", "c"], wide, {})
    assert got[:2] == ["a", "c"]
    # of the two reports, the one whose own passages answer better stands for 报道
    answering = {"a": 0.4, "b": 0.9, "c": 0.8}
    got = one_of_each_kind(["报道", "方案"], ["a", "b", "c"], wide, answering)
    assert got[:2] == ["b", "c"]


def test_area_and_length_units_are_one_family_each():
    from assistant.answer.kinds import asked_units, unit_match

    assert "平米" in asked_units("建设了多少平方米的厂房？")
    assert unit_match("建设了多少平方米？", "新建标准化厂房1万平米") == 1.0
    assert asked_units("修了多少公里道路？") == ("公里", "千米", "米")
    assert unit_match("修了多少公里道路？", "规划面积13.68平方公里") == 0.0


def test_a_quoted_term_is_one_name_and_the_sentence_stating_it_is_read():
    from assistant.answer.extractive import ExtractiveReader
    from assistant.answer.query import content_words, quoted_terms

    q = "空间结构中的“一带”指什么？"
    assert quoted_terms(q) == ["一带"] and ("一带", "name") in content_words(q)
    assert quoted_terms('两个"3000亩"分别指什么？') == ["3000亩"]
    passage = "形成“一心、一轴、一带”的空间结构。一轴：城市轴线。一带：白沙河景观绿化带。"
    ev = [Evidence(1, passage, passage, "空间结构", 1.0)]
    terms = {"一带": 3.0, "空间结构": 3.0}
    ranked = ExtractiveReader.rank(None, q, ev, terms)  # type: ignore[arg-type]
    assert ranked[0][2].startswith("一带：白沙河")


# --------------------------------------------------------------------------- refusal model


def test_logistic_fit_separates_and_auc_and_threshold_follow():
    rng = random.Random(0)
    rows, labels = [], []
    for _ in range(200):
        y = rng.random() < 0.6
        cov = min(1.0, max(0.0, rng.gauss(0.8 if y else 0.4, 0.15)))
        rows.append({"coverage_cited": cov, "binding": 1.0 if y or rng.random() < 0.5 else 0.0})
        labels.append(int(y))
    model = refusal.fit(rows, labels)
    scores = [model.probability(r) for r in rows]
    assert refusal.auc(scores, labels) > 0.9
    assert model.coef[refusal.FEATURES.index("coverage_cited")] > 0
    # label 0 rows stand for unanswerable questions: refusing them is right
    threshold, best = refusal.pick_threshold(scores, labels, [bool(y) for y in labels])
    assert 0.05 <= threshold <= 0.95 and best["accuracy"] > 0.8
    assert refusal.auc([0.1, 0.9], [0, 1]) == 1.0 and refusal.auc([0.5], [1]) is None


def test_the_shipped_model_loads_and_respects_the_meaning_of_its_signals():
    for kind in ("llm", "extractive"):
        model = refusal.load(kind)
        assert model.features == refusal.FEATURES and 0 < model.threshold < 1
        for name, coef in zip(model.features, model.coef, strict=True):
            assert coef * refusal.DIRECTION.get(name, 1) >= 0, (kind, name, coef)
        best = {f: (1.0 if refusal.DIRECTION.get(f, 1) > 0 else 0.0) for f in refusal.FEATURES}
        worst = {f: 1.0 - v for f, v in best.items()}
        assert model.answer(best)[0] and not model.answer(worst)[0]


def test_a_sign_that_contradicts_a_signal_is_left_out_of_the_fit():
    rows = [
        {"coverage_cited": c, "dropped": d}
        for c, d in [(0.9, 0.9), (0.8, 0.8), (0.2, 0.1), (0.3, 0.2)] * 5
    ]
    model = refusal.fit(rows, [1, 1, 0, 0] * 5)
    coef = dict(zip(model.features, model.coef, strict=True))
    assert coef["coverage_cited"] > 0 and coef["dropped"] == 0.0  # dropping sentences never helps


def test_only_a_line_that_repeats_the_title_is_dropped_from_the_reading():
    title = "云溪数字产业园已入驻企业37家"
    assert drop_title_line(f"# {title}\n园区规划面积600亩。", title) == "园区规划面积600亩。"
    sentence = f"{title}，其中高新技术企业12家。"
    assert drop_title_line(sentence, title) == sentence


def test_a_refused_part_quotes_its_question_instead_of_running_into_the_refusal():
    from assistant.answer.compose import about

    assert about("临溪区新能源产业园投资多少钱？", "zh") == "关于「临溪区新能源产业园投资多少钱」："
    assert about("How much was invested? ", "en") == 'On "How much was invested": '


def test_a_figure_must_be_a_whole_number_of_the_passage_sentence():
    """ "7" inside "78000" is not the 7 projects of another row; "80000" is "80,000"."""
    rows = (
        "紫云路街道｜省外资金（万元）：78000｜引进项目（个）：4\n"
        "汝南街道｜省外资金（万元）：176000｜引进项目（个）：7"
    )
    ev = [Evidence(1, rows, rows)]
    wrong = check("汝南街道要完成78000万元的省外资金、引进7个项目。[1]", ev)
    assert not wrong.sentences and wrong.dropped
    right = check("汝南街道要完成176000万元的省外资金、引进7个项目。[1]", ev)
    assert right.sentences and not right.dropped
    jobs = [Evidence(1, "新增就业80,000人。", "新增就业80,000人。")]
    assert check("新增就业80000人。[1]", jobs).sentences
    assert not check("增长7%。[1]", [Evidence(1, "增长7.5%。", "增长7.5%。")]).sentences
    caption = [Evidence(1, "表1 2024年主要目标：增长7.1。", "表1 2024年主要目标：增长7.1。")]
    assert check("表1 2024年主要目标：增长7.1。[1]", caption).sentences  # spaces part figures


def test_a_sentence_that_only_announces_a_lost_list_is_dropped():
    ev = [Evidence(1, "四大主导产业：装备制造、食品加工。", "四大主导产业：装备制造、食品加工。")]
    hollow = check("The four pillar industries of the zone are.[1]", ev)
    assert not hollow.sentences and "removed_hollow_sentence" in hollow.flags
    assert not check("四大主导产业包括：[1]", ev).sentences
    kept = check("四大主导产业包括装备制造、食品加工。[1]", ev)
    assert kept.sentences and not kept.dropped


def test_a_masked_name_is_no_answer_to_which_place():
    ev = [Evidence(1, "", "以南区域隶属于安阳市*区，规划面积13.68平方公里。")]
    which = check("南部区域隶属于安阳市的*区。[1]", ev, "南部那片区域隶属于安阳市的哪个区？")
    assert not which.sentences and "removed_redacted" in which.flags
    # the same sentence answers a question about the area; a masked name asked about stays
    area = check("以南区域规划面积13.68平方公里。[1]", ev, "南部那片区域规划面积多大？")
    assert area.sentences
    assert check("隶属于安阳市*区。[1]", ev, "*区是哪个市的？").sentences


def test_a_figure_of_another_year_is_no_answer_about_the_asked_year():
    ev = [Evidence(1, "", "2012年预计实现销售收入500亿元，利税55亿元。", "二、发展目标")]
    other = check("销售收入500亿元。[1]", ev, "2013年的销售收入目标是多少？")
    assert not other.sentences and "removed_other_year" in other.flags
    assert check("销售收入500亿元。[1]", ev, "2012年预计销售收入多少？").sentences
    assert check("销售收入500亿元。[1]", ev, "预计销售收入多少？").sentences
    # the asked year in the document's title or heading binds the sentence to it
    titled = [Evidence(1, "", ev[0].reading, "二、发展目标", title="2013年工作报告")]
    assert check("销售收入500亿元。[1]", titled, "2013年的报告说销售收入多少？").sentences
    # a sentence that states no year is not contradicted
    plain = [Evidence(1, "", "全年实现销售收入500亿元。")]
    assert check("销售收入500亿元。[1]", plain, "2013年销售收入是多少？").sentences


def test_the_quantity_asked_for_is_read_from_the_question():
    assert asked_quantities("白沙湾区2023年地区生产总值是多少？") == [("生产总值",)]
    assert asked_quantities("产业园建成后预计每年能实现多少产值？") == [("产值",)]
    assert asked_quantities("入驻了多少企业、多少条生产线？") == [("企业",), ("生产线",)]
    assert asked_quantities("主干道规划了几座公厕？") == [("公厕",)]
    # unclear parts: nothing is checked rather than a guess
    assert asked_quantities("城区面积分别从多少增长到了多少？") == []
    assert asked_quantities("在全省排第几？") == []


def test_a_figure_of_another_quantity_is_no_answer():
    ev = [Evidence(1, "", "全区规模以上工业企业达到203家，营业收入增长5.4%。", "一、工业")]
    gdp = check("全区规模以上工业企业达到203家。[1]", ev, "白沙湾区地区生产总值是多少？")
    assert not gdp.sentences and "removed_other_quantity" in gdp.flags
    assert check("规模以上工业企业203家。[1]", ev, "规模以上工业企业有多少家？").sentences
    assert check("营业收入增长5.4%。[1]", ev, "增长了多少？").sentences  # nothing named
    # an abbreviation of the asked quantity is the same quantity; another one is not
    assert loosely_in("营收", "营业收入") and loosely_in("规上", "规模以上工业")
    assert not loosely_in("产值", "粮食总产量31.6万吨")
    # an area is stated by its unit whatever the noun ("占地1万亩"); a count of 个 is not one
    park = [Evidence(1, "", "创业产业园规划占地1万亩。园区入驻企业50个。", "园区简介")]
    assert check("规划占地1万亩。[1]", park, "创业园的规划面积是多少？").sentences
    assert not check("入驻企业50个。[1]", park, "创业园的规划面积是多少？").sentences


def test_the_kind_of_answer_asked_for_is_checked():
    from assistant.answer.kinds import asked_types, type_match, unit_match

    assert asked_types("规划是什么时候报到省发改委的？") == {"date"}
    assert asked_types("是哪家交易所批准的？") == {"name"}
    assert asked_types("入驻了多少家企业？") == {"number"}
    assert type_match("什么时候获批的？", "省发改委已于2025年12月作出批示。") == 1.0
    assert type_match("什么时候获批的？", "规划已完成并上报。") == 0.0
    assert type_match("主导产业是什么？", "主导产业为医药。") == 0.5
    # a figure the question itself gives, or a bare year, answers no "多少"
    assert type_match("2023年引进了多少项目？", "2023年招商工作扎实推进。") == 0.0
    # "哪些…企业/哪家单位" asks for a body's name: a county's name is not one
    assert type_match("柘城县有哪些医药企业？", "柘城县主导产业为医药制品加工业。") == 0.0
    assert type_match("规划交给哪家单位编制？", "委托河南省规划设计研究院编制。") == 1.0
    assert type_match("在哪个县？", "位于柘城县。") == 1.0
    # a figure in words is a figure: "第二位", "五个部室"
    assert type_match("经济增速在全市排第几位？", "经济增速居全市第二位。") == 1.0
    assert type_match("设了几个部室？", "设立综合办公室等五个部室。") == 1.0
    # "160余家", "1300多条": a qualifier between the figure and its unit
    assert unit_match("入驻多少家企业？", "入驻企业160余家") == 1.0
    assert unit_match("多少条生产线？", "生产线1300多条") == 1.0
    assert unit_match("投资多少亿元？", "增长6.4%") == 0.0
    assert unit_match("融了多少钱？", "融资18亿元") == 1.0  # "多少钱" asks an amount of 元
    assert unit_match("融了多少钱？", "沁阳市委书记调研。") == 0.0
    # "哪几个/哪几项" asks which ones, not how many
    assert asked_types("管委会设了哪几个部室？") != {"number"}
    assert unit_match("围绕哪几个主导产业发展？", "围绕机绣纺织、汽车装备制造发展") == 0.5
    assert unit_match("设了几个部室？", "设立综合办公室") == 0.0


def test_capitalised_pinyin_is_matched_to_the_documents_own_words():
    from assistant.answer.english import english_names, spellings

    spelled = spellings([("汝绣园", 1), ("剑龙", 1), ("鹤淇", 9), ("河南", 3), ("和奇", 1)])
    q = "Did the Jian Long factory in the Heqi zone open? What about the Ruxiu park in Henan?"
    assert english_names(q, spelled) == [
        ("Jian Long", "剑龙"),
        ("Heqi", "鹤淇"),
        ("Ruxiu", "汝绣"),
        ("Henan", "河南"),
    ]
    # the commonest of two homophones; English words spell nothing
    assert english_names("What does Heqi plan?", spelled) == [("Heqi", "鹤淇")]
    # a township named only in a table row, which jieba cuts as 庙/下镇: the characters
    # before the suffix are spelled too
    from assistant.identity import local_names

    rows = ["小屯镇 107000 4 3\n\n庙下镇 50000 3 2", "全县规模以上工业企业142家"]
    names = local_names(rows)
    assert {"小屯", "庙下"} <= set(names) and "全县" not in names
    spelled = spellings([("鹤淇", 9)] + [(n, 1) for n in names])
    assert english_names("What are Miaoxia town's targets?", spelled) == [("Miaoxia", "庙下")]


def test_an_english_figure_read_with_the_wrong_scale_is_restated_by_value():
    from assistant.answer.verify import rescale

    passage = "可入驻机绣纺织企业800家，实现年产值200亿元。新增就业8万人。"
    assert rescale("output of 200 billion yuan", passage) == "output of 20 billion (200亿) yuan"
    assert rescale("about 8 thousand jobs", passage) == "about 80,000 (8万) jobs"
    assert rescale("output of 20 billion yuan", passage) == "output of 20 billion yuan"
    evidence = [Evidence(1, passage, passage)]
    checked = check("The expected output is 200 billion yuan.[1]", evidence, "")
    assert checked.sentences == [("The expected output is 20 billion (200亿) yuan.", [1])]
    # a figure right by value stays, though the same digits are another figure's (20亿)
    both = passage + "一期投资20亿元。"
    assert rescale("output of 20 billion yuan", both) == "output of 20 billion yuan"
    # an English sentence keeping Chinese names is read as English: 5 billion is 50亿
    park = "汽车装备制造产业园总投资50亿元，主要吸纳整车制造、新能源汽车企业入驻。"
    said = "It has a total investment of 5 billion yuan and attracts 整车制造 and 新能源汽车 firms."
    assert check(said, [Evidence(1, park, park)], "").sentences
    # one that keeps a Chinese word and states no figure is English too, not a Chinese
    # sentence sharing too few words with the passage
    kept = "The industries are food processing, advanced manufacturing and 光伏.[1]"
    assert check(kept, [Evidence(1, park + "形成了食品加工和光伏产业。", park)], "").sentences


def test_a_translation_is_given_scaled_figures_in_english_and_the_source_figure_put_back():
    from assistant.answer.translation import figures_in_english, with_source_figures

    given, pairs = figures_in_english(
        "累计投资132.7亿元，1万伏线路竣工，入驻企业104家，新增就业8万个"
    )
    assert given == "累计投资13.27 billion元，10,000伏线路竣工，入驻企业104家，新增就业80,000个"
    assert pairs == [("13.27 billion", "132.7亿"), ("10,000", "1万"), ("80,000", "8万")]
    said = "13.27 billion yuan invested; 10,000-volt lines; 104 firms; 80,000 jobs"
    assert with_source_figures(said, pairs) == (
        "13.27 billion (132.7亿) yuan invested; 10,000 (1万)-volt lines; 104 firms;"
        " 80,000 (8万) jobs"
    )
    # a figure the model already gave with its source, or left out, is left as it is
    assert with_source_figures("80,000 (8万) jobs", pairs) == "80,000 (8万) jobs"
    assert with_source_figures("180,000 jobs", [("80,000", "8万")]) == "180,000 jobs"
    assert figures_in_english("增长6.2%，占地2000亩") == ("增长6.2%，占地2000亩", [])
    # a long figure is given grouped (the model copied "41230元" as "412,300"); a phone
    # number or a year is not a figure to group
    assert (
        figures_in_english("收入41230元，电话6128899，2023年")[0]
        == "收入41,230元，电话6128899，2023年"
    )


def test_an_english_answer_listing_named_things_keeps_the_documents_wording_of_the_list():
    from assistant.answer.translation import with_source_list

    chinese = "入驻企业104家，形成了食品加工、轻纺、先进制造和光伏四大支柱产业。[1]"
    said = "Its pillar industries are food processing, light manufacturing, advanced manufacturing and photovoltaics."
    assert with_source_list([(said, [1])], chinese) == [
        (said[:-1] + " (source: 形成了食品加工、轻纺、先进制造和光伏四大支柱产业).", [1])
    ]
    # a sentence that lists nothing, or that translates another passage's sentence, gets
    # no list; nor does an answer whose Chinese lists nothing
    assert (
        with_source_list([("It has 104 enterprises.", [1])], chinese)[0][0]
        == "It has 104 enterprises."
    )
    assert with_source_list([(said, [2])], chinese) == [(said, [2])]
    assert with_source_list([(said, [1])], "入驻企业104家。[1]") == [(said, [1])]


def test_a_figure_in_another_unit_is_no_support_but_a_stated_difference_is():
    growth = [
        Evidence(1, "全区城镇居民人均可支配收入增长7.3%。", "全区城镇居民人均可支配收入增长7.3%。")
    ]
    asked = "临溪区2023年城镇居民人均可支配收入是多少元？"
    assert not check("城镇居民人均可支配收入是7.3元。[1]", growth, asked).sentences
    assert check("城镇居民人均可支配收入增长7.3%。[1]", growth, asked).sentences
    row = "规模以上工业增加值增长｜单位：%｜2023年完成：10.2｜2024年目标：9"
    table = [Evidence(1, row, row)]
    q = "2024年规上工业增加值增长目标比2023年实际完成低多少个百分点？"
    assert check("比2023年实际完成低1.2个百分点。[1]", table, q).sentences
    assert not check("比2023年实际完成低1.3个百分点。[1]", table, q).sentences
    # a difference nobody asked for is still an invented figure
    assert not check("低1.2个百分点。[1]", table, "2024年规上工业增加值增长目标是多少？").sentences


# ---- follow-ups keep the conversation's place


def test_follow_up_without_a_place_carries_the_last_named_one() -> None:
    history = [
        {"role": "user", "content": "鹿鸣县2023年引进了多少个亿元以上项目？"},
        {"role": "assistant", "content": "31个。"},
    ]
    assert needs_rewrite("今年的目标是引进多少个亿元以上项目？", history)
    assert not needs_rewrite("渑水县的粮食产量是多少？", history)
    assert not needs_rewrite("渑水县的粮食产量是多少？", None)
    # an English question names its places in pinyin: only plain follow-ups are rewritten
    assert not needs_rewrite("What was Mianshui County's grain output in 2023?", history)
    assert needs_rewrite("And what about its grain output?", history)
    assert carried_places("那今年的目标呢？", history) == ["鹿鸣"]
    assert carried_places("渑水县呢？", history) == []
    # the model dropped the county: it is put back, so binding still sees it
    text, flags = bind_rewrite("今年的目标是引进多少个亿元以上项目？", "那今年的目标呢？", history)
    assert text.startswith("鹿鸣县") and flags == ["place_carried"]
    assert place_names(text) == ["鹿鸣"]


def test_a_follow_up_naming_another_place_swaps_the_place_of_its_kind() -> None:
    from assistant.answer.followup import swap_place

    last = "汝州2023年招商目标里，汝南街道的省外资金任务是多少？"
    assert (
        swap_place(last, "钟楼街道呢？") == "汝州2023年招商目标里，钟楼街道的省外资金任务是多少？"
    )
    assert swap_place("鹤淇产业集聚区入驻了多少家企业？", "那柘城县产业集聚区呢？") == (
        "柘城产业集聚区入驻了多少家企业？"
    )
    assert swap_place(last, "那今年呢？") == ""  # no place of its own: nothing to swap


def test_rewrite_with_a_place_nobody_named_is_repaired_or_rejected() -> None:
    history = [{"role": "user", "content": "渑水县2023年社会消费品零售总额是多少？"}]
    text, flags = bind_rewrite("2023年，清水县餐饮收入是多少？", "其中餐饮收入呢？", history)
    assert text == "2023年，渑水县餐饮收入是多少？" and "rewrite_place_repaired" in flags
    two = [{"role": "user", "content": "汝州和沁阳的入驻企业各多少家？"}]
    assert bind_rewrite("清水县的入驻企业呢？", "其中外资企业呢？", two) == (
        "",
        ["rewrite_rejected"],
    )
    # a place the conversation named is kept as the model wrote it
    assert (
        bind_rewrite("渑水县餐饮收入是多少？", "其中餐饮收入呢？", history)[0]
        == "渑水县餐饮收入是多少？"
    )


def test_a_difference_question_gets_the_gap_of_two_figures_in_one_unit() -> None:
    from assistant.answer.verify import difference

    q = "2024年规上工业增加值增长目标比2023年实际完成低多少个百分点？"
    row = "规模以上工业增加值增长｜2023年完成：10.2%｜2024年目标：9%"
    assert difference(q, row) == "1.2个百分点"
    assert difference("A比B多多少亿元？", "A为12.5亿元，B为9亿元") == "3.5亿元"
    # three figures, or two in different units: no single gap to state
    assert difference(q, "增长7.2%，比上年提高1.3个百分点，总额98.36亿元") == ""
    assert difference("A比B多多少？", "A为12亿元，增长9%") == ""
    assert difference("规上工业增加值增长目标是多少？", row) == ""
    # what the extractive reader writes passes verification
    table = [Evidence(1, row, row)]
    assert check(f"{row}，相差1.2个百分点。[1]", table, q).sentences


def test_another_documents_figure_counts_as_differing_only_for_the_same_quantity_and_year() -> None:
    from assistant.answer.verify import other_figure

    q = "岚山县2023年地区生产总值是多少亿元？"
    terms = key_terms(q, lambda t: 1, 10)
    ground = "全县地区生产总值完成186.4亿元，增长6.1%。"
    differs = "经初步核算，全县地区生产总值188.2亿元，比上年增长6.3%。"
    assert other_figure(q, terms, ground, [(2, differs)]) == (2, differs)
    # the same figure, another year's figure, or another quantity: nothing to point out
    assert other_figure(q, terms, ground, [(2, "全县地区生产总值186.4亿元。")]) is None
    assert other_figure(q, terms, ground, [(2, "2022年全县地区生产总值175.0亿元。")]) is None
    assert other_figure(q, terms, ground, [(2, "全县财政总收入12.3亿元。")]) is None


def test_a_bare_chinese_figure_is_not_read_as_english() -> None:
    """ "500亿元" is no English sentence: its 500 is not matched by value to "500余家"."""
    firms = "截至目前,区内入驻企业达到500余家,就业人数达到5.2万人。"
    evidence = [Evidence(1, firms, firms)]
    assert not check("500亿元[1]", evidence, "销售收入目标是多少？").sentences
    assert check("500余家[1]", evidence, "入驻企业多少家？").sentences


def test_a_growth_question_measures_the_quantity_before_the_verb() -> None:
    assert asked_quantities("渑水县2023年固定资产投资增长了多少？") == [("固定资产", "投资")]
    assert asked_quantities("金融业增加值比上年增长多少？") == [("金融业", "增加值")]
    assert asked_quantities("比上年增长了多少？") == []  # nothing named: nothing checked
    # a growth rate of another quantity does not answer it
    retail = "全年全县社会消费品零售总额121.45亿元，比上年增长6.4%。"
    evidence = [Evidence(1, retail, retail)]
    assert not check("增长了6.4%。[1]", evidence, "固定资产投资增长了多少？").sentences
    assert check("增长了6.4%。[1]", evidence, "社会消费品零售总额增长了多少？").sentences
    # the heading "投资和消费" names 投资, not 固定资产投资: the modifier counts too
    filed = [Evidence(1, retail, retail, "四、投资和消费")]
    assert not check("增长了6.4%。[1]", filed, "固定资产投资增长了多少？").sentences
    # in any order: "投资30亿元的…项目" states the project's investment
    project = "开工建设投资30亿元的舜兴产业园项目。"
    assert check(
        f"{project}[1]", [Evidence(1, project, project)], "舜兴产业园项目投资多少？"
    ).sentences


def test_a_noun_tagged_a_verb_is_still_the_quantity_asked() -> None:
    """jieba tags 收入 a verb: "旅游收入是多少" still asks 旅游收入, and 人均纯收入 is not it."""
    assert asked_quantities("鹿鸣县2023年旅游收入是多少？") == [("旅游", "收入")]
    income = "脱贫人口人均纯收入达到16420元，增长12.1%。"
    evidence = [Evidence(1, income, income)]
    assert not check(f"{income}[1]", evidence, "鹿鸣县2023年旅游收入是多少？").sentences
    # a verb that acts ("帮企业融到了多少钱", "加起来是多少") names no quantity
    assert asked_quantities("帮企业融到了多少钱？") == []
    assert asked_quantities("各单位的亿元以上项目加起来是多少？跟方案正文比呢？") == []
    # a word jieba keeps whole is stated by its parts: "粮食产量" by 粮食…总产量
    crop = "粮食播种面积稳定在80万亩以上，总产量达到36.8万吨。"
    assert check(f"{crop}[1]", [Evidence(1, crop, crop)], "鹿鸣县的粮食产量是多少？").sentences
    # where a figure is counted is not what it measures: 地区生产总值 is 全县生产总值
    assert asked_quantities("鹿鸣县地区生产总值是多少？") == [("生产总值",)]


def test_a_question_that_merely_names_no_place_is_not_bound_to_the_last_one() -> None:
    history = [{"role": "user", "content": "鹿鸣县2023年引进了多少个亿元以上项目？"}]
    q = "资料里一共有几份统计公报？"
    assert needs_rewrite(q, history)  # the model may still read it with the conversation
    assert bind_rewrite(q, q, history) == (q, [])  # but no place is forced onto it


def test_the_same_sentence_from_two_passages_is_said_once() -> None:
    text = "全县地区生产总值188.2亿元。"
    evidence = [Evidence(1, text, text), Evidence(2, text, text)]
    checked = check(f"{text}[1]{text}[2]", evidence, "地区生产总值是多少？")
    assert len(checked.sentences) == 1 and "removed_repeat" in checked.flags


def test_the_grader_counts_a_figure_only_as_a_whole_number() -> None:
    from assistant.evaluation import Question, answer_correct

    def asking(*figures: str) -> Question:
        return Question("x", "融资多少？", "zh", "number", None, [], "", [list(figures)])

    assert not answer_correct(asking("18"), "2018年以来，融资到账近20亿元。")
    assert answer_correct(asking("18"), "融资到账18亿元。")
    assert not answer_correct(asking("6.1"), "栽种树木16.1万余棵")
    assert answer_correct(asking("6.1万"), "栽种树木6.1万余棵")
    assert answer_correct(asking("February 5"), "By February 5, 2024, it must be done.")
    assert answer_correct(asking("80000"), "80,000 jobs")


def test_a_year_the_question_never_named_is_dropped_from_a_models_rewrite() -> None:
    from assistant.answer.followup import drop_new_years

    asked = "How much was invested in January to October?"
    assert drop_new_years("2019年1月至10月投资了多少？", asked) == "1月至10月投资了多少？"
    assert drop_new_years("2023年GDP是多少？", "GDP in 2023?") == "2023年GDP是多少？"
    history = [{"role": "user", "content": "鹿鸣县2023年引进了多少个项目？"}]
    assert (
        bind_rewrite("鹿鸣县2023年的目标呢？", "那目标呢？", history)[0] == "鹿鸣县2023年的目标呢？"
    )
    assert bind_rewrite("鹿鸣县2021年的目标呢？", "那目标呢？", history)[0] == "鹿鸣县的目标呢？"


def test_a_rise_is_not_the_passages_fall_of_the_same_figure() -> None:
    text = "全县商品房销售面积62.8万平方米，下降6.4%。"
    evidence = [Evidence(1, text, text)]
    assert not check(
        "商品房销售面积增长了6.4%。[1]", evidence, "商品房销售面积增长多少？"
    ).sentences
    assert check("商品房销售面积下降6.4%。[1]", evidence, "商品房销售面积增长多少？").sentences
    # a figure without change words on either side contradicts nothing
    assert check("销售面积为62.8万平方米。[1]", evidence, "销售面积多少？").sentences


def test_a_follow_up_naming_its_own_place_does_not_get_the_last_one_added() -> None:
    history = [{"role": "user", "content": "汝州产业集聚区入驻了多少家企业？"}]
    rewrite = "鹤淇产业集聚区入驻了多少家企业？"
    assert bind_rewrite(rewrite, "那鹤淇呢？", history) == (rewrite, [])


def test_coverage_matches_a_figure_only_as_a_whole_number() -> None:
    """The question's "10" (1到10月) is not in "107国道", nor "1" in "13.68"."""
    terms = {"10": 1.0, "厂房": 1.0}
    assert coverage(terms, "西临107国道，规划面积13.68平方公里") == 0.0
    assert coverage(terms, "1－10月份，新建标准化厂房1万平米") == 1.0
    assert coverage({"13.6": 1.0}, "13.68平方公里") == 0.0


def test_each_document_is_asked_only_what_the_question_asks_of_it() -> None:
    """The clause naming the documents and the comparison framing are not searched for."""
    assert asked_of_each("X园区投资多少？两篇报道分别怎么说？") == "X园区投资多少？"
    q = "汝州的主导产业前后有什么变化？早先的报道和2023年招商方案各怎么定？"
    assert asked_of_each(q) == "汝州的主导产业是什么？"  # a bare noun asks what it is
    # a clause that still asks something ("各写的是多少") is kept
    q = "同一个项目的地被铺植面积，两篇报道各写的是多少？"
    assert "多少" in asked_of_each(q)


def test_a_sentence_without_a_year_speaks_for_its_sections_year() -> None:
    """ "社会消费品零售总额增长7%" under "二、2024年主要目标" answers nothing about 2023."""
    target = "社会消费品零售总额增长7%。"
    ev = [Evidence(1, target, target, "二、2024年主要目标和重点工作")]
    got = check(f"{target}[1]", ev, "临溪区2023年社会消费品零售总额增长了多少？")
    assert not got.sentences and "removed_other_year" in got.flags
    assert check(f"{target}[1]", ev, "临溪区2024年社会消费品零售总额增长目标是多少？").sentences


def test_a_follow_up_naming_its_own_time_does_not_carry_the_last_turns_year() -> None:
    last = "鹿鸣县2023年引进了多少个亿元以上项目？"
    assert carried_turn(last, "那今年的目标是引进多少个？") == "鹿鸣县引进了多少个亿元以上项目？"
    assert carried_turn(last, "其中10亿元以上的呢？") == last


def test_a_later_question_naming_its_own_quantity_is_asked_of_the_first_ones_place() -> None:
    q = "澄源县2023年接待游客多少人次？旅游综合收入多少？"
    assert split_question(q) == ["澄源县2023年接待游客多少人次？", "澄源县2023年旅游综合收入多少？"]
    # a later part naming no quantity of its own is read with the first
    q = "渑水县2023年的生产总值是多少？比上年增长多少？"
    assert split_question(q) == [q]


def test_what_is_measured_implies_the_unit_asked() -> None:
    from assistant.answer.kinds import asked_units, unit_match

    assert "元" in asked_units("临溪区城镇居民人均可支配收入是多少？")
    assert asked_units("临溪区城镇居民人均可支配收入增长多少？") == ("%", "个百分点", "成")
    assert (
        unit_match("城镇居民人均可支配收入是多少？", "城乡居民人均可支配收入分别增长5.0%。") == 0.0
    )
    assert asked_units("入驻企业多少家？") == ("家", "户")


def test_a_total_is_stated_by_its_quantity_and_a_section_year_outranks_the_title() -> None:
    row = "粮食｜产量：42.7万吨｜比上年增长：1.9%。"
    ev = [Evidence(1, row, row, "表2 2023年全县主要农产品产量")]
    assert check(f"{row}[1]", ev, "澄源县2023年粮食总产量是多少？").sentences
    # a 2024 work report's review of 2023 does not answer about 2024
    review = "城镇新增就业4210人。"
    ev = [Evidence(1, review, review, "一、2023年工作回顾", title="临溪区2024年政府工作报告")]
    assert not check(f"{review}[1]", ev, "临溪区2024年计划新增城镇就业多少人？").sentences


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


def test_two_places_each_with_its_own_suffix_keep_their_own() -> None:
    q = "鹤淇产业集聚区和柘城县产业集聚区的规划面积分别是多少？"
    assert split_question(q) == [
        "鹤淇产业集聚区的规划面积是多少？",
        "柘城县产业集聚区的规划面积是多少？",
    ]


def test_a_population_is_asked_in_people() -> None:
    from assistant.answer.kinds import asked_units, unit_match

    assert "万人" in asked_units("渑水县2023年的常住人口是多少？")
    assert unit_match("常住人口是多少？", "按年末常住人口计算，全年人均生产总值56388元。") == 0.0


def test_a_sentence_without_a_year_speaks_for_its_documents_year() -> None:
    """ "全年…生产总值286.47亿元" in the 2023 bulletin is no answer about 2022; a 2024 work
    report still speaks for the 2023 it reviews."""
    gdp = "初步核算，全年全县生产总值286.47亿元。"
    bulletin = [Evidence(1, gdp, gdp, "一、综合", title="渑水县2023年国民经济和社会发展统计公报")]
    assert not check(f"{gdp}[1]", bulletin, "渑水县2022年的生产总值是多少？").sentences
    assert check(f"{gdp}[1]", bulletin, "渑水县2023年的生产总值是多少？").sentences
    report = [Evidence(1, gdp, gdp, "经济运行", title="渑水县2024年政府工作报告")]
    assert check(f"{gdp}[1]", report, "渑水县2023年的生产总值是多少？").sentences
    # a compilation titled by its first part: that year is not the other parts'
    parts = [Evidence(1, gdp, gdp, "第二篇：产业集聚区", title="第一篇：产业集聚区2025年发展报告")]
    assert check(f"{gdp}[1]", parts, "柘城县2010年的生产总值是多少？").sentences


def test_a_figure_under_another_parks_heading_is_not_the_asked_parks() -> None:
    """The issue's own case: 汝州新能源产业园's investment is not the 智能终端产业园's."""
    line = "一、二期工程建成后可入驻企业30多家，实现年产值80亿元。"
    q = "汝州智能终端产业园建成后预计每年能实现多少产值？"
    other = [Evidence(1, line, line, "汽车装备制造产业园")]
    got = check("智能终端产业园每年能实现产值80亿元。[1]", other, q)
    assert not got.sentences and "removed_other_entity" in got.flags
    own = [Evidence(1, line, line, "智能终端产业园")]
    assert check("智能终端产业园每年能实现产值80亿元。[1]", own, q).sentences
    # an abbreviation is no other company: "产投公司" may be the asked 投资公司
    debt = "产投公司融资到账18亿元。"
    ev = [Evidence(1, debt, debt, "融资保障 发展根基牢固")]
    assert check(f"{debt}[1]", ev, "汝州产业集聚区投资公司累计融资到账多少？").sentences


def test_an_english_question_is_held_to_the_park_its_translation_names() -> None:
    line = "智能终端产业园总投资6.6亿元。"
    ev = [Evidence(1, line, line, "智能终端产业园")]
    q = "What is the total investment planned for Ruzhou's New Energy Industrial Park?"
    answer = "The total investment is 660 million yuan (6.6亿元).[1]"
    assert check(answer, ev, q).sentences  # the English alone names no park to compare
    assert not check(answer, ev, q, "汝州新能源产业园计划总投资是多少？").sentences


def test_a_population_by_its_unit_still_needs_its_modifier() -> None:
    """ "常住人口是多少万人" is not answered by "城镇新增就业5630人", though both count 人."""
    jobs = "城镇新增就业5630人。"
    got = check(
        f"{jobs}[1]", [Evidence(1, jobs, jobs, "二、民生")], "鹿鸣县年末常住人口是多少万人？"
    )
    assert not got.sentences and "removed_other_quantity" in got.flags


def test_another_level_or_another_row_is_not_the_asked_items_figure() -> None:
    """A 省级 factory's reward is no 国家级 one's; a table row whose label the question
    hardly names is another item's; of two rows with the same figures, the one the answer
    restates is its ground."""
    line = "对列入省级智能制造示范工厂的企业，一次性奖励100万元。"
    ev = [Evidence(1, line, line, "三、支持技术改造")]
    q = "对新认定为国家绿色工厂的企业奖励多少？"
    got = check("国家绿色工厂奖励100万元。[1]", ev, q)
    assert not got.sentences and "removed_other_level" in got.flags
    assert check(f"{line}[1]", ev, "省级智能制造示范工厂奖励多少？").sentences
    assert check(f"{line}[1]", ev, "市级以上示范工厂奖励多少？").sentences  # spans levels
    row = "高新技术企业（首次认定）｜奖励金额：15万元"
    rows = [Evidence(1, row, row, "四、培育优质企业")]
    got = check("奖励15万元。[1]", rows, q)
    assert not got.sentences and "removed_other_row" in got.flags
    assert check("奖励15万元。[1]", rows, "首次认定的高新技术企业奖励多少？").sentences
    assert check("奖励15万元。[1]", rows, "哪类企业奖励15万元以上？").sentences  # across rows
    two = "装备制造产业｜签订项目：3个｜引进亿元以上项目：1个\n生物医药产业｜签订项目：3个｜引进亿元以上项目：1个"
    got = check(
        "生物医药产业｜签订项目：3个｜引进亿元以上项目：1个。[1]",
        [Evidence(1, two, two, "任务分解表")],
        "生物医药产业链要签几个项目？",
    )
    assert got.sentences and got.grounds[0][1].startswith("生物医药")


def test_a_what_question_prefers_the_sentences_that_say_what_it_is() -> None:
    """ "主导产业到底是什么": "主导产业为…" and "确定了…四大主导产业" say it; "主导产业集中区"
    only uses the words. Both defining sentences are read (the report says two things)."""
    from assistant.answer.extractive import ExtractiveReader, _defines
    from assistant.config import Settings

    assert _defines(["主导产业"], "主导产业为医药制品加工业")
    assert _defines(["主导产业"], "确定了金刚石微粉、医药制造和纺织服装四大主导产业")
    assert _defines(["主导产业"], "围绕机绣纺织、智能终端和新能源等产业集聚区主导产业")
    assert not _defines(["主导产业"], "使之成为县域经济增长极、主导产业集中区")
    texts = [
        "柘城县产业集聚区规划面积14平方公里，主导产业为医药制品加工业。",
        "使之成为县域经济增长极、主导产业集中区、现代城市功能区。",
        "规划总面积14平方公里，确定了金刚石微粉及制品、医药制造和纺织服装四大主导产业。",
    ]  # all in 柘城's report
    ev = [Evidence(n, t, t, "", 1.0, places=("柘城",)) for n, t in enumerate(texts, 1)]
    terms = {"柘城县": 3.0, "主导产业": 1.4}
    got = ExtractiveReader(Settings()).read("柘城县的主导产业到底是什么？", "zh", ev, terms).text
    assert "[1]" in got and "[3]" in got and "[2]" not in got, got
    # a list of the asked things outweighs a rarer word used in passing ("产业集群效应")
    said = [
        "近年来，围绕主导产业，产业集群效应不断增强，一大批企业发展势头强劲。",
        "围绕机绣纺织、汽车装备制造、智能终端和新能源等产业集聚区主导产业，设定了发展道路。",
    ]
    one = [Evidence(1, "\n".join(said), "\n".join(said), "打造特色鲜明主导产业", 1.0)]
    terms = {"围绕": 1.9, "主导产业": 1.4, "主导": 1.4, "集群": 2.1, "发展": 0.3}
    top = ExtractiveReader(Settings()).rank("围绕哪几个主导产业集群发展？", one, terms)[0]
    assert top[2] == said[1], top


def test_a_question_about_the_largest_or_smallest_reads_that_end_of_the_column() -> None:
    """Tables are read by cell: "哪个…最大" is the row at the top of the named column,
    ties all listed, the 合计 row never one of them; a row's label names its item."""
    from assistant.answer.extractive import ExtractiveReader
    from assistant.answer.kinds import type_match
    from assistant.answer.tables import extreme_row
    from assistant.config import Settings

    table = (
        "单位 省外资金（万元） 引进项目（个）\n汝南街道 176000 7\n临汝镇 107000 4\n"
        "夏店镇 50000 3\n骑岭乡 50000 3\n合计 383000 17"
    )
    ev = [_ev(1, table, heading="附件1 > 汝州市2023年招商引资目标任务分解表")]
    reader = ExtractiveReader(Settings())
    terms = {"省外资金": 2.0, "乡镇": 1.0}
    top = reader.read("哪个乡镇的省外资金目标最大？", "zh", ev, terms)
    assert top.text.startswith("汝州市2023年招商引资目标任务分解表：汝南街道｜省外资金")
    low = reader.read("省外资金目标最少的是哪些乡镇？", "zh", ev, terms).text
    assert "夏店镇" in low and "骑岭乡" in low and "临汝镇" not in low
    assert extreme_row("汝南街道的省外资金是多少？", ev[0].sentences()) is None  # no extreme asked
    assert extreme_row("哪个乡镇面积最大？", ev[0].sentences()) is None  # no such column
    assert type_match("哪个单位引进项目最多？", "汝南街道｜引进项目：7个") == 1.0


def test_english_terms_a_translation_keeps_are_put_in_the_documents_words() -> None:
    """ "渑水县的GDP是多少" would be searched (as a sub-question, on its own words) for a
    term no Chinese passage uses; the glossary puts it in the documents' words."""
    from assistant.answer.english import glossed
    from assistant.config import Settings

    glossary = Settings().prompts_dir / "glossary.tsv"
    assert (
        glossed(glossary, "2023年渑水县和澄源县的GDP是多少？")
        == "2023年渑水县和澄源县的地区生产总值是多少？"
    )
    assert glossed(glossary, "汝州产业集聚区排第几？") == "汝州产业集聚区排第几？"
    # a term of the question the translation lost is put back, "X of Y" as "YX"
    urban = "Compare the per capita disposable income of urban residents in the two counties."
    assert (
        glossed(glossary, "比较两县的人均可支配收入。", urban)
        == "比较两县的城镇居民人均可支配收入。"
    )
    assert glossed(glossary, "比较两县的收入。", "What was the urban residents' income?") == (
        "比较两县的收入（城镇居民）。"
    )
    kept = "比较两县的城镇居民人均可支配收入。"
    assert glossed(glossary, kept, urban) == kept
    assert glossed(glossary, "园区有多大？", "How big is the park?") == "园区有多大？"
    # a follow-up's rewrite about the last turn's park has lost the follow-up's own subject
    from assistant.answer.english import lost_terms

    follow = "And the auto equipment manufacturing park - how big is it?"
    assert lost_terms(glossary, "汝绣创业园的规划面积是多少？", follow) == [
        "equipment manufacturing"
    ]
    assert lost_terms(glossary, "汽车装备制造产业园规划面积是多少？", follow) == []


def test_a_question_asking_an_amount_and_its_growth_reads_the_sentence_giving_both() -> None:
    """ "生产总值是多少，增长率是多少": a target table's "地区生产总值增长｜2023年完成：7.1%" row
    names the quantity better, but only the sentence gives the amount and the rate."""
    from assistant.answer.extractive import ExtractiveReader
    from assistant.answer.kinds import asked_unit_families
    from assistant.config import Settings

    q = "鹿鸣县2023年的地区生产总值是多少，增长率是多少？"
    assert len(asked_unit_families(q)) == 2 and len(asked_unit_families("增长了多少？")) == 1
    ev = [
        _ev(1, "指标 2023年完成 2024年目标\n地区生产总值增长 7.1% 6.5左右", heading="表1 主要指标"),
        _ev(2, "全县生产总值达到245.3亿元，增长7.1%，增速居全市第二位。"),
    ]
    terms = {"地区生产总值": 2.0, "生产总值": 1.5, "增长率": 1.0}
    got = ExtractiveReader(Settings()).read(q, "zh", ev, terms).text
    assert got.startswith("全县生产总值达到245.3亿元"), got


def test_a_clause_cut_at_a_semicolon_runs_on_through_the_clauses_that_continue_it() -> None:
    """ "6座公厕，4座已完成主体工程，正在进行装修；2座为装配式建筑…": quoting the first clause
    alone says half of what the sentence does. The clause after "；" that opens with a
    figure goes on about the same 公厕, so the quantity check reads it with its lead; one
    that names its own quantity ("固定资产投资增长12.5%") stays another quantity."""
    from assistant.answer.extractive import ExtractiveReader
    from assistant.answer.text import finished
    from assistant.config import Settings

    text = "主干道规划的6座公厕，4座已完成主体工程，正在进行装修；2座为装配式建筑，已完成地基开挖。"
    first = "主干道规划的6座公厕，4座已完成主体工程，正在进行装修；"
    assert finished(first, text) == text
    assert (
        finished("2座为装配式建筑，已完成地基开挖。", text) == "2座为装配式建筑，已完成地基开挖。"
    )
    long = "一是抓招商；" + "二是抓项目" + "，" * 200 + "。"
    assert finished("一是抓招商；", long) == "一是抓招商；"  # too long: not run on
    items = "1万伏供电线路已竣工，22万伏数字变电站正在建设；已争取到天然气用气额度；供水工程已投入运行。"
    first = "1万伏供电线路已竣工，22万伏数字变电站正在建设；"
    assert finished(first, items) == first  # the next item is about another thing
    ev = [Evidence(1, text, text, "基础设施")]
    got = ExtractiveReader(Settings()).read(
        "主干道规划了几座公厕，建得怎么样了？", "zh", ev, {"公厕": 3.6, "主干道": 2.8}
    )
    assert "2座为装配式建筑" in got.text and got.text.count("公厕") == 1, got.text
    checked = check(got.text, ev, "主干道规划了几座公厕，建得怎么样了？")
    assert any("2座为装配式建筑" in s for s, _ in checked.sentences), checked.flags
    stats = "规模以上工业增加值增长10.2%；固定资产投资增长12.5%。"
    both = check(
        "规模以上工业增加值增长10.2%；[1]固定资产投资增长12.5%。[1]",
        [Evidence(1, stats, stats, "一、经济")],
        "规模以上工业增加值增长多少？",
    )
    assert [s for s, _ in both.sentences] == ["规模以上工业增加值增长10.2%；"], both.sentences
    assert "removed_other_quantity" in both.flags


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
    from assistant.config import Settings as Defaults

    rank = Reader(Defaults()).rank
    named = rank("溪县产业集聚区以前叫什么名字？", ev, {"溪县": 3.0, "名字": 5.0})
    assert named[0][2].startswith("溪县产业集聚区前身为")
    dated = rank("溪县那一版报纸是哪天出的？", ev, {"溪县": 3.0, "报纸": 5.0})
    assert dated[0][2].startswith("出版日期：2013年1月10日")
    from assistant.answer.extractive import ExtractiveReader
    from assistant.config import Settings

    ev = [Evidence(1, text, official_lines(text), "")]
    reader = ExtractiveReader(Settings())
    got = reader.read("这份通知的文号是什么？", "zh", ev, {"文号": 5.0, "通知": 0.5})
    assert "溪政办〔2023〕17号" in got.text, got.text
    got = reader.read("那份材料的落款日期是哪天？", "zh", ev, {"落款": 5.0, "材料": 1.0})
    assert "二〇一〇年一月五日" in got.text and check(got.text, ev, "落款日期是哪天？").sentences


def test_a_sentence_of_the_same_passage_that_states_what_the_first_leaves_out_is_added() -> None:
    """ "规划多大，建成后能入驻多少企业": the passage's second sentence states the half the
    first leaves out; one that adds none of the question's words is not added."""
    from assistant.answer.extractive import ExtractiveReader
    from assistant.config import Settings

    text = (
        "创业园规划占地1万亩，主要生产经营高档机绣。"
        "建成后可入驻机绣纺织企业800家，实现年产值200亿元。"
        "园区道路已经全部建成通车。"
    )
    ev = [Evidence(1, text, text, "", 1.0)]
    terms = {"创业园": 2.0, "规划": 1.0, "占地": 1.0, "入驻": 1.5, "企业": 0.8, "建成": 0.5}
    got = (
        ExtractiveReader(Settings())
        .read("创业园规划占地多少，建成后能入驻多少企业？", "zh", ev, terms)
        .text
    )
    assert "1万亩" in got and "800家" in got and "道路" not in got, got


def test_a_question_figure_is_spelled_as_the_passages_spell_the_same_value() -> None:
    """ "220千伏" is the passage's "22万伏": the search, the quote and the model look for the
    documents' wording; another unit or another value is left alone."""
    from assistant.answer.query import restated

    passages = "投资1.47亿元建成了22万伏输变电工程，规划占地10000亩。"
    assert restated("220千伏变电站建得怎么样？", passages) == "22万伏变电站建得怎么样？"
    assert restated("投资14700万元的是什么工程？", passages) == "投资1.47亿元的是什么工程？"
    assert restated("规划占地1万亩的园区？", passages) == "规划占地10000亩的园区？"
    assert restated("220千瓦的机组？", passages) == "220千瓦的机组？"  # 瓦 is not 伏
    assert restated("2023年投资1.5亿元？", passages) == "2023年投资1.5亿元？"
    # of two spellings, the best-ranked passage's
    assert restated("规划占地1万亩？", "另有1万亩。" + passages) == "规划占地1万亩？"
    assert restated("规划占地1万亩？", passages + "另有1万亩。") == "规划占地10000亩？"
    # a per-document question that only mentions its subject asks of the subject
    q = "两份鹤淇和沁阳的报告都提到了22万伏变电站。它们的状态如何？"
    assert asked_of_each(q).startswith("22万伏变电站")
