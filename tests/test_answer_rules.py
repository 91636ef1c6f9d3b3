"""The off-target rules, each on hand-made sentences: no store, no model."""

from __future__ import annotations

import pytest

from assistant.answer.evidence import Evidence
from assistant.answer.rules import (
    RULES,
    OtherEntity,
    OtherLevel,
    OtherQuantity,
    OtherRow,
    OtherYear,
    Redacted,
    Target,
    active,
    off_target,
)
from assistant.answer.verify import check


def target(question: str, ground: str, heading: str = "", title: str = "") -> Target:
    e = Evidence(1, ground, ground, heading, 1.0, title)
    return Target(sentence=ground, ground=ground, evidence=e, question=question, named=question)


def test_a_masked_name_answers_no_which_question():
    assert Redacted().applies(target("该园区隶属于哪个区？", "该园区隶属于安阳市*区。"))
    assert not Redacted().applies(target("该园区有多少家企业？", "安阳市*区有企业12家。"))


def test_a_figure_of_another_quantity_is_no_answer():
    q = "渑水县2023年生产总值是多少？"
    assert OtherQuantity().applies(target(q, "全县共有规模以上工业企业120家。", "一、工业"))
    assert not OtherQuantity().applies(target(q, "全年全县生产总值286.47亿元。", "一、综合"))


def test_a_sentence_under_another_park_is_no_answer():
    q = "智能终端产业园去年实现多少产值？"
    assert OtherEntity().applies(target(q, "实现年产值80亿元。", "三、汽车装备制造产业园"))
    assert not OtherEntity().applies(target(q, "实现年产值80亿元。", "二、智能终端产业园"))


def test_another_level_is_no_answer():
    q = "国家绿色工厂奖励多少？"
    other = "对列入省级智能制造示范工厂的企业，一次性奖励100万元。"
    assert OtherLevel().applies(target(q, other))
    assert not OtherLevel().applies(target(q, "对国家级绿色工厂一次性奖励50万元。"))


def test_a_row_the_question_does_not_name_is_no_answer():
    q = "国家绿色工厂奖励多少？"
    assert OtherRow().applies(target(q, "高新技术企业（首次认定）｜奖励金额：15万元"))
    assert not OtherRow().applies(target(q, "国家绿色工厂｜奖励金额：50万元"))


def test_another_year_is_no_answer_unless_heading_or_title_names_the_asked_one():
    q = "2023年生产总值是多少？"
    rule = OtherYear()
    assert rule.applies(target(q, "2022年生产总值280亿元。"))
    assert not rule.applies(target(q, "2022年生产总值280亿元。", "2023年回顾"))
    # no year of its own: its section's year decides, then its document's
    assert rule.applies(target(q, "生产总值增长7%。", "二、2024年主要目标"))
    assert rule.applies(target(q, "全年生产总值300亿元。", "", "2024年统计公报"))
    assert not rule.applies(target(q, "全年生产总值300亿元。", "", "2023年统计公报"))
    assert not rule.applies(target("生产总值是多少？", "2022年生产总值280亿元。"))


def test_rules_apply_in_order_and_are_switched_off_by_name():
    q = "2023年该园区隶属于哪个区？"
    both = target(q, "2022年隶属于安阳市*区。")
    assert off_target(both) == "removed_redacted"  # the first that applies names it
    assert off_target(both, active(["removed_redacted"])) == "removed_other_year"
    assert off_target(both, active(["removed_redacted", "removed_other_year"])) == ""
    assert [r.name for r in RULES] == [
        "removed_redacted",
        "removed_other_quantity",
        "removed_other_entity",
        "removed_other_level",
        "removed_other_row",
        "removed_other_year",
    ]
    with pytest.raises(ValueError, match="removed_other_year"):
        active(["removed_other_yaer"])


def test_check_keeps_a_sentence_a_switched_off_rule_would_remove():
    ev = [Evidence(1, "2022年生产总值280亿元。", "2022年生产总值280亿元。")]
    q = "2023年生产总值是多少？"
    assert not check("2022年生产总值280亿元。[1]", ev, q).sentences
    kept = check("2022年生产总值280亿元。[1]", ev, q, rules=active(["removed_other_year"]))
    assert kept.sentences and not kept.off_target


def test_an_unknown_rule_name_in_the_config_is_a_config_error(tmp_path):
    from assistant.answer import Answerer
    from assistant.config import ConfigError, load_settings

    settings = load_settings(data_dir=tmp_path, answer={"rules_off": ["no_such_rule"]})
    with pytest.raises(ConfigError, match="rules_off"):
        Answerer(settings, None, None)  # type: ignore[arg-type]  # fails before the index
