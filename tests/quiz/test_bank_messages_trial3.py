"""The messages instructor trial 3 rated misleading, each with the bank text the trial
wrote (shared/reviews/instructor-trial-3.md), and the GIFT round trip it reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.__main__ import main
from engine.quiz.authoring.export import bank_to_gift
from engine.quiz.authoring.gift_import import bank_yaml, import_gift
from engine.quiz.bank import BankInvalid, load_bank, load_bank_text

SHIPPED = Path(__file__).resolve().parents[2] / "quizzes" / "fine_tuning_metrics.yaml"

BANK = """\
id: regularisation
title: Regularisation when fine-tuning
pattern: Weight decay, dropout, label smoothing and early stopping.
version: "1"
test: {easy: 2, medium: 0, hard: 0}
questions:
  - id: wd-what-it-does
    difficulty: easy
    topic: weight decay
    tags: [weight-decay]
    type: single_choice
    prompt: |
      What does weight decay do to the weights at each optimizer step?
    choices:
      - id: shrink
        text: It shrinks them towards zero
      - id: clip
        text: It clips their gradients
    answer: shrink
    solution:
      steps: [The update subtracts lr × wd × w from every weight.]
      final_answer: It shrinks every weight towards zero.
    quick_check: Larger weights shrink more.
  - id: inverted-dropout-scale
    difficulty: easy
    topic: dropout
    type: numeric
    prompt: With p = 0.2, by what factor does inverted dropout scale the kept units?
    answer: 1.25
    tolerance: 0.005
    solution:
      steps: [1 / (1 - 0.2) = 1.25]
      final_answer: 1.25
    quick_check: Above 1.
  - id: dropout-at-eval
    difficulty: easy
    topic: dropout
    type: true_false
    prompt: Dropout still drops units after model.eval().
    answer: false
    solution:
      steps: [model.eval() switches dropout off.]
      final_answer: "False: eval() turns dropout off."
    quick_check: eval() changes dropout and batch norm.
