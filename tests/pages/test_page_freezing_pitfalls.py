"""The freezing-pitfalls page runs each mistake for real and shows what PyTorch did."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

PAGE = "../../lessons/freezing_pitfalls.py"


def page() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120).run()
    assert not at.exception
    assert at.title[0].value == "Freezing pitfalls"
    return at


def test_nothing_trainable_shows_the_real_errors_of_backward_and_the_optimizer():
    at = page()
    at.button(key="pit_nothing").click().run()
    assert not at.exception
    shown = [c.value for c in at.code]
    assert any("does not require grad" in text for text in shown)
    assert "optimizer got an empty parameter list" in shown


def test_the_stale_optimizer_demo_plots_a_flat_and_a_falling_loss():
    at = page()
    at.button(key="pit_stale").click().run()
    assert not at.exception
    assert any("is **not** among the stale optimizer" in m.value for m in at.markdown)
    frame = at.dataframe[0].value
    stale = frame[frame["optimizer"].str.startswith("built before")]["loss"]
    fixed = frame[frame["optimizer"].str.startswith("built after")]["loss"]
    assert stale.max() - stale.min() == pytest.approx(0, abs=1e-6)
    assert fixed.iloc[-1] < fixed.iloc[0]


@pytest.mark.slow
def test_batchnorm_left_in_train_mode_moves_the_statistics_and_costs_the_source_task():
    at = page()
    at.button(key="pit_bn").click().run()
    assert not at.exception
    table = at.dataframe[0].value.set_index("frozen BatchNorm")
    assert table.loc["eval mode", "mean |Δ running mean|"] == 0
    assert table.loc["train mode", "mean |Δ running mean|"] > 0
    assert (
        table.loc["train mode", "glyph accuracy after"]
        < table.loc["eval mode", "glyph accuracy after"]
    )


@pytest.mark.slow
def test_batchnorm_in_train_mode_is_framed_as_a_trade_off_with_the_digit_accuracy_beside_it():
    from engine.lab.checkpoint import load_pretrained
    from engine.lab.pitfalls import frozen_batchnorm_drift

    expected = frozen_batchnorm_drift(load_pretrained().model)
    at = page()
    at.button(key="pit_bn").click().run()
    table = at.dataframe[0].value.set_index("frozen BatchNorm")
    assert table.loc["train mode", "digit accuracy (validation)"] == pytest.approx(
        expected.target_accuracy_bn_train
    )
    assert table.loc["eval mode", "digit accuracy (validation)"] == pytest.approx(
        expected.target_accuracy_bn_eval
    )
    gain = expected.target_accuracy_bn_train - expected.target_accuracy_bn_eval
    cost = expected.source_accuracy_bn_eval - expected.source_accuracy_bn_train
    text = " ".join(m.value for m in at.markdown)
    assert f"digit accuracy by **{gain:+.3f}** and costs **{cost:.3f}**" in text
    assert "trade-off" in text


def test_a_demos_results_stay_on_the_page_while_the_next_one_runs():
    at = page()
    at.button(key="pit_nothing").click().run()
    at.button(key="pit_stale").click().run()
    assert not at.exception
    assert "optimizer got an empty parameter list" in [c.value for c in at.code]
    assert len(at.dataframe) == 1


def test_each_pitfall_has_an_exercise_to_fix_at_the_end_of_the_page():
    at = page()
    assert at.subheader[-1].value == "Fix them yourself"
    titles = [m.value for m in at.markdown if m.value.startswith("**")]
    assert titles[-3:] == [
        "**Leave the new head trainable**",
        "**Build the optimizer after the new head**",
        "**Keep frozen BatchNorm in eval mode**",
    ]
