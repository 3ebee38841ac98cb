"""Markdown lessons beside a bank: loaded with it, linkable from its questions, and
refused with file:line when they cannot be shown."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from builders import bank_dict, question

from engine.quiz.bank import BankInvalid, load_bank, load_bank_and_lessons, load_catalog

SHIPPED = Path(__file__).resolve().parents[2] / "quizzes" / "regularisation.yaml"


def write_bank(folder: Path, lesson: str = "dropout", **files: str) -> Path:
    bank = folder / "reg.yaml"
    qs = [question("q1", lesson=lesson)]
    bank.write_text(yaml.safe_dump(bank_dict(qs, id="reg"), sort_keys=False))
    (folder / "reg").mkdir()
    for name, text in files.items():
        (folder / "reg" / name).write_text(text)
    return bank


def test_the_lessons_beside_a_bank_load_with_it_in_file_order(tmp_path: Path) -> None:
    path = write_bank(
        tmp_path,
        **{"dropout.md": "# Dropout\n\nZeroes units.\n", "decay.md": "\n# Weight decay\nShrinks."},
    )
    bank, lessons = load_bank_and_lessons(path)
    assert bank.questions[0].lesson == "dropout"
    assert [(lesson.id, lesson.title, lesson.markdown) for lesson in lessons] == [
        ("decay", "Weight decay", "Shrinks."),
        ("dropout", "Dropout", "Zeroes units."),
    ]
    assert load_catalog(tmp_path).lessons == {"reg": lessons}


def test_a_lesson_id_the_bank_does_not_have_lists_its_own_lessons_too(tmp_path: Path) -> None:
    path = write_bank(tmp_path, lesson="drop-out", **{"dropout.md": "# Dropout\n"})
    with pytest.raises(BankInvalid) as raised:
        load_bank(path)
    (error,) = (str(e) for e in raised.value.errors)
    assert error.endswith(
        "lesson: unknown lesson 'drop-out'; lessons are: metrics_for_tasks, confusion_matrix, "
        "threshold, good_vs_bad, pitfalls, regression, self_check, lab, freezing_pitfalls, "
        "averaging, roc_pr, selection_bias, uncertainty, finetuning_today; this bank's own: dropout"
    )


def test_a_lesson_without_a_title_is_refused_at_its_first_line(tmp_path: Path) -> None:
    path = write_bank(tmp_path, **{"dropout.md": "\n\nDropout zeroes units.\n"})
    with pytest.raises(BankInvalid) as raised:
        load_bank(path)
    messages = [str(e) for e in raised.value.errors]
    assert (
        f"{tmp_path / 'reg' / 'dropout.md'}:3: a lesson starts with its title on a line "
        in (messages[-1])
    )
    assert any("unknown lesson 'dropout'" in m for m in messages)  # it is not a lesson then


def test_a_lesson_named_like_a_built_in_one_is_refused(tmp_path: Path) -> None:
    path = write_bank(tmp_path, lesson="lab", **{"lab.md": "# My lab\n"})
    with pytest.raises(BankInvalid) as raised:
        load_bank(path)
    (error,) = (str(e) for e in raised.value.errors)
    assert error.endswith("lab.md:1: 'lab' is a built-in lesson; rename the file")


def test_an_image_in_a_lesson_stays_a_link_no_browser_fetches(tmp_path: Path) -> None:
    text = "# Dropout\n\n![beacon](https://example.com/pixel.png)\n"
    _bank, (lesson,) = load_bank_and_lessons(write_bank(tmp_path, **{"dropout.md": text}))
    assert lesson.markdown == "[beacon](https://example.com/pixel.png)"


def test_the_shipped_regularisation_bank_links_every_question_to_its_own_lessons() -> None:
    bank, lessons = load_bank_and_lessons(SHIPPED)
    ids = {lesson.id for lesson in lessons}
    assert ids == {"dropout", "weight-decay", "label-smoothing"}
    assert {q.lesson for q in bank.questions} == ids
