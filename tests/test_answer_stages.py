"""Each stage of the answer pipeline on hand-made records: a fake retriever and index
(tests/fakes.py) and the scripted LLM, no seeded store."""

from __future__ import annotations

import pytest
from fakes import FakeIndex, FakeRetriever, passage

from assistant.answer import Answerer, refusal
from assistant.answer.bind import Binder
from assistant.answer.compose import Composer
from assistant.answer.evidence import Checked, Evidence
from assistant.answer.extractive import ExtractiveReader
from assistant.answer.flags import Flag
from assistant.answer.kinds import asked_of
from assistant.answer.part import PartReader
from assistant.answer.plan import Planner
from assistant.answer.prepare import Preparer
from assistant.answer.reading import LLMReader
from assistant.answer.records import Ask, Part, Plan, Question, Retrieved
from conftest import ScriptedLLM, make_settings, model_reads

MIANSHUI = "渑水县2023年国民经济和社会发展统计公报"
CHENGYUAN = "澄源县2023年国民经济和社会发展统计公报"
PASSAGES = [
    passage(
        "m1",
        "mianshui.txt",
        "初步核算，全年全县生产总值286.47亿元，比上年增长6.2%。",
        "一、综合",
        MIANSHUI,
    ),
    passage("m2", "mianshui.txt", "全年全县粮食总产量31.2万吨。", "二、农业", MIANSHUI),
    passage(
        "c1",
        "chengyuan.txt",
        "初步核算，全年全县生产总值312.08亿元，比上年增长5.1%。",
        "一、综合",
        CHENGYUAN,
    ),
    passage("c2", "chengyuan.txt", "全年接待游客1200万人次。", "三、旅游", CHENGYUAN),
]


@pytest.fixture
def settings(tmp_path):
    return make_settings(tmp_path)


@pytest.fixture
def index():
    return FakeIndex(list(PASSAGES))


def part_reader(settings, index, reader):
    binder = Binder(index, settings.answer.max_passages)
    preparer = Preparer(settings, index, reader)
    kind = refusal.load(reader.kind)
    quotes = refusal.load("extractive")
    return PartReader(reader, ExtractiveReader(settings), binder, preparer.terms, kind, quotes)


def test_binding_keeps_the_asked_countys_passages_numbered(index):
    kept, evidence = Binder(index, 3).evidence(["渑水"], index.passages)
    assert [p.chunk_id for p in kept] == ["m1", "m2"]  # 澄源's "全县" is another county's
    assert [e.n for e in evidence] == [1, 2] and all(e.bound == 1.0 for e in evidence)
    assert evidence[0].places == ("渑水",)
    copy = passage("m9", "copy.txt", PASSAGES[0].text, "一、综合", MIANSHUI)
    kept, _ = Binder(index, 3).evidence([], [PASSAGES[0], copy])
    assert [p.chunk_id for p in kept] == ["m1"]  # a near-copy adds nothing


def test_the_question_is_prepared_once_for_the_reader_it_has(settings, index):
    found = Retrieved(
        lang="en",
        standalone="What was Mianshui's GDP?",
        dense_query="q",
        keyword_query="渑水 生产总值",
        passages=PASSAGES[:1],
        flags=[],
        ms=1.0,
        translation="渑水县的地区生产总值是多少？",
        places=["渑水"],
    )
    read_by_model = LLMReader(settings, ScriptedLLM())
    q = Preparer(settings, index, read_by_model).question(found.standalone, found, None)
    assert (q.read_lang, q.answer_lang, q.read) == ("zh", "en", found.translation)
    assert q.asker == found.standalone and "渑水" in q.places and q.splittable
    # the extractive reader cannot translate: it reads the question in its own language
    q = Preparer(settings, index, ExtractiveReader(settings)).question(
        found.standalone, found, None
    )
    assert (q.read_lang, q.read, q.asker) == ("en", found.standalone, "")


