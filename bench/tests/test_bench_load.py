"""bench.load pairs each bare-page scenario with TuneLab's and formats the pair once."""

from __future__ import annotations

from bench.load import LearnerResult, ScenarioPair, ScenarioResult, markdown_table


def _pair() -> ScenarioPair:
    bare = ScenarioResult(
        "bare page", 2, 1.0, [LearnerResult(0.01, None, 0.02), LearnerResult(0.02, None, 0.03)]
    )
    app = ScenarioResult(
        "TuneLab practice", 2, 1.0,
        [LearnerResult(0.05, None, 0.1), LearnerResult(0.07, None, None, "timed out")],
        answers_expected=2, answers_acknowledged=1, answers_found=1,
    )  # fmt: skip
    return ScenarioPair(bare, app)


def test_a_pair_row_compares_tunelabs_p95_with_the_bare_pages():
    row = markdown_table([_pair()]).splitlines()[-1]
    assert row == (
        "| 2 | 1 | 50 / 70 | 100 / 100 | 10 / 20 | 20 / 30 | 3.50× | 3.33× "
        "| 2 / 1 / 1 | 1 | 0.00 → 0.00 |"
    )


def test_a_pair_reports_the_first_errors_of_both_pages():
    assert _pair().first_errors == ["timed out"]
