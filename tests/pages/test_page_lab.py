"""The freezing lab page in AppTest: live table and code, a tiny run, results and comparison."""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from helpers.lab_page import press, tiny_lab
from sklearn.metrics import average_precision_score, recall_score
from streamlit.testing.v1 import AppTest

from engine.lab import checkpoint

PAGE = str(Path(__file__).resolve().parents[2] / "lessons" / "lab.py")


def test_page_shows_the_parameter_table_and_generated_code_for_the_preset():
    at = tiny_lab()
    assert at.title[0].value == "Freezing lab"
    assert at.metric[0].value == "1,290"  # linear probe: 128 × 10 weights + 10 biases
    assert any("model.fc = nn.Linear(model.fc.in_features, 10)" in c.value for c in at.code)
    at.selectbox(key="lab_preset").set_value("partial").run()
    assert at.metric[0].value == "231,434"


def test_write_this_plan_yourself_lists_the_checks_of_the_plan_on_screen():
    at = tiny_lab()
    at.selectbox(key="lab_preset").set_value("partial").run()
    [expander] = [e for e in at.expander if e.label == "Write this plan yourself"]
    checks = [m.value for m in expander.markdown if m.value.startswith("- ")]
    assert checks[0] == "- Exactly the plan's blocks are trainable (layer4, fc)"
    assert checks[-1] == (
        "- Frozen blocks stay put during a training step (BatchNorm statistics too)"
    )
    at.selectbox(key="lab_preset").set_value("full").run()
    [expander] = [e for e in at.expander if e.label == "Write this plan yourself"]
    checks = [m.value for m in expander.markdown if m.value.startswith("- ")]
    assert len(checks) == 2 and "conv1, bn1, layer1" in checks[0]


@pytest.mark.slow
def test_training_a_tiny_run_shows_results_and_the_comparison_table():
    at = tiny_lab()
    press(at, "lab_train")
    runs = at.session_state["lab_runs"]
    assert len(runs) == 1 and len(runs[0].result.history) == 2
    labels = [m.label for m in at.metric]
    assert "Validation accuracy" in labels and "Test accuracy" not in labels
    assert any("original head" in label for label in labels)
    assert any(s.value.startswith("Results of run #1") for s in at.subheader)
    at.selectbox(key="lab_preset").set_value("partial").run()
    press(at, "lab_train")
    assert len(at.session_state["lab_runs"]) == 2
    comparison = comparison_table(at)
    assert list(comparison["run"]) == [
        "#1 Linear probe (new head only)",
        "#2 Partial (layer4 + head)",
    ]


def comparison_table(at: AppTest):
    return next(d.value for d in at.dataframe if "weights from" in d.value.columns)


@pytest.mark.slow
def test_runs_are_compared_on_validation_and_each_test_peek_is_counted():
    at = tiny_lab()
    press(at, "lab_train")
    press(at, "lab_train")
    first, second = at.session_state["lab_runs"]
    table = comparison_table(at)
    assert list(table["validation accuracy"]) == [
        round(first.result.val_accuracy, 3),
        round(second.result.val_accuracy, 3),
    ]
    assert table["test accuracy"].isna().all()
    assert not at.info or "test score" not in at.info[-1].value
    press(at, "lab_reveal_#2")
    table = comparison_table(at)
    assert table["test accuracy"].isna().tolist() == [True, False]
    assert table["test accuracy"][1] == round(second.result.test_accuracy, 3)
    assert "looked at **1** test score." in at.info[-1].value
    press(at, "lab_reveal_#1")
    assert "looked at **2** test scores" in at.info[-1].value
    assert not [b for b in at.button if b.key and b.key.startswith("lab_reveal_")]


