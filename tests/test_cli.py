"""`python -m engine validate|schema`: what an instructor runs in their own CI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from builders import bank_yaml, question

from engine.__main__ import main

ROOT = Path(__file__).resolve().parents[1]


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
        [sys.executable, "-m", "engine", "validate", "quizzes/"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_schema_writes_the_json_schema(tmp_path: Path):
    out = tmp_path / "schema.json"
    assert main(["schema", "--out", str(out)]) == 0
    assert '"title": "TuneLab question bank"' in out.read_text()


def test_an_instructor_reads_each_yaml_problem_once_without_parser_internals(tmp_path: Path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: x\ntitle: [unclosed\n")
    done = subprocess.run(
        [sys.executable, "-m", "engine", "validate", str(broken)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stdout.startswith(f"{broken}:3: not valid YAML")
    assert done.stderr == "0 of 1 banks valid\n"  # no C++ parser message, no source paths


def test_validate_refuses_a_second_file_with_the_same_bank_id_naming_both(tmp_path: Path, capsys):
    (tmp_path / "a.yaml").write_text(bank_yaml())
    (tmp_path / "b.yaml").write_text(bank_yaml())
    assert main(["validate", str(tmp_path)]) == 1
    out = capsys.readouterr()
    id_line = 1 + bank_yaml().splitlines().index("id: demo")
    assert out.out.splitlines() == [
        f"{tmp_path / 'a.yaml'}: ok (4 questions, version 1)",
        f"{tmp_path / 'b.yaml'}:{id_line}: id: bank id 'demo' is already used by a.yaml "
        f"(line {id_line}); bank ids must be unique across files: change one of them",
    ]
    assert "1 of 2 banks valid" in out.err
