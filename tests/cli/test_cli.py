"""`python -m engine validate|schema`: what an instructor runs in their own CI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from builders import bank_yaml, question

from engine.__main__ import main
from engine.families import GENERATORS
from engine.quiz.bank import load_bank_text
from engine.quiz.sampling import family_problems

ROOT = Path(__file__).resolve().parents[2]


def test_validate_prints_ok_and_exits_0_for_valid_banks(tmp_path: Path, capsys):
    (tmp_path / "good.yaml").write_text(bank_yaml())
    assert main(["validate", str(tmp_path)]) == 0
    out = capsys.readouterr()
    assert "good.yaml: ok (4 questions, version 1)" in out.out
    assert "1 of 1 banks valid" in out.err


def test_validate_prints_file_line_messages_and_exits_1_on_errors(tmp_path: Path, capsys):
    (tmp_path / "good.yaml").write_text(bank_yaml())
    bad = tmp_path / "bad.yaml"
    bad.write_text(bank_yaml(questions=[question("q1", answer="z")]))
    assert main(["validate", str(tmp_path)]) == 1
    out = capsys.readouterr().out.splitlines()
    line = 1 + bad.read_text().splitlines().index("  answer: z")
    assert f"{bad}:{line}: [q1] answer: answer 'z' is not a choice id; choices are: a, b, c" in out
    assert any(o.endswith("good.yaml: ok (4 questions, version 1)") for o in out)


def test_validate_with_no_banks_fails_loudly(tmp_path: Path, capsys):
    assert main(["validate", str(tmp_path)]) == 1
    assert "no .yaml banks found" in capsys.readouterr().err


def test_the_shipped_banks_validate_from_the_command_line():
    done = subprocess.run(
        [sys.executable, "-m", "engine", "validate", "quizzes/", "--seeds", "10"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.slow
def test_every_shipped_family_passes_200_seeds_of_validation(capsys):
    assert main(["validate", "quizzes/"]) == 0
    assert "families sampled at 200 seeds each" in capsys.readouterr().out


FAMILY_BANK = """\
id: fam
title: Families
pattern: P
version: "1"
test: {easy: 1, medium: 0, hard: 0}
questions:
  - id: precision-family
    difficulty: easy
    topic: metrics
    type: single_choice
    generator: confusion_metric
    params: {ask: precision}
    prompt: "TP = {tp}, FP = {fp}. What is {metric}?"
    solution: {steps: ["{formula}"], final_answer: "{precision}"}
    quick_check: "Only the predicted positives."
"""


def test_preview_prints_the_variant_then_its_key_and_solution(tmp_path: Path, capsys):
    bank = tmp_path / "fam.yaml"
    bank.write_text(FAMILY_BANK)
    assert main(["preview", str(bank), "precision-family", "--seed", "4"]) == 0
    out = capsys.readouterr().out
    variant = GENERATORS["confusion_metric"].generate(4, {"ask": "precision"})
    prompt = f"TP = {variant.values['tp']}, FP = {variant.values['fp']}. What is precision?"
    assert prompt in out
    assert out.index(prompt) < out.index("--- key ---") < out.index("--- solution ---")
    assert f"Answer: {variant.correct.text}" in out
    assert f"Final answer: {variant.values['precision']}" in out


def test_preview_names_the_questions_when_the_id_is_unknown(tmp_path: Path, capsys):
    bank = tmp_path / "fam.yaml"
    bank.write_text(FAMILY_BANK)
    assert main(["preview", str(bank), "nope", "--seed", "1"]) == 1
    assert "precision-family" in capsys.readouterr().err


UNFAIR = "params: {ask: precision, tp: 1, fp: 1, fn: 1, tn: 1}"  # every metric is 0.5


def test_validate_refuses_a_range_the_generator_cannot_honour_at_its_line(tmp_path: Path, capsys):
    bank = tmp_path / "fam.yaml"
    bank.write_text(FAMILY_BANK.replace("params: {ask: precision}", UNFAIR))
    assert main(["validate", str(bank), "--seeds", "3"]) == 1
    out = capsys.readouterr().out
    assert f"{bank}:12: [precision-family] params: confusion_metric: no draw" in out


def test_sampling_a_family_names_the_generator_and_the_seed_that_fails():
    bank = load_bank_text(FAMILY_BANK)
    unfair = bank.questions[0].model_copy(update={"params": {"tp": 1, "fp": 1, "fn": 1, "tn": 1}})
    problems = [str(p) for p in family_problems([unfair], seeds=3, workers=1)[0]]
    assert problems[0].startswith("confusion_metric (seed 0) params: ")
    assert "no draw" in problems[0]


def test_config_prints_the_settings_in_force_with_secrets_masked(monkeypatch, capsys):
    monkeypatch.setenv("TUNELAB_TOKEN_SECRET", "hunter2-hunter2")
    monkeypatch.setenv("TUNELAB_TRAIN_THREADS", "2")
    assert main(["config"]) == 0
    out = capsys.readouterr().out
    assert "TUNELAB_TRAIN_THREADS=2" in out
    assert "TUNELAB_TOKEN_SECRET=(set, hidden)" in out
    assert "hunter2" not in out


def test_config_names_a_bad_value_and_exits_1(monkeypatch, capsys):
    monkeypatch.setenv("TUNELAB_RAY_GPU_PER_RUN", "lots")
    assert main(["config"]) == 1
    assert "TUNELAB_RAY_GPU_PER_RUN: got 'lots'; expected a number" in capsys.readouterr().err
