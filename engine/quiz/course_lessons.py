"""Lesson pages an instructor writes in Markdown beside a bank, for a course of their own.

    quizzes/regularisation.yaml          the bank
    quizzes/regularisation/dropout.md    a lesson: id "dropout", title from its first line
        # Dropout
        Text in Markdown, rendered with the bank's rules (images stay links).

A question of that bank may say ``lesson: dropout``; the app lists the lessons under the
bank's title and links a question's explanation to its lesson. Problems (no title, an id
that is not an id or is a built-in lesson's, a file too large or not UTF-8) are reported
as ``file:line: message`` with the bank's other errors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from engine.quiz.bank_errors import BankError, file_error
from engine.quiz.markdown import inert_images
from engine.quiz.models import ID_PATTERN, LESSON_IDS

MAX_LESSON_BYTES = 200_000
MAX_LESSONS = 100
_ID = re.compile(ID_PATTERN)


@dataclass(frozen=True)
class CourseLesson:
    """One Markdown lesson: its id (the file name), its title and its text, made inert."""

    id: str
    title: str
    markdown: str


def lessons_folder(bank_path: Path) -> Path:
    """Where a bank's lessons live: a folder named like the bank file, beside it."""
    return bank_path.with_suffix("")


def load_lessons(bank_path: Path) -> tuple[list[CourseLesson], list[BankError]]:
    """The lessons beside `bank_path`, in file-name order, and the problems of the others."""
    folder = lessons_folder(bank_path)
    if not folder.is_dir():
        return [], []
    lessons: list[CourseLesson] = []
    errors: list[BankError] = []
    files = sorted(folder.glob("*.md"))
    if len(files) > MAX_LESSONS:
        errors.append(file_error(str(folder), 0, f"more than {MAX_LESSONS} lesson files"))
        files = files[:MAX_LESSONS]
    for path in files:
        lesson = _lesson(path)
        if isinstance(lesson, BankError):
            errors.append(lesson)
        else:
            lessons.append(lesson)
    return lessons, errors


def _lesson(path: Path) -> CourseLesson | BankError:
    name = str(path)
    lesson_id = path.stem
    if not _ID.match(lesson_id):
        return file_error(
            name,
            1,
            f"'{lesson_id}' is not a lesson id: name the file with letters, digits, "
            "'-', '_' or '.', e.g. dropout.md",
        )
    if lesson_id in LESSON_IDS:
        return file_error(name, 1, f"'{lesson_id}' is a built-in lesson; rename the file")
    try:
        if path.stat().st_size > MAX_LESSON_BYTES:
            return file_error(name, 0, f"a lesson is at most {MAX_LESSON_BYTES} bytes")
        text = path.read_bytes().decode("utf-8")
    except OSError as error:
        return file_error(name, 0, f"cannot read file: {error.strerror}")
    except UnicodeDecodeError as error:
        return file_error(name, 0, f"file is not UTF-8 text (byte {error.start})")
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None or not lines[first].startswith("# "):
        return file_error(
            name,
            1 if first is None else first + 1,
            "a lesson starts with its title on a line of its own: # Title",
        )
    title = lines[first].removeprefix("# ").strip()
    body = "\n".join(lines[first + 1 :]).strip("\n")
    return CourseLesson(id=lesson_id, title=title, markdown=inert_images(body))
