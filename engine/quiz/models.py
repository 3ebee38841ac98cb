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

Each question type is its own model (SingleChoiceQuestion, MultipleSelectQuestion,
TrueFalseQuestion, NumericQuestion, CodeQuestion), chosen by `type`, each checking its own answer
shape; `Question` is their union. Rules that compare fields (answer ids that exist,
...) live in `checks.py`, where each problem can name the field an instructor must fix.
"""

from __future__ import annotations

import hashlib
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    field_validator,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import to_json

from engine.codecheck.spec import Check, CodeExercise
from engine.quiz.formula_spec import Formula
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
    "finetuning_today",
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
    CODE = "code"


class Scoring(StrEnum):
    """How a multiple_select answer is scored (other types are right or wrong)."""

    ALL_OR_NOTHING = "all_or_nothing"  # 1 only for exactly the correct set
    PARTIAL = "partial"  # (right picks - wrong picks) / correct choices, floored at 0


class Verdict(StrEnum):
    STRONG = "strong"
    DEVELOPING = "developing"
    NOT_YET = "not yet"


# Bank text is Markdown rendered in every learner's browser: an image would make each
# browser fetch from wherever the bank points (a beacon), so every free-text field keeps it
# as a link. A type on the fields, not a validator on every field: a 10 000-question bank
# has 160 000 fields, and ids, enums and numbers need no such pass.
Markdown = Annotated[str, AfterValidator(inert_images)]


class _Strict(BaseModel):
    # extra="forbid": a misspelt key ("anwser") is an error, never silently ignored.
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Choice(_Strict):
    """One option of a choice question."""

    id: str = Field(pattern=ID_PATTERN, description="Stable id; answers refer to it.")
    text: Markdown = Field(min_length=1, description="What the learner reads (Markdown).")
    feedback: Markdown | None = Field(
        default=None, description="Shown after answering when this choice was picked."
    )


class Solution(_Strict):
    """The worked solution shown after answering."""

    steps: list[Markdown] = Field(min_length=1, description="Ordered reasoning steps (Markdown).")
    final_answer: Markdown = Field(min_length=1, description="The answer, stated in words.")


# A family's parameter: a range [low, high], one option, or a list of options.
ParamValue = int | float | str | list[int | float | str]


class VariantStamp(_Strict):
    """Set by the engine (never by a bank) on a question drawn from a family: which seed
    made it, the family's fingerprint (statistics group variants of one family), and the
    raw numbers that made it (statistics by variant)."""

    seed: int
    family_fingerprint: str
    numbers: dict[str, float] = Field(default_factory=dict)


class _QuestionBase(_Strict):
    """What every question has, whatever its type; each type below adds its answer."""

    id: str = Field(pattern=ID_PATTERN, description="Stable id, unique in the bank.")
    difficulty: Difficulty = Field(description="easy, medium or hard.")
    topic: Markdown = Field(min_length=1, description="Used to group scores in the report.")
    tags: list[Markdown] = Field(default_factory=list, description="Free labels for filtering.")
    prompt: Markdown = Field(min_length=1, description="The question (Markdown, code, $LaTeX$).")
    choices: list[Choice] = Field(
        default_factory=list,
        description="Options (a list of {id, text, feedback} or the shorthand {id: text}).",
    )
    shuffle: bool = Field(
        default=True, description="Shuffle choice order per attempt (false keeps file order)."
    )
    points: float = Field(default=1.0, gt=0, description="Weight of the question in a score.")
    solution: Solution
    quick_check: Markdown = Field(min_length=1, description="A one-line sanity check.")
    hints: list[Markdown] = Field(
        default_factory=list, description="Offered on request in practice (shorthand: hint)."
    )
    common_mistakes: list[Markdown] = Field(default_factory=list, description="Typical errors.")
    lesson: str | None = Field(
        default=None, description="Page of the lesson that teaches this, e.g. confusion_matrix."
    )
    generator: str | None = Field(
        default=None,
        description=(
            "A question family: the engine generator that draws each variant and computes "
            "its key (single_choice or numeric; see quizzes/_example.yaml)."
        ),
    )
    params: dict[str, ParamValue] = Field(
        default_factory=dict,
        description="The generator's ranges, e.g. {tp: [20, 90]}; a single value fixes one.",
    )
    formula: Formula | None = Field(
        default=None,
        description=(
            "A question family written in the bank: variables, derived values, an answer "
            "and named mistakes as expressions (single_choice or numeric; see "
            "quizzes/_example.yaml)."
        ),
    )
    mistake_feedback: dict[str, Markdown] = Field(
        default_factory=dict,
        description="A family's feedback per named mistake id, e.g. {used-accuracy: ...}.",
    )
    variant: SkipJsonSchema[VariantStamp | None] = Field(default=None, exclude=True)

    @model_validator(mode="before")
    @classmethod
    def _expand_shorthand(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        family_key = next((k for k in ("generator", "formula") if data.get(k) is not None), None)
        if family_key is not None:
            kind = str(data.get("type"))
            if kind not in FAMILY_ANSWER_PLACEHOLDER:
                raise ValueError(
                    f"a {kind} question cannot "
                    + ("name a generator; " if family_key == "generator" else "have a formula; ")
                    + "families are single_choice or numeric"
                )
            # A family's key comes from its generator; this stands in until a variant is
            # drawn (family_questions.py refuses an `answer` the bank writes itself).
            data.setdefault("answer", FAMILY_ANSWER_PLACEHOLDER[kind])
        if "hint" in data:
            if "hints" in data:
                raise ValueError("use either 'hint' or 'hints', not both")
            hint = data.pop("hint")
            data["hints"] = [hint] if isinstance(hint, str) else hint  # None: "is empty"
        choices = data.get("choices")
        if isinstance(choices, dict):  # shorthand: {a: "text", b: "text"}
            data["choices"] = [{"id": str(k), "text": v} for k, v in choices.items()]
        return data

    def choice(self, choice_id: str) -> Choice | None:
        return next((c for c in self.choices if c.id == choice_id), None)

    @property
    def correct_choice_ids(self) -> frozenset[str]:
        """Choice ids that make up the right answer (empty for numeric)."""
        return frozenset()

    @property
    def fingerprint(self) -> str:
        """Changes whenever the content changes, so edited questions get fresh statistics.

        Hashes the keys of the one wide model this union replaced, in its order and with
        its defaults, so that no deployed question's statistics restart with the reshape.
        """
        if self.variant is not None:  # every variant of a family counts as the family
            return self.variant.family_fingerprint
        dumped = self.model_dump(mode="json")
        legacy: dict[str, Any] = {name: dumped.get(name, default) for name, default in _LEGACY_KEYS}
        if self.generator is not None:  # new keys join the hash only where they are used
            legacy |= {k: dumped[k] for k in ("generator", "params", "mistake_feedback")}
        if self.formula is not None:
            legacy |= {k: dumped[k] for k in ("formula", "mistake_feedback")}
        return hashlib.sha256(to_json(legacy)).hexdigest()[:16]

    @property
    def is_family(self) -> bool:
        return self.generator is not None or self.formula is not None

    @property
    def family_name(self) -> str | None:
        """What draws this family's variants, as an instructor reads it (None: no family)."""
        return "formula" if self.formula is not None else self.generator


