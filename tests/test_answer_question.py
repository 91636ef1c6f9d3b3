"""What a question asks, read once: follow-ups, English terms, key terms, kinds and units, sub-questions. No index, no model."""

from __future__ import annotations

from assistant.answer.evidence import Evidence
from assistant.answer.followup import bind_rewrite, carried_places, carried_turn, needs_rewrite
from assistant.answer.kinds import asked_of
from assistant.answer.query import asked_quantities, coverage, key_terms
from assistant.answer.split import asked_of_each, split_question
from assistant.answer.verify import check
from assistant.identity import place_names


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


def test_area_and_length_units_are_one_family_each():
    from assistant.answer.kinds import asked_units, unit_match

    assert "平米" in asked_units("建设了多少平方米的厂房？")
    assert unit_match(asked_of("建设了多少平方米？"), "新建标准化厂房1万平米") == 1.0
    assert asked_units("修了多少公里道路？") == ("公里", "千米", "米")
    assert unit_match(asked_of("修了多少公里道路？"), "规划面积13.68平方公里") == 0.0


def test_the_quantity_asked_for_is_read_from_the_question():
    assert asked_quantities("白沙湾区2023年地区生产总值是多少？") == [("生产总值",)]
    assert asked_quantities("产业园建成后预计每年能实现多少产值？") == [("产值",)]
    assert asked_quantities("入驻了多少企业、多少条生产线？") == [("企业",), ("生产线",)]
    assert asked_quantities("主干道规划了几座公厕？") == [("公厕",)]
    # unclear parts: nothing is checked rather than a guess
    assert asked_quantities("城区面积分别从多少增长到了多少？") == []
    assert asked_quantities("在全省排第几？") == []


def test_the_kind_of_answer_asked_for_is_checked():
    from assistant.answer.kinds import asked_types, type_match, unit_match

    assert asked_types("规划是什么时候报到省发改委的？") == {"date"}
    assert asked_types("是哪家交易所批准的？") == {"name"}
    assert asked_types("入驻了多少家企业？") == {"number"}
    assert type_match(asked_of("什么时候获批的？"), "省发改委已于2025年12月作出批示。") == 1.0
    assert type_match(asked_of("什么时候获批的？"), "规划已完成并上报。") == 0.0
    assert type_match(asked_of("主导产业是什么？"), "主导产业为医药。") == 0.5
    # a figure the question itself gives, or a bare year, answers no "多少"
    assert type_match(asked_of("2023年引进了多少项目？"), "2023年招商工作扎实推进。") == 0.0
    # "哪些…企业/哪家单位" asks for a body's name: a county's name is not one
    assert type_match(asked_of("柘城县有哪些医药企业？"), "柘城县主导产业为医药制品加工业。") == 0.0
    assert type_match(asked_of("规划交给哪家单位编制？"), "委托河南省规划设计研究院编制。") == 1.0
    assert type_match(asked_of("在哪个县？"), "位于柘城县。") == 1.0
    # a figure in words is a figure: "第二位", "五个部室"
    assert type_match(asked_of("经济增速在全市排第几位？"), "经济增速居全市第二位。") == 1.0
    assert type_match(asked_of("设了几个部室？"), "设立综合办公室等五个部室。") == 1.0
    # "160余家", "1300多条": a qualifier between the figure and its unit
    assert unit_match(asked_of("入驻多少家企业？"), "入驻企业160余家") == 1.0
    assert unit_match(asked_of("多少条生产线？"), "生产线1300多条") == 1.0
    assert unit_match(asked_of("投资多少亿元？"), "增长6.4%") == 0.0
    assert (
        unit_match(asked_of("融了多少钱？"), "融资18亿元") == 1.0
    )  # "多少钱" asks an amount of 元
    assert unit_match(asked_of("融了多少钱？"), "沁阳市委书记调研。") == 0.0
    # "哪几个/哪几项" asks which ones, not how many
    assert asked_types("管委会设了哪几个部室？") != {"number"}
    assert unit_match(asked_of("围绕哪几个主导产业发展？"), "围绕机绣纺织、汽车装备制造发展") == 0.5
    assert unit_match(asked_of("设了几个部室？"), "设立综合办公室") == 0.0


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
        unit_match(
            asked_of("城镇居民人均可支配收入是多少？"), "城乡居民人均可支配收入分别增长5.0%。"
        )
        == 0.0
    )
    assert asked_units("入驻企业多少家？") == ("家", "户")


def test_two_places_each_with_its_own_suffix_keep_their_own() -> None:
    q = "鹤淇产业集聚区和柘城县产业集聚区的规划面积分别是多少？"
    assert split_question(q) == [
        "鹤淇产业集聚区的规划面积是多少？",
        "柘城县产业集聚区的规划面积是多少？",
    ]


def test_a_population_is_asked_in_people() -> None:
    from assistant.answer.kinds import asked_units, unit_match

    assert "万人" in asked_units("渑水县2023年的常住人口是多少？")
    assert (
        unit_match(asked_of("常住人口是多少？"), "按年末常住人口计算，全年人均生产总值56388元。")
        == 0.0
    )


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
