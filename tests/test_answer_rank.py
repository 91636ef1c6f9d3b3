"""The candidate ranker: its features on hand-made evidence, fitting, the model file."""

from __future__ import annotations

import json

import pytest

from assistant.answer import ranker
from assistant.answer.evidence import Evidence
from assistant.answer.kinds import asked_of
from assistant.answer.tables import readable


def _candidates(question: str, text: str, terms: dict[str, float], heading: str = ""):
    ev = [Evidence(1, text, readable(text, heading), heading, 1.0)]
    return {
        c.sentence: c.features for c in ranker.candidates(question, ev, terms, asked_of(question))
    }


def test_features_say_what_a_sentence_is():
    q = "2023年全县规模以上工业增加值增长多少？"
    terms = {"规模以上工业增加值": 3.0, "增长": 1.0}
    found = _candidates(
        q,
        "工业经济\n2023年全县规模以上工业增加值增长6.2%。按下表给予奖励：\n工业强县建设成效显著\n",
        terms,
    )
    stating = found["2023年全县规模以上工业增加值增长6.2%。"]
    assert stating["coverage"] == 1.0 and stating["year"] == 1.0 and stating["figure"] == 1.0
    assert stating["unit"] == 1.0 and stating["caption"] == 0.0
    assert found["按下表给予奖励："]["colon_end"] == 1.0
    assert found["工业强县建设成效显著"]["caption"] == 1.0
    assert set(stating) == set(ranker.FEATURES)


def _rows(n: int, split: str) -> list[dict]:
    """Questions whose answering candidate is the one with a figure and more coverage."""
    base = dict.fromkeys(ranker.FEATURES, 0.0)
    rows = []
    for i in range(n):
        good = {**base, "coverage": 0.6 + 0.01 * (i % 5), "figure": 1.0}
        bad = [{**base, "coverage": 0.5 + 0.02 * j, "caption": 1.0} for j in range(4)]
        rows.append({"id": f"{split}{i}", "split": split, "labels": [0, 1, 0, 0, 0],
                     "features": [bad[0], good, *bad[1:]]})  # fmt: skip
    return rows


def test_a_fitted_ranker_puts_the_answering_candidate_first_and_is_saved_whole(tmp_path):
    from assistant import fitting

    rows = _rows(40, "train") + _rows(10, "dev")
    model = fitting.fit_ranker(rows)
    assert model.info["top1"]["train"] == 1.0 and model.info["top1"]["dev"] == 1.0
    assert model.info["strength"] in fitting.PRIOR_STRENGTHS and model.info["questions"] == 40
    # a strong pull keeps the hand-set prior; a weak one lets the data move the weights
    held = fitting.fit_ranker(rows, strength=1e7).weights
    assert all(abs(held[k] - ranker.PRIOR.get(k, 0.0)) < 0.01 for k in ranker.FEATURES)
    free = fitting.fit_ranker(rows, strength=0.01).weights
    moved = sum(abs(free[k] - ranker.PRIOR.get(k, 0.0)) for k in ranker.FEATURES)
    assert moved > 0.1
    # a change of the fitting questions is a change of the file's data hash
    assert fitting.fit_ranker(_rows(39, "train")).info["data_sha256"] != model.info["data_sha256"]
    path = tmp_path / "ranker.json"
    model.save(path)
    again = ranker.load(path)
    assert again == model


def test_a_model_file_for_other_features_says_to_refit(tmp_path):
    path = tmp_path / "old.json"
    path.write_text(
        json.dumps(
            {
                "version": ranker.VERSION,
                "features": ["gone"],
                "weights": {"gone": 1.0},
                "bias": 0.0,
                "floor": 0.1,
            }
        )  # fmt: skip
    )
    with pytest.raises(ValueError, match="--fit-ranker"):
        ranker.load(path)


def test_the_shipped_ranker_covers_every_feature_and_says_why_it_is_shipped():
    model = ranker.default_ranker()
    assert set(model.weights) == set(ranker.FEATURES)
    assert model.info["shipped"] and model.info["fitted_candidate"]["data_sha256"]
