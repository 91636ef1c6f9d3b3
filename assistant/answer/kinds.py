"""What kind of answer a question asks for (a date, a name, a figure) and in which unit,
and whether a text states it."""

from __future__ import annotations

import re

from assistant.answer.query import asked_quantities, content_words, quoted_terms
from assistant.answer.records import Asked
from assistant.answer.split import asks_several
from assistant.answer.tables import asks_extreme, row_label
from assistant.answer.text import MARKER, NUMBER
from assistant.identity import NATIONAL, asks_nation, named_subjects, place_names

# ---- what kind of answer a question asks for

# "哪几个/哪几项" asks which ones (a list), not how many
_ASKS_NUMBER = re.compile(
    r"多少|(?<!哪)几|多[大高长宽远深重久]|比例|面积|金额|规模|增长|排第"
    r"|how (?:many|much|large|big|long|far|high)|what (?:percentage|share|area|amount)",
    re.I,
)
_ASKS_DATE = re.compile(
    r"什么时候|何时|哪天|哪一天|哪年|哪一年|哪个月|几月|几号|日期|落款|\bwhen\b|what (?:date|year|month|day)",
    re.I,
)
_DATE = re.compile(
    r"(?:19|20)\d{2}\s*年|(?<![\d.])\d{1,2}\s*月|[〇零一二三四五六七八九]{4}\s*年|[一二三四五六七八九十]{1,2}月"
    r"|(?:19|20)\d{2}[-/.]\d{1,2}|[上中下]旬|年初|年底|年末"
)
# Which place, organisation or person: answered by a name, not by a figure.
ASKS_NAME = re.compile(
    r"哪(?:个|一个|家|位|座|些)?(?:区|县|市|省|城市|镇|乡|街道|单位|公司|机构|部门|企业|人|委员|交易所|银行)|在哪|哪里|谁|"
    r"\b(?:which|who|where)\b",
    re.I,
)
_NAME = re.compile(
    r"[\u4e00-\u9fff]{2,}(?:公司|集团|大学|学院|研究院|设计院|研究所|交易所|所|银行|委员会|政府|局|厅|办公室|办|中心|协会|街道|镇|乡|县|区|市|省)"
    r"|[“《「][^”》」]{2,30}[”》」]"
)
# Which enterprise or body: answered by an organisation's name, not a place's. "哪些医药
# 企业" is not answered by "柘城县…主导产业为医药制品加工业", which names only a county.
_ASKS_ORG = re.compile(
    r"哪(?:个|一个|家|些|几家|几个)?[\u4e00-\u9fff]{0,6}?(?:企业|公司|单位|机构|银行|工厂|厂家|院校|学校|医院)"
    r"|\bwhich (?:\w+ )?(?:compan(?:y|ies)|enterprises?|firms?|institutions?)\b",
    re.I,
)
_ORG = re.compile(
    r"[\u4e00-\u9fff]{2,}(?:公司|集团|股份|实业|工厂|厂(?![房区])|大学|学院|研究院|设计院|研究所|医院|银行|合作社|协会)"
)
_UNIT_FAMILIES = [
    ("元", "万元", "亿元", "千元"),
    ("人", "万人", "名"),
    ("%", "个百分点", "成"),
    ("亩", "万亩", "平方公里", "平方千米", "公顷", "平方米", "万平方米", "平米", "万平米"),
    ("公里", "千米", "米"),
    ("家", "户"),
    ("个", "项", "条", "所", "座", "批"),
    ("吨", "万吨", "千瓦", "万千瓦"),
]
# Every unit above, longest first so that "平方公里" is not read as "公里".
UNITS = sorted({u for f in _UNIT_FAMILIES for u in f} - {"成"}, key=len, reverse=True)
_ASKED_UNIT = re.compile(
    rf"(?:多少|(?<!哪)几)({'|'.join(map(re.escape, UNITS))}|倍|钱"
    r"|[棵株台套辆艘架部件只头张间栋幢处次场届份本册])"  # any other measure word is its own unit
)
# between a figure and its unit: "160余家", "6.5万余棵", "1300多条", "约5万元"
_QUALIFIER = r"(?:\s*(?:余|多|万|亿|千|百|来))*"


def asked_of(text: str) -> Asked:
    """What a (Chinese) question asks, parsed once: the stages read these fields."""
    return Asked(
        text=text,
        places=tuple(place_names(text) or ([NATIONAL] if asks_nation(text) else [])),
        subjects=named_subjects(text),
        kinds=frozenset(asked_types(text)),
        unit_families=tuple(asked_unit_families(text)),
        units=asked_units(text),
        figures=frozenset(NUMBER.findall(text) + _WORD_FIGURE.findall(text)),
        asks_figure=asks_number(text),
        several=asks_several(text),
        extreme=asks_extreme(text),
        literals=tuple(quoted_terms(text)),
        words=tuple(content_words(text)),
    )


