"""The named checks an instructor picks in YAML, and the result a learner reads. Pure data:
a bank carries these; the judge runs them (engine/codecheck/checks.py) on what the sandboxed
learner's process reported (engine/codecheck/snapshot.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field


class _Check(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str | None = Field(
        None, description="Title the learner reads; a default says what is checked"
    )
    points: int = Field(1, ge=0)
    trainable_before: list[str] | None = Field(
        None,
        description="Parameter-name prefixes left trainable before the learner's function runs "
        "(`[fc]`: everything else frozen; `[]`: all frozen); absent: a fresh, all-trainable model",
    )


class TrainableExactly(_Check):
    """After the function runs, exactly the parameters under these prefixes are trainable."""

    check: Literal["trainable_exactly"]
    prefixes: list[str] = Field(description="e.g. [fc] or [layer4, fc]")


class OptimizerHoldsTrainable(_Check):
    """The function returns an optimizer over exactly the trainable parameters, and (if
    given) each prefix's parameters sit in a group with this learning rate."""

    check: Literal["optimizer_holds_trainable"]
    learning_rates: dict[str, float] = Field(default_factory=dict)


class FrozenUnchangedAfterStep(_Check):
    """After the function and one SGD step on a random batch (the optimizer it returns, or
    SGD over the trainable parameters), frozen weights are bit-identical; with
    ``batchnorm_statistics`` so are the running statistics of fully frozen BatchNorm layers."""

    check: Literal["frozen_unchanged_after_step"]
    batchnorm_statistics: bool = True


class Returns(_Check):
    """The function returns this value, or the value torch computes (``expected_from``)."""

    check: Literal["returns"]
    expected: int | float | str | bool | None = None
    expected_from: Literal["trainable_scalars", "all_scalars"] | None = None
    tolerance: float = 0.0


class Raises(_Check):
    """Calling the function raises this error (the class or one of its bases, by name)."""

    check: Literal["raises"]
    error: str
    message_contains: str = ""
    when: str = Field("", description="Said to the learner: 'expected ... to raise X <when>'")


Setting = float | bool | list[float]  # a hyperparameter: lr 1e-3, nesterov true, betas [0.9, 0.999]


class OptimizerIs(_Check):
    """The function returns a torch.optim optimizer of this class, and every parameter group
    has ``hyperparameters`` (lr, weight_decay, momentum, betas…); ``groups`` adds settings for
    the groups holding a prefix's parameters (``{fc: {lr: 0.01}}``)."""

    check: Literal["optimizer_is"]
    optimizer: str = Field(description="The class's name in torch.optim, e.g. AdamW or SGD")
    hyperparameters: dict[str, Setting] = Field(default_factory=dict)
    groups: dict[str, dict[str, Setting]] = Field(default_factory=dict)
    tolerance: float = Field(0.0, ge=0, description="Absolute, on top of a 1e-9 relative one")


class ModuleAttribute(_Check):
    """After the function runs, a module of the model (``module``, a dotted name; "" for the
    model) or the module the function returns (``returned: true``, e.g. a loss) has this
    setting: ``nn.Dropout``'s ``p``, ``nn.CrossEntropyLoss``'s ``label_smoothing``."""

    check: Literal["module_attribute"]
    module: str = ""
    returned: bool = False
    module_type: str | None = Field(None, description="Its class's name, e.g. Dropout")
    attribute: str
    expected: float | bool | str | None
    tolerance: float = Field(0.0, ge=0)


class ModelMode(_Check):
    """After the function runs, the model (or every module under ``modules``, optionally
    only those of ``module_type``) is in ``train`` or ``eval`` mode."""

    check: Literal["model_mode"]
    mode: Literal["train", "eval"]
    modules: list[str] = Field(default_factory=list, description="Prefixes; empty: the model")
    module_type: str | None = None


Check = Annotated[
    TrainableExactly
    | OptimizerHoldsTrainable
    | FrozenUnchangedAfterStep
    | Returns
    | Raises
    | OptimizerIs
    | ModuleAttribute
    | ModelMode,
    Field(discriminator="check"),
]


class CodeExercise(BaseModel):
    """One exercise: the learner defines ``function(model)``; each check calls it on a fresh
    lab SmallResNet (engine/lab/model.py, 10 classes, seeded) and judges what it did."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    function: str = Field(description="The name the learner's code must define")
    checks: list[Check] = Field(min_length=1)


class CheckOutcome(BaseModel):
    """One check's verdict, shaped like PrairieLearn's ``tests[]`` entries."""

    name: str
    points: float = Field(ge=0, allow_inf_nan=False)
    max_points: float = Field(ge=0, allow_inf_nan=False)
    passed: bool
    message: str


class GradeResult(BaseModel):
    """What a learner reads. ``gradable`` False (syntax error, missing function, no sandbox
    on this server) means the attempt does not count."""

    gradable: bool
    score: float = Field(default=0.0, ge=0, le=1, allow_inf_nan=False)
    message: str = ""
    line: int | None = None
    tests: list[CheckOutcome] = Field(default_factory=list)
    output: str = ""


def load_exercises(path: Path) -> dict[str, CodeExercise]:
    """A spec file: ``exercises: [ {id, function, checks}, ... ]``, by id."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    exercises = [CodeExercise.model_validate(item) for item in data.get("exercises", [])]
    return {exercise.id: exercise for exercise in exercises}


class PageExercise(BaseModel):
    """A lesson page's exercise: a broken snippet to fix (``broken``, the editor's start), a
    ``fixed`` version the tests run, and the exercise the sandbox grades."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    title: str
    function: str
    broken: str
    fixed: str
    checks: list[Check] = Field(min_length=1)

    def exercise(self) -> CodeExercise:
        return CodeExercise(id=self.id, function=self.function, checks=self.checks)


PITFALL_EXERCISES = Path(__file__).with_name("pitfall_exercises.yaml")


def load_page_exercises(path: Path = PITFALL_EXERCISES) -> list[PageExercise]:
    """A page's exercises in file order (``exercises: [...]``)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [PageExercise.model_validate(item) for item in data.get("exercises", [])]