def test_a_follow_up_is_rewritten_by_the_readers_model_and_searched(settings, index):
    retriever = FakeRetriever()
    llm = ScriptedLLM("澄源县2023年生产总值是多少？")
    prep = Preparer(settings, index, LLMReader(settings, llm), retriever)
    history = [
        {"role": "user", "content": "渑水县2023年生产总值是多少？"},
        {"role": "assistant", "content": "286.47亿元。[1]"},
    ]
    found = prep.retrieve("那澄源县呢？", history)
    assert found.standalone == "澄源县2023年生产总值是多少？"
    assert Flag.CONDENSED_BY_LLM in found.flags and not found.concatenated
    assert retriever.queries == [found.standalone] and found.passages[0].chunk_id == "c1"
    # without a model the last question is carried (and such a question is never split)
    prep = Preparer(settings, index, ExtractiveReader(settings), retriever)
    carried = prep.retrieve("那澄源县呢？", history)
    assert carried.standalone == "渑水县2023年生产总值是多少？ 那澄源县呢？"
    assert carried.concatenated and Flag.CONDENSED_BY_CONCAT in carried.flags
    q = prep.question("那澄源县呢？", carried, None)
    assert not q.splittable


def test_a_question_of_two_places_is_planned_as_two_labelled_parts(settings, index):
    retriever = FakeRetriever()
    ext = ExtractiveReader(settings)
    planner = Planner(index, Binder(index, 3), ext, Preparer(settings, index, ext).terms, retriever)
    text = "渑水县和澄源县2023年生产总值分别是多少？"
    q = Question(
        text=text,
        lang="zh",
        answer_lang="zh",
        standalone=text,
        zh=text,
        read_lang="zh",
        read=text,
        asker="",
        places=("渑水", "澄源"),
        splittable=True,
        asked=asked_of(text),
    )
    plan = planner.plan(q, index.passages, 5)
    assert plan.split and [a.label for a in plan.asks] == ["渑水县", "澄源县"]
    assert [a.zh for a in plan.asks] == retriever.queries  # each part searched on its own
    # each part is parsed once, for its own place
    assert [a.places for a in plan.asks] == [("渑水",), ("澄源",)]
    assert [a.asked.text for a in plan.asks] == [a.zh for a in plan.asks]
    assert all(a.asked.kinds == {"number"} and not a.whole for a in plan.asks)
    whole = planner.plan(Question(**{**q.__dict__, "splittable": False}), index.passages, 5)
    assert len(whole.asks) == 1 and whole.asks[0].whole and whole.asks[0].stream


def ask(text: str, passages, places=("渑水",), lang="zh") -> Ask:
    return Ask(
        read=text, zh=text, lang=lang, passages=list(passages), asked=asked_of(text), places=places
    )


def test_a_part_is_read_verified_and_decided_by_the_extractive_reader(settings, index):
    parts = part_reader(settings, index, ExtractiveReader(settings))
    got = parts.read(ask("渑水县2023年生产总值是多少？", index.passages), None)
    assert not got.refused and "286.47亿元" in got.checked.text()
    assert [p.chunk_id for p in got.passages][:1] == ["m1"] and got.features["binding"] == 1.0
    assert not got.quoted and Flag.LLM_REFUSED not in got.flags
    none = parts.read(ask("鹿鸣县2023年生产总值是多少？", index.passages, ("鹿鸣",)), None)
    assert none.refused and none.flags == [Flag.NO_BOUND_PASSAGE]


def test_a_models_refusal_is_forced_on_the_quotes_passage_and_verified(settings, index):
    llm = ScriptedLLM("资料中未找到相关信息。", "全年全县生产总值286.47亿元。[1]")
    parts = part_reader(model_reads(settings), index, LLMReader(model_reads(settings), llm))
    got = parts.read(ask("渑水县2023年生产总值是多少？", index.passages), None)
    assert {Flag.LLM_REFUSED, Flag.FORCED_ANSWER, Flag.LLM_REFUSAL_OVERRIDDEN} <= set(got.flags)
    assert got.features["forced"] == 1.0 and got.features["llm_refused"] == 1.0
    assert "286.47" in got.checked.text() and len(llm.prompts) == 2
    assert "force_ms" in got.stages and "read_ms" in got.stages


def test_a_model_draft_with_an_invented_figure_falls_back_to_the_quote(settings, index):
    llm = ScriptedLLM("全年全县生产总值999亿元。[1]", "资料中未找到相关信息。")
    parts = part_reader(model_reads(settings), index, LLMReader(model_reads(settings), llm))
    got = parts.read(ask("渑水县2023年生产总值是多少？", index.passages), None)
    assert Flag.LLM_UNSUPPORTED in got.flags and Flag.LLM_EMPTY_REPLACED in got.flags
    assert "999" not in got.checked.text() and "286.47" in got.checked.text()


