"""The averaging lesson's macro, weighted and micro scores are scikit-learn's, on real probes."""

from __future__ import annotations

from helpers.lesson_page import lesson_fixture, shown_metrics
from sklearn.metrics import accuracy_score, f1_score

from engine.lab.checkpoint import load_pretrained
from engine.lab.data import TaskKind
from engine.lab.shipped_runs import probe_predictions

at = lesson_fixture("averaging.py", timeout=120)


def expected_tiles(task: TaskKind) -> dict[str, str]:
    run = probe_predictions(load_pretrained().model, task)
    y, p = run.labels, run.predicted
    tiles = {
        f"{how.capitalize()} F1": f"{f1_score(y, p, average=how, zero_division=0):.3f}"
        for how in ("macro", "weighted", "micro")
    }
    return tiles | {"Accuracy": f"{accuracy_score(y, p):.3f}"}


def test_digits_averages_are_scikit_learns_and_micro_f1_equals_accuracy(at):
    assert at.title[0].value == "Averaging per-class scores"
    tiles = expected_tiles(TaskKind.DIGITS)
    assert shown_metrics(at) == tiles
    assert tiles["Micro F1"] == tiles["Accuracy"]
    table = at.dataframe[0].value
    assert list(table["class"][:10]) == [str(d) for d in range(10)]


def test_on_the_rare_task_the_page_warns_that_macro_averages_in_the_easy_class(at):
    at.radio(key="avg_task").set_value("Is it an 8? (rare positive class)").run()
    assert not at.exception
    assert shown_metrics(at) == expected_tiles(TaskKind.RARE_EIGHT)
    run = probe_predictions(load_pretrained().model, TaskKind.RARE_EIGHT)
    eight_f1 = f1_score(run.labels, run.predicted, average="binary")
    assert f"has F1 {eight_f1:.3f}" in at.warning[0].value
