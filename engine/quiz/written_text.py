"""Numbers written where a bank means text (`final_answer: 1.25`, a step `- 0.91`) are
read as the text written, digits kept (`0.910` stays "0.910"): YAML reads them as numbers,
but an instructor who writes a number as the final answer means the words on the page."""

from __future__ import annotations

from typing import Any

from engine.quiz.safe_yaml import KeyPath

# Keys of a question whose value is text, and lists whose items are text.
_TEXT_KEYS = frozenset(
    {"prompt", "topic", "quick_check", "hint", "starter_code", "reference_solution"}
)
_TEXT_LISTS = frozenset({"hints", "common_mistakes", "tags"})
_BANK_TEXT = frozenset({"title", "pattern", "description"})


def is_text_field(path: KeyPath) -> bool:
    """Whether `path` (from the document's root) names a field whose value is text."""
    if len(path) == 1:
        return path[0] in _BANK_TEXT
    if len(path) < 3 or path[0] != "questions" or not isinstance(path[1], int):
        return False
    field = path[2:]
    match field:
        case (str() as key,):
            return key in _TEXT_KEYS
        case (str() as key, int()):
            return key in _TEXT_LISTS
        case ("solution", "final_answer") | ("solution", "steps", int()):
            return True
        case ("choices", int(), "text" | "feedback") | ("choices", str()):
            return True  # the full form, or the shorthand {id: text}
        case ("mistake_feedback", str()):
            return True
    return False


def numbers_as_written(data: dict[str, Any], number_text: dict[KeyPath, str]) -> None:
    """Replace, in place, each number at a text field of `data` by its text as written."""
    for path, text in number_text.items():
        if not is_text_field(path):
            continue
        container: Any = data
        for part in path[:-1]:
            try:
                container = container[part]
            except (KeyError, IndexError, TypeError):
                break
        else:
            _put(container, path[-1], text)


def _put(container: Any, last: str | int, text: str) -> None:
    """Replace a value that is there; a path the document does not hold is left alone."""
    if isinstance(container, dict) and last in container:
        container[last] = text
    if isinstance(container, list) and isinstance(last, int) and last < len(container):
        container[last] = text
