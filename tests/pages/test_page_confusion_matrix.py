"""The confusion-matrix lesson recomputes every number from the learner's counts."""

from __future__ import annotations

from helpers.lesson_page import lesson_fixture, shown_metrics

from engine.metrics.classification import Metric, confusion_counts, formula_text

at = lesson_fixture("confusion_matrix.py")


def test_page_opens_with_the_seed_counts_and_their_metrics(at):
    assert at.title[0].value == "Confusion matrix"
    assert [at.number_input(key=k).value for k in ("cm_tp", "cm_fp", "cm_tn", "cm_fn")] == [
        85,
        15,
        90,
        10,
    ]
    assert shown_metrics(at) == {
        "Accuracy": "0.875",
        "Precision": "0.850",
        "Recall": "0.895",
        "F1": "0.872",
    }
    markdown = [m.value for m in at.markdown]
    assert "`Precision = TP / (TP + FP) = 85 / (85 + 15) = 0.850`" in markdown


def test_changing_the_counts_recomputes_metrics_and_formulas_to_match_the_engine(at):
    at.number_input(key="cm_tp").set_value(40).run()
    at.number_input(key="cm_fn").set_value(60).run()
    assert not at.exception
    expected = confusion_counts(tp=40, fp=15, tn=90, fn=60)
    assert shown_metrics(at) == {m.value: f"{expected.value(m):.3f}" for m in Metric}
    markdown = [m.value for m in at.markdown]
    for text in formula_text(expected).values():
        assert f"`{text}`" in markdown
    assert at.code[0].value == "[[90 15]\n [60 40]]"


def test_no_positive_predictions_explains_the_undefined_precision(at):
    at.number_input(key="cm_tp").set_value(0).run()
    at.number_input(key="cm_fp").set_value(0).run()
    assert not at.exception
    assert shown_metrics(at)["Precision"] == "0.000"
    assert any("Precision divides 0 by 0" in info.value for info in at.info)


def test_all_zero_counts_warn_instead_of_crashing(at):
    for key in ("cm_tp", "cm_fp", "cm_tn", "cm_fn"):
        at.number_input(key=key).set_value(0).run()
    assert not at.exception
    assert "enter at least one prediction" in at.warning[0].value
    assert len(at.metric) == 0


def test_table_view_shows_sklearn_layout_and_agreeing_oracle(at):
    matrix, comparison = (frame.value for frame in at.dataframe)
    assert matrix.to_numpy().tolist() == [[90, 15], [10, 85]]
    assert list(matrix.index) == ["true negative (0)", "true positive (1)"]
    assert (comparison["from the formula"] == comparison["from scikit-learn"]).all()