# The `answer` a family question holds before a variant is drawn: the generator's key is
# always the option with id "correct"; a numeric one's value replaces this 0.
FAMILY_ANSWER_PLACEHOLDER: dict[str, Any] = {"single_choice": "correct", "numeric": 0}


# (key, value when this type has no such key), in the order the single wide model had.
_LEGACY_KEYS: tuple[tuple[str, Any], ...] = (
    *((name, None) for name in ("id", "difficulty", "topic", "tags", "type", "prompt")),
    ("choices", []),
    ("answer", None),
    ("tolerance", None),
    ("relative_tolerance", None),
    ("scoring", "all_or_nothing"),
    *((name, None) for name in ("shuffle", "points", "solution", "quick_check", "hints")),
    ("common_mistakes", None),
    ("lesson", None),
)


def _choice_ids_are_text(value: Any) -> Any:
    # YAML reads `answer: [a, 1]` or `answer: 1` as numbers; choice ids are always text.
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


class SingleChoiceQuestion(_QuestionBase):
    """One right choice among several: `answer: b` names its id."""

    type: Literal[QuestionType.SINGLE_CHOICE] = Field(description="single_choice")
    answer: str = Field(description="The id of the one correct choice.")

    @field_validator("answer", mode="before")
    @classmethod
    def _one_choice_id(cls, value: Any) -> Any:
        value = _choice_ids_are_text(value)
        if isinstance(value, list):
            ids = ", ".join(str(v) for v in value)
            raise ValueError(
                f"single_choice needs exactly one correct choice; found {len(value)} ({ids}). "
                "Use type: multiple_select for several"
            )
        if not isinstance(value, str):
            raise ValueError(f"single_choice needs a choice id as answer; got {value!r}")
        return value

    @property
    def correct_choice_ids(self) -> frozenset[str]:
        return frozenset({self.answer})