def made_part(label: str, sentence: str, p, refused: bool = False) -> Part:
    from assistant.answer.bind import reading_text
    from assistant.answer.evidence import Evidence

    ev = Evidence(1, p.text, reading_text(p), p.heading, 1.0, p.title)
    checked = Checked([(sentence, [1])], grounds=[(1, p.text)])
    return Part(
        question=f"{label}2023年生产总值增长多少？",
        passages=[p],
        evidence=[ev],
        checked=checked,
        refused=refused,
        p=0.9,
        label=label,
    )


def composed(
    settings, parts: list[Part], text: str = "渑水县2023年生产总值是多少？", places=("渑水",)
):
    """The parts composed as the answer to `text` (split when there are several)."""
    q = Question(
        text=text,
        lang="zh",
        answer_lang="zh",
        standalone=text,
        zh=text,
        read_lang="zh",
        read=text,
        asker="",
        places=places,
        splittable=True,
        asked=asked_of(text),
    )
    found = Retrieved(
        lang="zh",
        standalone=text,
        dense_query=text,
        keyword_query=text,
        passages=[],
        flags=[],
        ms=0,
    )
    plan = Plan(asks=[], subs=[p.question for p in parts], split=len(parts) > 1)
    return Composer(settings, "extractive", "extractive").compose(q, found, plan, parts)


def test_parts_are_composed_under_their_labels_with_a_verdict(settings):
    text = "渑水县和澄源县2023年生产总值哪个增长更快？"
    parts = [
        made_part("渑水县", "比上年增长6.2%。", PASSAGES[0]),
        made_part("澄源县", "比上年增长5.1%。", PASSAGES[2]),
    ]
    answer = composed(settings, parts, text, ("渑水", "澄源"))
    lines = answer.answer.split("\n")
    assert lines[:2] == ["渑水县：比上年增长6.2%。[1]", "澄源县：比上年增长5.1%。[2]"]
    assert lines[2].startswith("渑水更快") and "[1][2]" in lines[2]
    assert [c.chunk_id for c in answer.citations] == ["m1", "c1"] and not answer.refused
    assert Flag.SPLIT in answer.flags and answer.parts == [p.question for p in parts]
    parts[1] = made_part("澄源县", "比上年增长5.1%。", PASSAGES[2], refused=True)
    answer = composed(settings, parts, text, ("渑水", "澄源"))
    assert answer.answer.split("\n")[1] == "澄源县：资料中未找到相关信息。"
    assert [c.chunk_id for c in answer.citations] == ["m1"]


def test_the_whole_pipeline_runs_on_a_fake_retriever(settings, index):
    answerer = Answerer(settings, index, None, FakeRetriever())  # type: ignore[arg-type]
    got = answerer.ask("渑水县2023年的生产总值是多少？比上年增长多少？")
    assert "286.47亿元" in got.answer and "6.2%" in got.answer and not got.refused
    assert [c.chunk_id for c in got.citations] == ["m1"]
    assert all(isinstance(f, Flag) for f in got.flags)
    assert {"retrieval_ms", "decide_ms"} <= set(got.stages) and got.produced_by == "reading"
    refused = answerer.ask("渑水县2023年有多少家医院？")
    assert refused.refused and not refused.citations


def read_part(sentences: list[tuple[str, list[int]]], passages, label: str = "") -> Part:
    from assistant.answer.bind import reading_text
    from assistant.answer.evidence import Evidence

    evidence = [
        Evidence(i + 1, p.text, reading_text(p), p.heading, 1.0, p.title)
        for i, p in enumerate(passages)
    ]
    return Part(
        question="渑水县2023年生产总值是多少？",
        passages=list(passages),
        evidence=evidence,
        checked=Checked(list(sentences)),
        refused=False,
        p=0.9,
        label=label,
    )


def test_no_sentence_is_said_twice_in_one_answer(settings):
    gdp, grain = PASSAGES[0].text, PASSAGES[1].text
    # a list repeating a row, a sentence again without its closing mark or with spaces
    part = read_part([(gdp, [1]), (grain, [2]), (gdp.rstrip("。"), [1])], PASSAGES[:2])
    assert composed(settings, [part]).answer == f"{gdp}[1]{grain}[2]"
    # one sentence answering two parts is shown under the first
    first = read_part([(gdp, [1])], PASSAGES[:1], "生产总值")
    second = read_part([(" ".join(gdp), [1]), (grain, [2])], PASSAGES[:2], "粮食")
    answer = composed(settings, [first, second])
    assert answer.answer.split("\n") == [f"生产总值：{gdp}[1]", f"粮食：{grain}[2]"]


