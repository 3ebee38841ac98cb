"""The shipped bank's code questions: each reference solution passes and each common wrong
solution (tests/fixtures/codecheck/) fails with feedback naming the mistake; through
`python -m engine run-code BANK QUESTION_ID FILE` in the jail, and in-process for speed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from test_codecheck import WRONG_FEEDBACK

from engine.codecheck.runner import grade
from engine.quiz.bank import load_bank
from engine.quiz.models import CodeQuestion
from tests.helpers.sandbox_pool import FIXTURES, exercises, solution

ROOT = Path(__file__).resolve().parents[2]
BANK = ROOT / "quizzes" / "fine_tuning_metrics.yaml"
# Bank question -> the fixture exercise whose wrong solutions it must catch.
FIXTURE_OF = {
    "code-freeze-all-but-fc": "freeze_all_but_fc",
    "code-discriminative-lrs": "discriminative_lrs",
    "code-batchnorm-eval-while-frozen": "batchnorm_eval_while_frozen",
    "code-count-trainable-scalars": "count_trainable_scalars",
}
WRONG = sorted(
    (qid, wrong) for qid, ex in FIXTURE_OF.items() for e, wrong in WRONG_FEEDBACK if e == ex
)


def code_questions() -> dict[str, CodeQuestion]:
    return {q.id: q for q in load_bank(BANK).questions if isinstance(q, CodeQuestion)}


def test_the_bank_has_the_four_code_questions_the_issue_asks_for():
    assert sorted(code_questions()) == sorted(FIXTURE_OF)


@pytest.mark.parametrize("question_id", sorted(FIXTURE_OF))
def test_each_bank_question_checks_what_its_fixture_exercise_checks(question_id: str):
    bank_checks = code_questions()[question_id].exercise().checks
    assert bank_checks == exercises()[FIXTURE_OF[question_id]].checks


@pytest.mark.parametrize("question_id", sorted(FIXTURE_OF))
def test_each_reference_solution_in_the_bank_passes_every_check(question_id: str):
    question = code_questions()[question_id]
    result = grade(question.exercise(), question.reference_solution)
    assert [t.message for t in result.tests if not t.passed] == []
    assert result.score == 1.0


@pytest.mark.parametrize("question_id", sorted(FIXTURE_OF))
def test_the_starter_code_alone_earns_nothing(question_id: str):
    question = code_questions()[question_id]
    result = grade(question.exercise(), question.starter_code)
    assert result.gradable
    assert result.score < 1.0


@pytest.mark.parametrize(("question_id", "wrong"), WRONG)
def test_each_common_wrong_solution_fails_the_bank_question_with_the_right_feedback(
    question_id: str, wrong: str
):
    result = grade(
        code_questions()[question_id].exercise(), solution(FIXTURE_OF[question_id], wrong)
    )
    assert result.score < 1.0
    for index, phrase in WRONG_FEEDBACK[(FIXTURE_OF[question_id], wrong)].items():
        assert phrase in result.tests[index].message


def run_code(question_id: str, file: Path) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-m", "engine", "run-code", str(BANK), question_id, str(file)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.slow
@pytest.mark.parametrize("question_id", sorted(FIXTURE_OF))
def test_run_code_grades_the_bank_reference_and_a_wrong_solution_in_the_jail(
    question_id: str, tmp_path: Path
):
    reference = tmp_path / "reference.py"
    reference.write_text(code_questions()[question_id].reference_solution)
    assert run_code(question_id, reference)["score"] == 1.0
    wrong = next(w for q, w in WRONG if q == question_id)
    result = run_code(question_id, FIXTURES / FIXTURE_OF[question_id] / f"{wrong}.py")
    assert result["score"] < 1.0
    messages = [t["message"] for t in result["tests"]]  # type: ignore[union-attr]
    for index, phrase in WRONG_FEEDBACK[(FIXTURE_OF[question_id], wrong)].items():
        assert phrase in messages[index]


def test_run_code_names_the_code_questions_when_the_id_is_not_one(tmp_path: Path):
    file = tmp_path / "answer.py"
    file.write_text("def f(model):\n    pass\n")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "engine",
            "run-code",
            str(BANK),
            "purpose-of-fine-tuning",
            str(file),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert "no code question 'purpose-of-fine-tuning' (known: code-batchnorm" in done.stderr