class MultipleSelectQuestion(_QuestionBase):
    """Several right choices: `answer: [a, c]`; `scoring` says whether part-right counts."""

    type: Literal[QuestionType.MULTIPLE_SELECT] = Field(description="multiple_select")
    answer: list[str] = Field(description="The ids of every correct choice, e.g. [a, c].")
    scoring: Scoring = Field(
        default=Scoring.ALL_OR_NOTHING, description="all_or_nothing (default) or partial."
    )

    @field_validator("answer", mode="before")
    @classmethod
    def _a_list_of_choice_ids(cls, value: Any) -> Any:
        if not isinstance(value, list):
            raise ValueError(
                f"multiple_select needs a list of choice ids as answer, e.g. [a, c]; got {value!r}"
            )
        return [_choice_ids_are_text(v) for v in value]

    @property
    def correct_choice_ids(self) -> frozenset[str]:
        return frozenset(self.answer)


def _true_false_choices() -> list[Choice]:
    return [Choice(id="true", text="True"), Choice(id="false", text="False")]


class TrueFalseQuestion(_QuestionBase):
    """A statement that is true or false: `answer: true`. Choices default to True, False."""

    type: Literal[QuestionType.TRUE_FALSE] = Field(description="true_false")
    answer: bool = Field(description="true or false.")
    choices: list[Choice] = Field(
        default_factory=_true_false_choices,
        description="Leave out for True/False; give ids true and false to add feedback.",
    )
    # "True" then "False" is the order every learner expects; never shuffle it by default.
    shuffle: bool = Field(default=False, description="Shuffle True/False (default false).")

    @field_validator("answer", mode="before")
    @classmethod
    def _true_or_false(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
            written = value.strip().lower()
            raise ValueError(
                f"true_false needs answer: {written} without quotes; in quotes, {value!r} "
                "is text, not true or false"
            )
        if not isinstance(value, bool):
            raise ValueError(f"true_false needs answer: true or answer: false; got {value!r}")
        return value

    @field_validator("choices", mode="before")
    @classmethod
    def _empty_means_default(cls, value: Any) -> Any:
        return value or [c.model_dump() for c in _true_false_choices()]

    @property
    def correct_choice_ids(self) -> frozenset[str]:
        return frozenset({"true" if self.answer else "false"})


class NumericQuestion(_QuestionBase):
    """A number the learner types: `answer: 0.871` with `tolerance` or `relative_tolerance`."""

    type: Literal[QuestionType.NUMERIC] = Field(description="numeric")
    # int | float: an answer written as 3 stays 3, as it always was (the fingerprint).
    answer: int | float = Field(description="The number, e.g. 0.871 or 6e-5.")
    tolerance: float | None = Field(
        default=None, ge=0, description="Accepted absolute error, e.g. 0.001."
    )
    relative_tolerance: float | None = Field(
        default=None, ge=0, description="Accepted relative error, e.g. 0.01 for 1 %."
    )

    @field_validator("answer", mode="before")
    @classmethod
    def _a_number(cls, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"numeric needs a number as answer; got {value!r}")
        return value

    @field_validator("choices", mode="after")
    @classmethod
    def _no_choices(cls, value: list[Choice]) -> list[Choice]:
        if value:
            raise ValueError("numeric questions have no choices; remove 'choices'")
        return value


PYTHON_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"


class CodeQuestion(_QuestionBase):
    """PyTorch code the learner writes: `function(model)` is run in the sandbox (never in
    the app) against each of `checks` (engine/codecheck/spec.py), on a fresh lab model.

    The score is the share of the checks' points earned; a syntax error or a missing
    function is not graded and costs no attempt."""

    type: Literal[QuestionType.CODE] = Field(description="code")
    function: str = Field(
        pattern=PYTHON_NAME, description="The function the learner defines, e.g. freeze_all_but_fc."
    )
    starter_code: Markdown = Field(min_length=1, description="What the editor holds at first.")
    checks: list[Check] = Field(
        min_length=1,
        description="Named checks (trainable_exactly, optimizer_holds_trainable, "
        "frozen_unchanged_after_step, returns, raises), each with its parameters.",
    )
    reference_solution: Markdown = Field(
        min_length=1,
        description="Code that passes every check: shown after answering, run by the tests.",
    )

    @field_validator("choices", mode="after")
    @classmethod
    def _no_choices(cls, value: list[Choice]) -> list[Choice]:
        if value:
            raise ValueError("code questions have no choices; remove 'choices'")
        return value

    def exercise(self) -> CodeExercise:
        """What the sandbox runs: the function's name and the checks."""
        return CodeExercise(id=self.id, function=self.function, checks=self.checks)

    @property
    def fingerprint(self) -> str:
        # The legacy keys know nothing of code: fold in what the learner is graded on.
        code = self.model_dump(
            mode="json", include={"function", "starter_code", "checks", "reference_solution"}
        )
        return hashlib.sha256(to_json([super().fingerprint, code])).hexdigest()[:16]


ChoiceQuestion = SingleChoiceQuestion | MultipleSelectQuestion | TrueFalseQuestion
# Every question type. Code that handles questions dispatches with `match` and ends with
# `assert_never`, so a type added here and handled nowhere fails the type checker.
Question = (
    SingleChoiceQuestion
    | MultipleSelectQuestion
    | TrueFalseQuestion
    | NumericQuestion
    | CodeQuestion
)
# What a bank file holds: the `type` key picks the model.
TaggedQuestion = Annotated[Question, Field(discriminator="type")]
QUESTION = TypeAdapter(TaggedQuestion)
QUESTION_MODELS: dict[str, type[_QuestionBase]] = {
    QuestionType.SINGLE_CHOICE: SingleChoiceQuestion,
    QuestionType.MULTIPLE_SELECT: MultipleSelectQuestion,
    QuestionType.TRUE_FALSE: TrueFalseQuestion,
    QuestionType.NUMERIC: NumericQuestion,
    QuestionType.CODE: CodeQuestion,
}


class TestRecipe(_Strict):
    """How many questions of each difficulty "Test this pattern" draws, and what every
    test must hold: a minimum per topic, at most one question of each variant group."""

    easy: int = Field(default=3, ge=0, le=50)
    medium: int = Field(default=4, ge=0, le=50)
    hard: int = Field(default=3, ge=0, le=50)
    topics: dict[str, int] = Field(
        default_factory=dict,
        description="At least this many questions of a topic in every test, e.g. {dropout: 1}.",
    )
    groups: list[list[str]] = Field(
        default_factory=list,
        description=(
            "Variant groups, by question id: a test draws at most one question of each, "
            "e.g. [[f1-a, f1-b]] (near-copies, or questions that give each other away)."
        ),
    )

    @field_validator("topics", mode="after")
    @classmethod
    def _at_least_one(cls, value: dict[str, int]) -> dict[str, int]:
        for topic, minimum in value.items():
            if not 1 <= minimum <= 50:
                raise ValueError(f"topic '{topic}': a minimum is between 1 and 50, not {minimum}")
        return value

    @property
    def composed(self) -> bool:
        """Whether the test has rules beyond counts per difficulty."""
        return bool(self.topics or self.groups)

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
    title: Markdown = Field(min_length=1)
    pattern: Markdown = Field(min_length=1, description="The pattern this bank tests.")
    version: Markdown = Field(min_length=1, description="Bump when questions change.")
    description: Markdown | None = None
    test: TestRecipe = Field(default_factory=TestRecipe)
    verdict: VerdictRule = Field(default_factory=VerdictRule)
    questions: list[TaggedQuestion] = Field(min_length=1)

    @field_validator("version", mode="before")
    @classmethod
    def _version_as_text(cls, value: Any) -> Any:
        return (
            str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value
        )

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)