def asks_number(question: str) -> bool:
    return bool(_ASKS_NUMBER.search(question))


def asked_types(question: str) -> set[str]:
    """The kinds of answer a question asks for: "date", "name" (a place or a body),
    "organisation" (an enterprise or body only), "number" (any of them)."""
    out = set()
    if _ASKS_DATE.search(question):
        out.add("date")
    if _ASKS_ORG.search(question):
        out.add("organisation")
    elif ASKS_NAME.search(question):
        out.add("name")
    if asks_number(question) and "date" not in out:
        out.add("number")
    return out


# a figure written in words: "居全市第二位", "五个部室", "两家企业"
_WORD_FIGURE = re.compile(
    r"第[一二三四五六七八九十百]+|[一二三四五六七八九十两百千]+(?:个|家|项|位|名|条|座|所|批|倍|成|大)"
)


def _figures_beyond(asked: Asked, text: str) -> bool:
    """The text states a figure that is not the question's own nor a bare year."""
    found = NUMBER.findall(text) + _WORD_FIGURE.findall(text)
    return any(n not in asked.figures and not re.fullmatch(r"(?:19|20)\d{2}", n) for n in found)


def type_match(asked: Asked, text: str) -> float:
    """Share of the answer kinds the question asks for (a date, a name, a figure) that the
    text states; 0.5 when it asks for none of them. Classic answer-type checking: a
    sentence without any date answers no "什么时候", whatever words it shares."""
    kinds = asked.kinds
    if not kinds:
        return 0.5
    found = 0
    if "date" in kinds and _DATE.search(text):
        found += 1
    named = bool(row_label(text))  # a table row's label names its item ("汝南街道｜…")
    if "name" in kinds and (_NAME.search(text) or named):
        found += 1
    if "organisation" in kinds and (_ORG.search(text) or named):
        found += 1
    if "number" in kinds and _figures_beyond(asked, text):
        found += 1
    return found / len(kinds)


def unit_family(unit: str) -> tuple[str, ...]:
    """The units that measure the same thing as `unit` ("万元" -> 元, 万元, 亿元, 千元)."""
    return next((f for f in _UNIT_FAMILIES if unit in f), (unit,))


# A rate asked for: "增长多少", "占比多少", "哪个增长更快".
_ASKS_RATE = re.compile(r"增长|增速|下降|比重|占比")


def _named_unit(question: str) -> tuple[str, ...]:
    """The family of the unit the question names ("多少亿元"), or ()."""
    if m := _ASKED_UNIT.search(question):
        return unit_family(m.group(1).replace("钱", "元"))  # "多少钱" asks an amount in 元
    return ()


def asked_units(question: str) -> tuple[str, ...]:
    """The unit family a question asks its figure in ("多少亿元" -> 元, 万元, …; "增长多少"
    and "哪个增长更快" -> %; "收入是多少" -> 元, by what is measured), or ()."""
    if named := _named_unit(question):
        return named
    if _ASKS_RATE.search(question):
        return unit_family("%")
    heads = [q[-1] for q in asked_quantities(question)]
    if heads and all(_IN_YUAN.search(h) for h in heads):
        return unit_family("元")  # "人均可支配收入是多少" asks an amount, not its growth
    if heads and all(re.search(r"(?:人口|人数|就业)$", h) for h in heads):
        return unit_family("人")  # "常住人口多少" is not "按常住人口计算的人均生产总值"
    return ()


def asked_unit_families(question: str) -> list[tuple[str, ...]]:
    """Every unit family a question asks a figure in, one per thing asked: "生产总值是多少，
    增长多少" asks an amount (元) and a rate (%); a sentence giving both answers it whole."""
    families: list[tuple[str, ...]] = []
    if named := _named_unit(question):
        families.append(named)
    if _ASKS_RATE.search(question):
        families.append(unit_family("%"))
    if any(_IN_YUAN.search(q[-1]) for q in asked_quantities(question)):
        families.append(unit_family("元"))
    return list(dict.fromkeys(families))


# Quantities counted in money whatever the question's wording.
_IN_YUAN = re.compile(
    r"(?:收入|产值|总值|投资|资金|金额|总额|余额|税收|利税|支出|存款|贷款|营收|利润)$"
)


def figure_in(units: tuple[str, ...]) -> re.Pattern[str]:
    """A figure stated in one of these units (qualifiers like 余/多/万 in between)."""
    pattern = "|".join(re.escape(u) for u in sorted(units, key=len, reverse=True))
    return re.compile(rf"(-?\d+(?:\.\d+)?){_QUALIFIER}\s*({pattern})")


def unit_match(asked: Asked, answer: str) -> float:
    """1 when the answer states a figure in the unit family the question asks for, 0 when
    it asks one and the answer has none ("多少元" answered with a growth rate), else 0.5."""
    units = asked.units
    if not units:
        return 0.5
    return 1.0 if figure_in(units).search(MARKER.sub("", answer)) else 0.0
