"""Instructor pages behind the passcode: bank check and item statistics, through AppTest."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from builders import bank_dict, bank_yaml
from helpers.page_forms import submit_passcode
from helpers.seeded_answers import record_scored_answer, start_attempt
from streamlit.testing.v1 import AppTest

from engine.store import Store

LESSONS = Path(__file__).resolve().parents[2] / "lessons"
BANKS_PAGE = str(LESSONS / "instructor_banks.py")
STATS_PAGE = str(LESSONS / "instructor_stats.py")


@pytest.fixture(autouse=True)
def quizzes(demo_quizzes: Path, monkeypatch) -> Path:
    """The demo bank beside a template with a misspelt key, and no passcode unless a test
    asks for conftest's `passcode`."""
    monkeypatch.delenv("TUNELAB_INSTRUCTOR_PASSCODE", raising=False)
    broken = bank_dict(id="broken")
    broken["questions"][1]["anwser"] = ["a"]
    (demo_quizzes / "_broken.yaml").write_text(yaml.safe_dump(broken, sort_keys=False))
    return demo_quizzes


def open_page(page: str) -> AppTest:
    at = AppTest.from_file(page, default_timeout=60).run()
    assert not at.exception
    return at


@pytest.mark.parametrize("page", [BANKS_PAGE, STATS_PAGE])
def test_without_a_passcode_configured_the_page_only_explains_how_to_set_one(quizzes, page):
    at = open_page(page)
    assert "no instructor passcode is set" in at.info[0].value
    assert "TUNELAB_INSTRUCTOR_PASSCODE" in at.info[0].value
    assert not at.text_input and not at.selectbox and not at.dataframe and not at.code


def test_a_wrong_passcode_is_refused_and_shows_nothing(passcode):
    at = submit_passcode(open_page(BANKS_PAGE), "guess")
    assert at.error[0].value == "Wrong passcode (1 failed try)."
    assert not at.selectbox and not at.code


def test_three_failures_lock_the_gate_so_even_the_right_passcode_waits(passcode):
    at = open_page(BANKS_PAGE)
    for guess in ("a", "b", "c"):
        submit_passcode(at, guess)
    assert "try again in 8 s" in at.warning[0].value
    submit_passcode(at, passcode)
    assert "Too many wrong passcodes" in at.warning[0].value
    assert not at.selectbox


def test_the_passcode_may_come_from_streamlit_secrets(quizzes):
    at = AppTest.from_file(BANKS_PAGE, default_timeout=60)
    at.secrets["instructor_passcode"] = "from secrets"
    at.run()
    submit_passcode(at, "from secrets")
    assert at.selectbox(key="check_source")


def test_the_right_passcode_previews_a_valid_bank_with_its_key(passcode):
    at = submit_passcode(open_page(BANKS_PAGE), passcode)
    at.selectbox(key="check_source").set_value("demo.yaml").run()
    assert not at.exception
    assert "is valid: 4 questions" in at.success[0].value
    text = " ".join(m.value for m in at.markdown)
    assert "Which is right?" in text and "(✓ right) — Yes." in text and "Think." in text
    assert len(at.expander) == 4


def test_a_template_file_with_an_error_lists_it_with_its_line(passcode):
    at = submit_passcode(open_page(BANKS_PAGE), passcode)
    at.selectbox(key="check_source").set_value("_broken.yaml").run()
    [listing] = at.code
    assert "_broken.yaml:" in listing.value
    assert "[m1] anwser: unknown key 'anwser'; did you mean 'answer'?" in listing.value


def test_pasted_broken_yaml_shows_every_error_with_its_line_number(passcode):
    at = submit_passcode(open_page(BANKS_PAGE), passcode)
    at.selectbox(key="check_source").set_value("Paste YAML…").run()
    broken = bank_yaml().replace("difficulty: easy", "difficulty: trivial", 1)
    broken = broken.replace("quick_check: Check it.", "quick_chek: Check it.", 1)
    at.text_area(key="check_yaml").input(broken).run()
    assert not at.exception
    assert at.error[0].value.startswith("3 problem(s)")  # the misspelt key counts twice
    lines = at.code[0].value.splitlines()
    line_of = {text.strip(): n for n, text in enumerate(broken.splitlines(), start=1)}
    difficulty = f"<pasted>:{line_of['difficulty: trivial']}: [e1] difficulty:"
    assert any(x.startswith(difficulty) for x in lines)
    assert lines == sorted(lines, key=lambda x: int(x.split(":")[1]))  # in file order
    assert any(f":{line_of['quick_chek: Check it.']}: [e1] quick_chek" in x for x in lines)


def seed_tests(store: Store) -> None:
    scores = {  # learner -> (e1, m1, h1): m1 separates strong from weak learners
        "Ada": (1, 1, 1),
        "Bob": (1, 1, 0),
        "Cy": (1, 0, 0),
        "Di": (0, 0, 0),
        "Ed": (1, 1, 1),
    }
    for name, marks in scores.items():
        attempt = start_attempt(store, name)
        for qid, mark in zip(("e1", "m1", "h1"), marks, strict=True):
            response = 7.0 if qid == "h1" else (["a"] if mark else ["b"])
            record_scored_answer(
                store, attempt.id, qid, float(mark), response=response, fingerprint=f"fp-{qid}"
            )
        store.finish_attempt(attempt.id)


def test_statistics_show_items_whole_test_figures_and_downloads_without_names(passcode):
    with Store.open() as store:
        seed_tests(store)
    at = submit_passcode(open_page(STATS_PAGE), passcode)
    table = at.dataframe[0].value
    assert list(table["question_id"]) == ["e1", "h1", "m1"]
    assert list(table["attempts"]) == [5, 5, 5]
    assert list(table["facility"]) == pytest.approx([0.8, 0.4, 0.6])
    assert "c: 0" in table["choice_counts"][0]  # a distractor nobody picked ...
    assert "a wrong choice nobody picked" in table["flags"][0]  # ... is flagged
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Attempts"] == "5" and metrics["Mean total"] == "1.80"
    assert "Cronbach's alpha:** 0.79" in " ".join(m.value for m in at.markdown)
    assert len(at.get("download_button")) == 2
    page_text = str(at)
    assert "Ada" not in page_text and "Bob" not in page_text


def test_bank_check_shows_a_code_questions_starter_code_and_a_formula_family(passcode, quizzes):
    example = (Path(__file__).resolve().parents[2] / "quizzes" / "_example.yaml").read_text()
    (quizzes / "_template.yaml").write_text(example)
    at = submit_passcode(open_page(BANKS_PAGE), passcode)
    at.selectbox(key="check_source").set_value("_template.yaml").run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "The learner writes code, run in the sandbox" in text
    assert any("def freeze_all_but_fc(model):" in c.value for c in at.code)
    captions = " ".join(c.value for c in at.caption)
    assert "`dropout-scale` · single_choice · 1 point(s) · family `formula`, seed 0" in captions
    assert "`freeze-the-backbone` · code" in captions