@pytest.mark.slow
def test_early_stopping_is_on_by_default_and_results_name_the_weights_they_come_from():
    at = tiny_lab()
    press(at, "lab_train")
    run = at.session_state["lab_runs"][0]
    assert run.config.patience == 3 and run.result.restored_best
    caption = " ".join(c.value for c in at.caption)
    assert f"weights of **epoch {run.result.best_epoch} (best, restored)**" in caption
    at.checkbox(key="lab_early_stop").uncheck().run()
    press(at, "lab_train")
    run = at.session_state["lab_runs"][1]
    assert run.config.patience is None
    assert "weights of **epoch 2 (last)**" in " ".join(c.value for c in at.caption)


def test_a_plan_that_trains_nothing_disables_train_and_says_why():
    at = tiny_lab()
    at.selectbox(key="lab_preset").set_value("custom").run()
    for block in ("layer3", "layer4", "head"):
        at.checkbox(key=f"lab_b_{block}").uncheck()
    at.run()
    assert not at.exception
    assert at.button(key="lab_train").disabled
    assert any("Nothing is trainable" in w.value for w in at.warning)


def test_a_missing_checkpoint_is_reported_on_the_page(monkeypatch):
    def missing():
        raise checkpoint.CheckpointError("Pretrained checkpoint file /x/y.pt is missing")

    monkeypatch.setattr(checkpoint, "load_pretrained", missing)
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception
    assert "y.pt is missing" in at.error[0].value


@pytest.mark.slow
def test_a_session_keeps_its_last_twelve_runs_as_numbers_without_the_networks():
    at = tiny_lab()
    press(at, "lab_train")
    first = at.session_state["lab_runs"][0]
    assert first.result.model is None  # the page needs the figures, not the weights
    at.session_state["lab_runs"] = [replace(first, label=f"#{n} earlier") for n in range(1, 13)]
    at.session_state["lab_run_number"] = 12
    press(at, "lab_train")
    runs = at.session_state["lab_runs"]
    assert len(runs) == 12
    assert runs[0].label == "#2 earlier"  # the oldest went first
    assert runs[-1].label == "#13 Linear probe (new head only)"


@pytest.mark.slow
def test_the_rare_task_offers_remedies_and_judges_them_by_recall_and_average_precision():
    at = tiny_lab()
    at.radio(key="lab_task").set_value("rare_eight").run()
    at.radio(key="lab_imbalance").set_value("class_weights")
    at.number_input(key="lab_warmup").set_value(1).run()
    press(at, "lab_train")
    run = at.session_state["lab_runs"][0]
    assert run.config.imbalance == "class_weights" and run.config.warmup_epochs == 1
    scores = run.result.val_probabilities[:, 1]
    recall = recall_score(run.result.val_labels, scores >= 0.5)
    ap = average_precision_score(run.result.val_labels, scores)
    shown = {m.label: m.value for m in at.metric}
    assert shown["Validation recall of the eights"] == f"{recall:.3f}"
    assert shown["Validation average precision (eights)"] == f"{ap:.3f}"


@pytest.mark.slow
def test_the_seed_spread_trains_the_probe_once_per_seed_and_summarises_it():
    at = tiny_lab()
    press(at, "lab_seeds")
    spread = at.session_state["lab_spread"]
    assert len(spread.val_accuracies) == 5
    text = " ".join(m.value for m in at.markdown)
    assert f"standard deviation **{np.std(spread.val_accuracies, ddof=1):.3f}**" in text
    assert not at.session_state["lab_runs"]  # the spread is not a run to compare


def test_lp_ft_is_a_preset_and_its_code_thaws_the_backbone_after_the_probe_epochs():
    at = tiny_lab()
    at.selectbox(key="lab_preset").set_value("lp_ft")
    at.slider(key="lab_epochs").set_value(6).run()
    assert not at.exception
    code = next(c.value for c in at.code if "unfreeze_at" in c.value)
    assert "unfreeze_at = {4: ['conv1', 'bn1', 'layer1', 'layer2', 'layer3', 'layer4']}" in (
        code.replace('"', "'")
    )
