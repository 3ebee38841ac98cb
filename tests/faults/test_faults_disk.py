"""A full or read-only disk under the data folder, made for real: a small tmpfs mounted for
each test. The page that needs the disk says what is wrong in plain words, nothing is
acknowledged that was not stored, and once space is back the learner's answer goes in once.

Mounting needs root (CI runs as root); elsewhere these tests skip and say why.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.arrival import signed_in
from sqlalchemy.exc import OperationalError
from streamlit.testing.v1 import AppTest
from test_faults import (
    answer_current,
    practice_still_works,
    quizzes,
    recorded_for,
    warnings,
)

from engine.store import Store
from lessons.components import learner as learner_component

__all__ = ["quizzes"]  # the fixture, imported for these tests too


class SmallDisk:
    """A 4 MB tmpfs: fill it up, free it, or make it read-only while nothing is open on it."""

    def __init__(self, where: Path) -> None:
        self.where = where
        self.filler = where / "filler.bin"

    def fill(self) -> None:
        fd = os.open(self.filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        try:
            while True:
                os.write(fd, b"\0" * 65536)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC, exc
            with contextlib.suppress(OSError):  # the last few bytes, one at a time
                while True:
                    os.write(fd, b"\0")
        finally:
            os.close(fd)
        assert os.statvfs(self.where).f_bavail == 0

    def free(self) -> None:
        self.filler.unlink()

    def read_only(self) -> None:
        subprocess.run(["mount", "-o", "remount,ro", str(self.where)], check=True)


@pytest.fixture
def disk(tmp_path) -> Iterator[SmallDisk]:
    where = tmp_path / "disk"
    where.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(where)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        reason = f"cannot mount a small tmpfs here (needs root): {mounted.stderr.strip()}"
        if os.environ.get("CI") == "true":  # CI runs as root: a skip there would hide a gap
            pytest.fail(reason)
        pytest.skip(reason)
    try:
        yield SmallDisk(where)
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def own_store(folder: Path, monkeypatch) -> Iterator[Path]:
    """Data in ``folder``, with one store per test that the test closes (not one per server)."""
    monkeypatch.setenv("TUNELAB_DATA_DIR", str(folder))
    opened = functools.cache(Store.open)
    monkeypatch.setattr(learner_component, "_open_store", opened)
    yield folder
    if opened.cache_info().currsize:
        with contextlib.suppress(Exception):
            opened().close()


@pytest.fixture
def data(disk, monkeypatch) -> Iterator[Path]:
    """The data folder on the small disk."""
    yield from own_store(disk.where / "data", monkeypatch)


@pytest.fixture
def plain_data(tmp_path, monkeypatch) -> Iterator[Path]:
    """A data folder on the ordinary disk, for faults that need no mount."""
    yield from own_store(tmp_path / "data", monkeypatch)


def errors(at: AppTest) -> str:
    return "\n".join(e.value for e in at.error)


def on_question(at: AppTest, number: int) -> bool:
    return any(f"Question {number} of 3" in c.value for c in at.caption)


def test_an_answer_that_meets_a_full_disk_is_refused_in_plain_words_then_saved_once_freed(
    quizzes, disk, data
):
    at = signed_in("Ada", "lessons/test_pattern.py")
    at.button(key="start").click().run()
    answer_current(at)
    disk.fill()
    at.button(key="submit").click().run()
    assert not at.exception, at.exception
    assert "could not be saved" in errors(at)
    assert "disk holding it is full" in errors(at), errors(at)
    assert on_question(at, 1)  # not acknowledged: the learner is still on question 1
    disk.free()
    at.button(key="submit").click().run()  # the form kept the choice: submit again
    assert not at.exception, at.exception
    assert on_question(at, 2)
    assert recorded_for(data, "Ada") == ["e1"]


def test_starting_a_test_on_a_full_disk_says_so_and_starts_nothing_until_there_is_room(
    quizzes, disk, data
):
    at = signed_in("Ada", "lessons/test_pattern.py")
    disk.fill()
    at.button(key="start").click().run()
    assert not at.exception, at.exception
    assert "could not be started" in errors(at)
    assert "full" in errors(at)
    assert not on_question(at, 1)  # no unsaved test pretending to be saved
    disk.free()
    at.button(key="start").click().run()
    assert not at.exception, at.exception
    assert on_question(at, 1)
    with Store.open(f"sqlite:///{data / 'tunelab.db'}") as store:
        assert len(store.attempts(store.learner("Ada").id)) == 1


def test_a_practice_answer_on_a_full_disk_is_not_acknowledged_until_it_is_stored(
    quizzes, disk, data
):
    at = signed_in("Ada", "lessons/practice.py")
    answer_current(at)
    disk.fill()
    at.button(key="submit").click().run()
    assert not at.exception, at.exception
    assert "could not be saved" in errors(at) and "full" in errors(at)
    assert not at.success  # no "Correct" for an answer that is not in the record
    disk.free()
    at.button(key="submit").click().run()
    assert at.success and at.success[0].value.startswith("Correct")
    assert recorded_for(data, "Ada") == ["e1"]


def test_a_data_folder_on_a_full_disk_is_named_at_start_and_practice_still_works(
    quizzes, disk, data
):
    disk.fill()
    at = AppTest.from_file("../../app.py", default_timeout=60).run()
    at.switch_page("lessons/practice.py").run()
    assert not at.exception, at.exception
    assert "Progress is not being saved" in warnings(at)
    assert "is full" in warnings(at), warnings(at)
    practice_still_works(at)


def test_a_data_folder_on_a_read_only_file_system_is_named_and_practice_still_works(
    quizzes, disk, data
):
    with Store.open(f"sqlite:///{data / 'tunelab.db'}") as store:
        store.learner("Ada")  # yesterday's progress, on a disk now mounted read-only
    disk.read_only()
    at = AppTest.from_file("../../app.py", default_timeout=60).run()
    at.switch_page("lessons/practice.py").run()
    assert not at.exception, at.exception
    assert "read-only file system" in warnings(at), warnings(at)
    assert str(data) in warnings(at)
    practice_still_works(at)


def test_a_database_that_fails_while_a_page_reads_it_is_named_there_and_other_pages_work(
    quizzes, plain_data, monkeypatch
):
    def broken(self: Store, *_args, **_kwargs):
        with self.reading():  # fails inside the store's read, as a dying disk would
            raise OperationalError("SELECT ...", {}, sqlite3.OperationalError("disk I/O error"))

    at = signed_in("Ada", "lessons/home.py")
    monkeypatch.setattr(Store, "attempts", broken)
    monkeypatch.setattr(Store, "review_cards", broken)
    for page in ("lessons/progress.py", "lessons/review.py"):
        at.switch_page(page).run()
        assert not at.exception, at.exception  # no traceback
        assert "needs the TuneLab database" in errors(at), errors(at)
        assert "disk I/O error" in errors(at)
    at.switch_page("lessons/practice.py").run()
    practice_still_works(at)
