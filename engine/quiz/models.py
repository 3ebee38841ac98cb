"""The bank format: pydantic models for a question bank, with shorthand and descriptions.

A minimal question, in YAML (see quizzes/_example.yaml for every key, commented)::

    - id: f1-from-counts
      difficulty: medium
      topic: metrics
      type: single_choice
      prompt: With TP = 85, FP = 15 and FN = 10, what is F1?
      choices:
        a: "0.85"
        b: "0.871"
      answer: b
      solution:
        steps: [Precision = 85 / 100 = 0.85, Recall = 85 / 95 = 0.895]
        final_answer: F1 = 2PR / (P + R) = 0.871
      quick_check: F1 sits between precision and recall, nearer the smaller.
      hint: F1 is the harmonic mean of precision and recall.

Rules that span several fields (exactly one correct choice, answer ids that exist, ...)
live in `checks.py`, where each problem can name the field an instructor must fix.
"""

from __future__ import annotations

import hashlib
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from engine.quiz.markdown import inert_images

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"

# Lessons a question may link to (`lesson:`); the app has one page per id.
LESSON_IDS = (
    "metrics_for_tasks",
    "confusion_matrix",
    "threshold",
    "good_vs_bad",
    "pitfalls",
    "regression",
    "self_check",
    "lab",
    "freezing_pitfalls",
    "averaging",
    "roc_pr",
    "selection_bias",
    "uncertainty",
)


class Difficulty(StrEnum):
    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"


class QuestionType(StrEnum):
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_SELECT = "multiple_select"
    TRUE_FALSE = "true_false"
    NUMERIC = "numeric"


class Scoring(StrEnum):
    """How a multiple_select answer is scored (other types are right or wrong)."""

    ALL_OR_NOTHING = "all_or_nothing"  # 1 only for exactly the correct set
    PARTIAL = "partial"  # (right picks - wrong picks) / correct choices, floored at 0


class Verdict(StrEnum):
    STRONG = "strong"
    DEVELOPING = "developing"
    NOT_YET = "not yet"


class _Strict(BaseModel):
    # extra="forbid": a misspelt key ("anwser") is an error, never silently ignored.
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _images_become_links(cls, value: Any) -> Any:
        # Bank text is Markdown rendered in every learner's browser: an image would make
        # each browser fetch from wherever the bank points (a beacon). Keep it as a link.
        # type() is str, not isinstance: enums (Difficulty, QuestionType) are str too.
        if type(value) is str:
            return inert_images(value)
        if isinstance(value, list):
            return [inert_images(v) if type(v) is str else v for v in value]
        return value


class Choice(_Strict):
    """One option of a choice question."""

    id: str = Field(pattern=ID_PATTERN, description="Stable id; answers refer to it.")
    text: str = Field(min_length=1, description="What the learner reads (Markdown).")
    feedback: str | None = Field(
        default=None, description="Shown after answering when this choice was picked."
    )


class Solution(_Strict):
    """The worked solution shown after answering."""

    steps: list[str] = Field(min_length=1, description="Ordered reasoning steps (Markdown).")
    final_answer: str = Field(min_length=1, description="The answer, stated in words.")


