"""Verification: every figure, date and quoted name of an answer sentence against its cited passage. No index, no model."""

from __future__ import annotations

from assistant.answer.evidence import Evidence
from assistant.answer.query import key_terms, loosely_in
from assistant.answer.tables import readable
from assistant.answer.translation import figures_in_english
from assistant.answer.verify import check

PDF_HEADER = "汝州市 2023年招商引资目标任务分解表 单 位 省外资金 （万元） 引进项目（个） 总数 其中亿元 以上项目"


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


def test_english_trillions_figures_with_a_qualifier_and_sentences_after_a_marker():
    gdp = [_ev(1, "2024年全省地区生产总值57761亿元、增长5.5%。")]
    assert check("GDP was 5.7761 trillion yuan.[1]", gdp).sentences
    assert not check("GDP was 5.8761 trillion yuan.[1]", gdp).sentences
    # "4800多万元" is over 48 million, not 4,800: given so to the model, checked by value
    aid = [_ev(1, "争取帮扶资金4800多万元，实施项目26个。")]
    assert figures_in_english("资金4800多万元")[0] == "资金over 48 million元"
    assert check("It secured over 48 million yuan.[1]", aid).sentences
    assert check("It secured 4800 million yuan.[1]", aid).sentences == [
        ("It secured 48 million (4800万) yuan.", [1])
    ]
    # an English full stop with a marker ends a sentence: each is checked on its own
    jobs = [_ev(1, "新增城镇就业17.2万人。"), _ev(2, "新增城镇就业17万人以上。")]
    out = check("It created 172,000 jobs.[1] Its target is 170,000 jobs.[2]", jobs)
    assert [ns for _, ns in out.sentences] == [[1], [2]]


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


def test_the_same_sentence_from_two_passages_is_said_once() -> None:
    text = "全县地区生产总值188.2亿元。"
    evidence = [Evidence(1, text, text), Evidence(2, text, text)]
    checked = check(f"{text}[1]{text}[2]", evidence, "地区生产总值是多少？")
    assert len(checked.sentences) == 1 and "removed_repeat" in checked.flags


def test_a_rise_is_not_the_passages_fall_of_the_same_figure() -> None:
    text = "全县商品房销售面积62.8万平方米，下降6.4%。"
    evidence = [Evidence(1, text, text)]
    assert not check(
        "商品房销售面积增长了6.4%。[1]", evidence, "商品房销售面积增长多少？"
    ).sentences
    assert check("商品房销售面积下降6.4%。[1]", evidence, "商品房销售面积增长多少？").sentences
    # a figure without change words on either side contradicts nothing
    assert check("销售面积为62.8万平方米。[1]", evidence, "销售面积多少？").sentences


def test_a_sentence_without_a_year_speaks_for_its_sections_year() -> None:
    """ "社会消费品零售总额增长7%" under "二、2024年主要目标" answers nothing about 2023."""
    target = "社会消费品零售总额增长7%。"
    ev = [Evidence(1, target, target, "二、2024年主要目标和重点工作")]
    got = check(f"{target}[1]", ev, "临溪区2023年社会消费品零售总额增长了多少？")
    assert not got.sentences and "removed_other_year" in got.flags
    assert check(f"{target}[1]", ev, "临溪区2024年社会消费品零售总额增长目标是多少？").sentences


def test_a_total_is_stated_by_its_quantity_and_a_section_year_outranks_the_title() -> None:
    row = "粮食｜产量：42.7万吨｜比上年增长：1.9%。"
    ev = [Evidence(1, row, row, "表2 2023年全县主要农产品产量")]
    assert check(f"{row}[1]", ev, "澄源县2023年粮食总产量是多少？").sentences
    # a 2024 work report's review of 2023 does not answer about 2024
    review = "城镇新增就业4210人。"
    ev = [Evidence(1, review, review, "一、2023年工作回顾", title="临溪区2024年政府工作报告")]
    assert not check(f"{review}[1]", ev, "临溪区2024年计划新增城镇就业多少人？").sentences


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


def test_a_line_citing_different_passages_is_translated_sentence_by_sentence():
    from assistant.answer.translation import cited_pieces

    two = "新增城镇就业17.2万人。[1]新增城镇就业17万人以上。[2]"
    assert cited_pieces(two) == ["新增城镇就业17.2万人。[1]", "新增城镇就业17万人以上。[2]"]
    same = "入驻企业104家。[1]累计投资132亿元。[1]"
    assert cited_pieces(same) == [same]  # one passage: the line whole
    assert cited_pieces("甲：投资132亿元。[1]乙：5家。[2]备注") == [
        "甲：投资132亿元。[1]",
        "乙：5家。[2]备注",
    ]
