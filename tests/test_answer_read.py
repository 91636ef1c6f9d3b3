"""The extractive reader: which sentences and rows it quotes, and why. No index, no model."""

from __future__ import annotations

from assistant.answer.evidence import Evidence
from assistant.answer.extractive import ExtractiveReader
from assistant.answer.kinds import asked_of
from assistant.answer.tables import asked_columns, readable
from assistant.answer.text import passage_sentences, sentences
from assistant.answer.verify import check
from assistant.config import Settings


def _ev(n: int, text: str, bound_: float = 1.0, heading: str = "") -> Evidence:
    return Evidence(n, text, readable(text, heading), heading, bound_)


def test_a_question_about_the_sum_reads_the_total_row():
    from assistant.answer.extractive import ExtractiveReader
    from assistant.config import Settings

    rows = "签订项目（个） 引进亿元以上项目（个）\n尼龙产业 3 2\n装备制造产业 4 2\n合 计 22 10"
    ev = [_ev(1, rows)]
    terms = {"签订": 2.0, "项目": 1.0}
    best = ExtractiveReader(Settings()).rank(asked_of("各产业链一共签订多少个项目？"), ev, terms)
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
    assert reader.rank(asked_of(q), loose, terms)[0][2].startswith("安阳高新技术")
    assert reader.rank(asked_of(q), bound, terms)[0][2].startswith("标准化厂房")


def test_a_quoted_term_is_one_name_and_the_sentence_stating_it_is_read():
    from assistant.answer.extractive import ExtractiveReader
    from assistant.answer.query import content_words, quoted_terms
    from assistant.config import Settings

    q = "空间结构中的“一带”指什么？"
    assert quoted_terms(q) == ["一带"] and ("一带", "name") in content_words(q)
    assert quoted_terms('两个"3000亩"分别指什么？') == ["3000亩"]
    passage = "形成“一心、一轴、一带”的空间结构。一轴：城市轴线。一带：白沙河景观绿化带。"
    ev = [Evidence(1, passage, passage, "空间结构", 1.0)]
    terms = {"一带": 3.0, "空间结构": 3.0}
    ranked = ExtractiveReader(Settings()).rank(asked_of(q), ev, terms)
    assert ranked[0][2].startswith("一带：白沙河")


def test_a_what_question_prefers_the_sentences_that_say_what_it_is() -> None:
    """ "主导产业到底是什么": "主导产业为…" and "确定了…四大主导产业" say it; "主导产业集中区"
    only uses the words. Both defining sentences are read (the report says two things)."""
    from assistant.answer.extractive import ExtractiveReader
    from assistant.answer.ranker import _defines
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
    top = ExtractiveReader(Settings()).rank(asked_of("围绕哪几个主导产业集群发展？"), one, terms)[0]
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
    assert type_match(asked_of("哪个单位引进项目最多？"), "汝南街道｜引进项目：7个") == 1.0


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


LIST_TABLE = (
    "序号 | 改革举措 | 主 要 内 容 | 指导部门 | 推广范围\n"
    "一、知识产权保护方面（共5项）\n"
    "3 | 以降低侵权损失为核心的专利保险机制 | 围绕专利应用和维权，开发包括专利代理责任险、"
    "专利执行险等保险产品，降低创新主体的侵权损失。 | 国家知识产权局、中国银保监会 | 全国\n"
    "4 | 知识产权案件审判中引入技术调查官制度 | 法院审理知识产权案件时，可以引入技术调查官，"
    "帮助法官准确高效地认定技术事实。 | 最高人民法院、国家知识产权局 | 全国"
)


def test_a_table_row_is_read_whole_and_quoted_with_the_asked_column() -> None:
    """A text cell ends in "。": the row is not cut there (losing 指导部门 and 推广范围), its
    header is the piped line, not the group line under it, and the quote leaves out the
    long text cell nobody asked for."""
    reading = readable(LIST_TABLE, "附件")
    rows = [s for s in passage_sentences(reading) if "专利保险" in s]
    assert len(rows) == 1 and rows[0].endswith(
        "指导部门：国家知识产权局、中国银保监会｜推广范围：全国"
    )
    q = "“以降低侵权损失为核心的专利保险机制”由哪些部门指导？"
    e = Evidence(1, LIST_TABLE, reading, "附件", 1.0, "第二批支持创新相关改革举措推广清单")
    terms = {"降低": 1.0, "侵权": 1.0, "专利保险": 2.0, "部门": 0.5, "指导": 0.5}
    quote = ExtractiveReader(Settings()).read(q, "zh", [e], terms)
    assert "指导部门：国家知识产权局、中国银保监会" in quote.text, quote.text
    assert "保险产品" not in quote.text and "技术调查官" not in quote.text
    assert sentences(quote.text) == [quote.text]  # one row, one citation
    # a row asked as a whole (no column named) is quoted whole
    row = rows[0].split("：", 1)[1]
    assert asked_columns(row, "专利保险机制是什么？") == row
