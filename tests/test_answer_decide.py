"""The decision and composition: the refusal model, part labels and refusals, the grader it is fitted against. No index, no model."""

from __future__ import annotations

import random

from assistant.answer import refusal


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


def test_a_refused_part_quotes_its_question_instead_of_running_into_the_refusal():
    from assistant.answer.compose import about

    assert about("临溪区新能源产业园投资多少钱？", "zh") == "关于「临溪区新能源产业园投资多少钱」："
    assert about("How much was invested? ", "en") == 'On "How much was invested": '


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