def test_citations_are_numbered_in_the_order_the_answer_cites_them(settings):
    gdp, grain = PASSAGES[0].text, PASSAGES[1].text
    tourists = PASSAGES[3]
    # the reader quoted its second passage first; its third passage is not cited
    part = read_part([(grain, [2]), (gdp, [1])], [PASSAGES[0], PASSAGES[1], tourists])
    answer = composed(settings, [part])
    assert answer.answer == f"{grain}[1]{gdp}[2]"
    assert [(c.n, c.chunk_id) for c in answer.citations] == [(1, "m2"), (2, "m1")]
    assert [p.chunk_id for p in answer.passages] == ["m2", "m1", "c2"]  # the source panel
    assert all(answer.passages[c.n - 1].chunk_id == c.chunk_id for c in answer.citations)
    assert answer.candidate == f"{grain}[1]{gdp}[2]"
    # across parts too: the second part's first passage is cited before its others
    first = read_part([(grain, [2])], PASSAGES[:2], "粮食")
    second = read_part([(tourists.text, [1])], [tourists], "游客")
    answer = composed(settings, [first, second])
    assert answer.answer.split("\n") == [f"粮食：{grain}[1]", f"游客：{tourists.text}[2]"]
    assert [c.chunk_id for c in answer.citations] == ["m2", "c2"]
    assert [p.chunk_id for p in answer.passages] == ["m2", "c2", "m1"]
    # a translation that left a line out took its citation along: the rest close up
    from dataclasses import replace

    from assistant.answer.compose import in_order

    three = composed(settings, [read_part([(gdp, [1]), (grain, [2])], PASSAGES[:2])])
    left = replace(three, answer="GDP.[2]", citations=three.citations[1:])
    again = in_order(left)
    assert again.answer == "GDP.[1]" and [c.n for c in again.citations] == [1]
    assert again.passages[0].chunk_id == "m2" and in_order(again) is again


def test_a_refused_part_another_parts_sentence_answers_takes_it():
    """ "…增长了多少？增速排第几？": the second part's sentence states the first part's
    growth too; the first part, refused on its own reading, takes it (checked against its
    own question and passages), so the answer is that sentence, not "not found" beside it."""
    from assistant.answer.cover import covered
    from assistant.answer.verify import check

    text = "地区生产总值增长5.8%，增速居全国第2位。"
    p = passage("g1", "gansu.txt", text, "一、过去一年", "2026年甘肃省政府工作报告")
    e = Evidence(1, text, text, p.heading, 1.0, p.title)
    asks = [
        Ask(read=q, zh=q, lang="zh", passages=[p], asked=asked_of(q), places=())
        for q in ("甘肃2025年地区生产总值增长了多少？", "甘肃增速在全国排第几？")
    ]
    refused = Part(question=asks[0].read, passages=[p], evidence=[e], refused=True)
    answered = Part(
        question=asks[1].read,
        passages=[p],
        evidence=[e],
        checked=Checked([(text, [1])], grounds=[(1, text)]),
        refused=False,
    )
    rules = lambda t, ev, asker, zh: check(t, ev, asker, zh)  # noqa: E731
    first, second = covered(asks, [refused, answered], rules)
    assert not first.refused and Flag.ANSWERED_BY_OTHER_PART in first.flags
    assert "5.8%" in first.checked.text() and second is answered
    # a sentence that does not state what the refused part asks is not taken
    other = Part(
        question=asks[1].read,
        passages=[p],
        evidence=[e],
        checked=Checked([("增速居全国第2位。", [1])], grounds=[(1, "增速居全国第2位。")]),
        refused=False,
    )
    asks[0] = Ask(
        read="甘肃2025年粮食产量是多少？",
        zh="甘肃2025年粮食产量是多少？",
        lang="zh",
        passages=[p],
        asked=asked_of("甘肃2025年粮食产量是多少？"),
        places=(),
    )
    assert covered(asks, [refused, other], rules)[0].refused
