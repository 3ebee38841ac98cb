"""`python -m engine generators`: every generator with what a bank may set and name."""

from __future__ import annotations

from pathlib import Path

from engine.__main__ import main
from engine.families import GENERATORS


def test_every_generator_is_listed_with_its_params_variables_and_mistakes(capsys) -> None:
    assert main(["generators"]) == 0
    blocks = {b.split("\n", 1)[0]: b for b in capsys.readouterr().out.split("\n\n")}
    assert set(blocks) == {*GENERATORS, "formula"}
    for name, generator in GENERATORS.items():
        block = blocks[name]
        assert block.startswith(f"{name}\n  {generator.summary}\n")
        assert f"variables ({{placeholders}}): {', '.join(sorted(generator.value_names))}" in block
        assert ", ".join(sorted(generator.mistake_names)) in block
        for spec in generator.params:
            assert f"\n    {spec.name}: {spec.description} — " in block
    assert "quizzes/_example.yaml" in blocks["formula"]


def test_one_generator_shows_its_ranges_and_limits(capsys) -> None:
    assert main(["generators", "loss_curve"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("loss_curve\n")
    assert (
        "    patience: early-stopping patience, in epochs — whole number: a range [low, high] "
        "inside [1, 10], or one value; default [2, 4]"
    ) in out
    assert "    ask: what the question asks for — one of best_epoch, stop_epoch" in out
    assert "named mistakes (mistake_feedback ids): counted-from-zero," in out
    assert "confusion_metric" not in out


def test_an_unknown_generator_name_lists_the_names_there_are(capsys) -> None:
    assert main(["generators", "loss_curves"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("no generator 'loss_curves'; available: average_precision,")


def test_the_template_points_instructors_to_the_command_not_to_source_code() -> None:
    example = (Path(__file__).resolve().parents[2] / "quizzes" / "_example.yaml").read_text()
    assert "python -m engine generators" in example
    assert "registry.py" not in example