"""


def line_of(text: str, fragment: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if fragment in line)


def errors(text: str) -> list[str]:
    with pytest.raises(BankInvalid) as raised:
        load_bank_text(text, filename="regularisation.yaml")
    return [str(e) for e in raised.value.errors]


def test_the_trials_bank_loads_as_written() -> None:
    assert len(load_bank_text(BANK).questions) == 3


def test_a_number_written_as_the_final_answer_is_read_as_that_text() -> None:
    # G1: pydantic said "Input should be a valid string"; the README promises YAML is read
    # as meant, and a number written as the final answer means the words "1.25".
    bank = load_bank_text(BANK.replace("final_answer: 1.25", "final_answer: 0.910"))
    solution = bank.questions[1].solution
    assert solution.final_answer == "0.910"  # as written, trailing zero kept
    assert solution.steps == ["1 / (1 - 0.2) = 1.25"]


def test_numbers_in_steps_choices_and_hints_are_read_as_text_too() -> None:
    text = (
        BANK.replace("      steps: [1 / (1 - 0.2) = 1.25]", "      steps: [1.25]")
        .replace("    quick_check: Above 1.", "    quick_check: Above 1.\n    hint: 0.8")
        .replace("text: It clips their gradients", "text: 0.50")
    )
    bank = load_bank_text(text)
    assert bank.questions[1].solution.steps == ["1.25"]
    assert bank.questions[1].hints == ["0.8"]
    assert bank.questions[0].choices[1].text == "0.50"


def test_a_quoted_false_on_true_false_says_to_drop_the_quotes() -> None:
    text = BANK.replace("    answer: false", '    answer: "false"')
    line = line_of(text, 'answer: "false"')
    assert errors(text) == [
        f"regularisation.yaml:{line}: [dropout-at-eval] answer: "
        "true_false needs answer: false without quotes; in quotes, 'false' is text, "
        "not true or false"
    ]


def test_an_over_indented_key_is_blamed_on_its_indentation_not_on_a_colon() -> None:
    # Row 1: "a ': ' inside a value reads as a new key; put the whole value in quotes".
    text = BANK.replace("    tags: [weight-decay]", "      tags: [weight-decay]")
    assert errors(text) == [
        f"regularisation.yaml:{line_of(text, 'tags:')}: not valid YAML: 'tags:' is indented "
        "further than 'topic:' on the line above, so it reads as the rest of topic's value; "
        "line 'tags:' up with 'topic:' (same number of spaces) (the YAML parser says: "
        "mapping values are not allowed in this context)"
    ]


def test_a_colon_inside_a_value_still_says_to_quote_it() -> None:
    text = BANK.replace(
        "final_answer: It shrinks every weight towards zero.",
        "final_answer: Watch this: validation loss rises",
    )
    (error,) = errors(text)
    assert f":{line_of(text, 'Watch this')}: not valid YAML: a ': ' inside a value" in error


def test_text_not_indented_under_a_block_says_to_indent_it() -> None:
    # Row 23: "a key has no ':' after it, or a quoted value is not closed".
    text = BANK.replace(
        "      What does weight decay do to the weights at each optimizer step?",
        "    What does weight decay do to the weights at each optimizer step?",
    )
    assert errors(text) == [
        f"regularisation.yaml:{line_of(text, 'What does weight decay')}: not valid YAML: the "
        "text under 'prompt: |' must be indented further than 'prompt:'; add two spaces "
        "before this line and each line of the text after it (the YAML parser says: while "
        "scanning a simple key could not find expected ':')"
    ]


def test_a_dropped_dash_before_a_choice_says_to_write_the_dash() -> None:
    # Row 19: "key 'id' appears twice in one mapping", true but never "missing '- '".
    text = BANK.replace("      - id: clip", "        id: clip")
    found = errors(text)
    line = line_of(text, "id: clip")
    assert (
        f"regularisation.yaml:{line}: [wd-what-it-does] choices[0].id: key 'id' appears twice "
        f"in one mapping (first on line {line - 2}); if this line starts the next item of "
        "the list, write '- ' before it: - id: ..."
    ) in found


# ------------------------------------------------------------------ GIFT


def test_gift_export_of_a_chart_family_warns_that_its_variants_are_unanswerable(
    capsys, tmp_path
) -> None:
    bank = load_bank(SHIPPED)
    gift = bank_to_gift(bank, variants=1)
    assert "the data is in the prompt" not in gift
    header = gift.split("$CATEGORY", 1)[0]
    assert "// WARNING: 5 families draw a chart GIFT cannot carry (fam-best-epoch-from-curve," in (
        header
    )
    assert "unanswerable in Moodle unless the prompt states the data" in header
    assert gift.count("WARNING: unanswerable without its chart") == 5
    out = tmp_path / "bank.gift"
    assert main(["export", "--format", "gift", str(SHIPPED), "--out", str(out)]) == 0
    assert "warning: 5 families draw a chart GIFT cannot carry" in capsys.readouterr().err


def test_gift_import_takes_the_bank_id_and_version_from_the_export_header() -> None:
    bank = load_bank(SHIPPED)
    imported = import_gift(bank_to_gift(bank, variants=2))
    text = bank_yaml(imported, "renamed-in-moodle.gift")
    again = load_bank_text(text)
    assert (again.id, again.version) == (bank.id, bank.version)


def test_a_gift_file_without_a_tunelab_header_is_named_after_the_file() -> None:
    text = bank_yaml(import_gift("::q::Two plus two?{#4}\n"), "my quiz.gift")
    assert load_bank_text(text).id == "my-quiz"


def test_imported_variants_of_one_family_form_a_group_a_test_draws_one_of() -> None:
    bank = load_bank(SHIPPED)
    again = load_bank_text(bank_yaml(import_gift(bank_to_gift(bank, variants=3)), "x.gift"))
    groups = {tuple(group) for group in again.test.groups}
    assert ("fam-fbeta-seed0", "fam-fbeta-seed1", "fam-fbeta-seed2") in groups
    assert len(groups) == sum(1 for q in bank.questions if q.is_family)


def test_an_exported_code_question_is_named_as_such_when_it_is_not_imported() -> None:
    bank = load_bank(SHIPPED)
    skipped = import_gift(bank_to_gift(bank, variants=1)).skipped
    code = [line for line in skipped if "code-freeze-all-but-fc" in line]
    assert code and code[0].endswith(
        "a TuneLab code question, exported as an essay: GIFT does not carry its checks; "
        "copy it from the original bank"
    )