class Question(_Strict):
    """One question. `answer` names choice ids (never positions or texts)."""

    id: str = Field(pattern=ID_PATTERN, description="Stable id, unique in the bank.")
    difficulty: Difficulty = Field(description="easy, medium or hard.")
    topic: str = Field(min_length=1, description="Used to group scores in the report.")
    tags: list[str] = Field(default_factory=list, description="Free labels for filtering.")
    type: QuestionType = Field(description="single_choice, multiple_select, true_false, numeric.")
    prompt: str = Field(min_length=1, description="The question (Markdown, code, $LaTeX$).")
    choices: list[Choice] = Field(
        default_factory=list,
        description="Options (a list of {id, text, feedback} or the shorthand {id: text}).",
    )
    answer: bool | int | float | str | list[str] = Field(
        description="Choice id (single_choice), list of ids (multiple_select), "
        "true/false (true_false) or a number (numeric)."
    )
    tolerance: float | None = Field(
        default=None, ge=0, description="numeric: accepted absolute error, e.g. 0.001."
    )
    relative_tolerance: float | None = Field(
        default=None, ge=0, description="numeric: accepted relative error, e.g. 0.01 for 1 %."
    )
    scoring: Scoring = Field(
        default=Scoring.ALL_OR_NOTHING,
        description="multiple_select only: all_or_nothing or partial.",
    )
    shuffle: bool = Field(
        default=True, description="Shuffle choice order per attempt (false keeps file order)."
    )
    points: float = Field(default=1.0, gt=0, description="Weight of the question in a score.")
    solution: Solution
    quick_check: str = Field(min_length=1, description="A one-line sanity check.")
    hints: list[str] = Field(
        default_factory=list, description="Offered on request in practice (shorthand: hint)."
    )
    common_mistakes: list[str] = Field(default_factory=list, description="Typical errors.")
    lesson: str | None = Field(
        default=None, description="Page of the lesson that teaches this, e.g. confusion_matrix."
    )

    @model_validator(mode="before")
    @classmethod
    def _expand_shorthand(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        if "hint" in data:
            if "hints" in data:
                raise ValueError("use either 'hint' or 'hints', not both")
            hint = data.pop("hint")
            data["hints"] = [hint] if isinstance(hint, str) else hint
        choices = data.get("choices")
        if isinstance(choices, dict):  # shorthand: {a: "text", b: "text"}
            data["choices"] = [{"id": str(k), "text": v} for k, v in choices.items()]
        if data.get("type") == QuestionType.TRUE_FALSE:
            if not data.get("choices"):
                data["choices"] = [{"id": "true", "text": "True"}, {"id": "false", "text": "False"}]
            # "True" then "False" is the order every learner expects; never shuffle it.
            data.setdefault("shuffle", False)
        return data

    @field_validator("answer", mode="before")
    @classmethod
    def _answer_ids_are_text(cls, value: Any) -> Any:
        # YAML reads `answer: [a, 1]` as mixed types; ids are always text.
        if isinstance(value, list):
            return [
                str(v) if isinstance(v, int | float) and not isinstance(v, bool) else v
                for v in value
            ]
        return value

    def choice(self, choice_id: str) -> Choice | None:
        return next((c for c in self.choices if c.id == choice_id), None)

    @property
    def correct_choice_ids(self) -> frozenset[str]:
        """Choice ids that make up the right answer (empty for numeric)."""
        if self.type is QuestionType.NUMERIC:
            return frozenset()
        if self.type is QuestionType.TRUE_FALSE:
            return frozenset({"true" if self.answer is True else "false"})
        if isinstance(self.answer, list):
            return frozenset(self.answer)
        return frozenset({str(self.answer)})

    @property
    def fingerprint(self) -> str:
        """Changes whenever the content changes, so edited questions get fresh statistics."""
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()[:16]


class TestRecipe(_Strict):
    """How many questions of each difficulty "Test this pattern" draws."""

    easy: int = Field(default=3, ge=0, le=50)
    medium: int = Field(default=4, ge=0, le=50)
    hard: int = Field(default=3, ge=0, le=50)

    @property
    def total(self) -> int:
        return self.easy + self.medium + self.hard

    def count(self, difficulty: Difficulty) -> int:
        return int(getattr(self, difficulty.value))


class VerdictRule(_Strict):
    """Turns a test score into a verdict.

    strong:     overall score >= strong_at AND share of hard points >= hard_at_least
    developing: overall score >= developing_at
    not yet:    anything lower
    The hard-question condition stops a learner who only knows the easy questions from
    being told the pattern is strong.
    """

    strong_at: float = Field(default=0.8, gt=0, le=1, description="Overall fraction for strong.")
    developing_at: float = Field(default=0.5, ge=0, le=1, description="Fraction for developing.")
    hard_at_least: float = Field(
        default=0.5, ge=0, le=1, description="Fraction of hard points also needed for strong."
    )

    @model_validator(mode="after")
    def _ordered(self) -> VerdictRule:
        if self.developing_at > self.strong_at:
            raise ValueError(
                f"developing_at ({self.developing_at}) must not exceed strong_at ({self.strong_at})"
            )
        return self

    def verdict(self, overall: float, hard: float | None) -> Verdict:
        """`overall` and `hard` are fractions of points; hard is None if no hard questions."""
        if overall >= self.strong_at and (hard is None or hard >= self.hard_at_least):
            return Verdict.STRONG
        if overall >= self.developing_at:
            return Verdict.DEVELOPING
        return Verdict.NOT_YET


class QuestionBank(_Strict):
    """A bank: what it tests, how a test is drawn from it, and its questions."""

    id: str = Field(pattern=ID_PATTERN, description="Stable bank id.")
    title: str = Field(min_length=1)
    pattern: str = Field(min_length=1, description="The pattern this bank tests.")
    version: str = Field(min_length=1, description="Bump when questions change.")
    description: str | None = None
    test: TestRecipe = Field(default_factory=TestRecipe)
    verdict: VerdictRule = Field(default_factory=VerdictRule)
    questions: list[Question] = Field(min_length=1)

    @field_validator("version", mode="before")
    @classmethod
    def _version_as_text(cls, value: Any) -> Any:
        return (
            str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value
        )

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)
