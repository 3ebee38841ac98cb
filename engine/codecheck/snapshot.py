"""What the learner's jailed process may say about a run: per call of their function, the
model's flags and the optimizer it returned, as plain bounded data. The judge
(engine/codecheck/judge.py) grades only this; nothing else the child sends is believed.

Every field is bounded (names, counts, text) and numbers are finite, so a hostile child can
make the report wrong (a claim about its own configuration, graded as such) but never
large, never code, and never a verdict."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StringConstraints

MAX_NAME = 200  # a parameter's or module's dotted name, a class name
MAX_TEXT = 300  # an exception's message, a value as shown
MAX_PARAMETERS = 1024
MAX_MODULES = 1024
MAX_ATTRIBUTES = 16  # per module
MAX_GROUPS = 32  # optimizer parameter groups
MAX_HYPERPARAMETERS = 24  # per group
MAX_ITEMS = 4  # items of a returned tuple
MAX_CALLS = 64
MAX_BASES = 64
LARGEST_INT = 1 << 63  # beyond this, an int is reported as "other"

Name = Annotated[str, StringConstraints(max_length=MAX_NAME)]
Text = Annotated[str, StringConstraints(max_length=MAX_TEXT)]
FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]
Int = Annotated[StrictInt, Field(ge=-LARGEST_INT, le=LARGEST_INT)]
# A module attribute or a hyperparameter: what `nn.Dropout.p` or an optimizer's lr holds.
Scalar = StrictBool | Int | FiniteFloat | Text | None
Hyperparameter = Scalar | Annotated[list[FiniteFloat], Field(max_length=4)]


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class ParameterState(_Data):
    name: Name
    requires_grad: StrictBool
    shape: Annotated[list[Annotated[StrictInt, Field(ge=0, le=1 << 40)]], Field(max_length=8)]


class ModuleState(_Data):
    name: Name  # "" for the model itself
    type: Name  # the class's __name__, e.g. "BatchNorm2d"
    training: StrictBool
    attributes: Annotated[dict[Name, Scalar], Field(max_length=MAX_ATTRIBUTES)] = {}


class ModelState(_Data):
    parameters: Annotated[list[ParameterState], Field(max_length=MAX_PARAMETERS)]
    modules: Annotated[list[ModuleState], Field(max_length=MAX_MODULES)]


class OptimizerGroup(_Data):
    params: Annotated[list[Name], Field(max_length=MAX_PARAMETERS)]  # the model's names
    foreign: Annotated[StrictInt, Field(ge=0, le=1 << 20)] = 0  # tensors not the model's
    hyperparameters: Annotated[dict[Name, Hyperparameter], Field(max_length=MAX_HYPERPARAMETERS)]


class OptimizerState(_Data):
    type: Name  # e.g. "AdamW"
    builtin: StrictBool  # torch.optim's own class, not one the learner wrote
    groups: Annotated[list[OptimizerGroup], Field(max_length=MAX_GROUPS)]


class ReturnedValue(_Data):
    kind: Literal["none", "bool", "int", "float", "str", "optimizer", "module", "tuple", "other"]
    type: Name  # the class's __name__ ("NoneType", "SGD", "int")
    shown: Text  # its repr, shortened
    value: StrictBool | Int | FiniteFloat | Text | None = None  # for none/bool/int/float/str
    optimizer: OptimizerState | None = None
    module: ModuleState | None = None
    items: Annotated[list[ReturnedValue], Field(max_length=MAX_ITEMS)] = []


class RaisedError(_Data):
    type: Name
    bases: Annotated[list[Name], Field(max_length=MAX_BASES)]  # names along the class's MRO
    message: Text
    line: Annotated[StrictInt, Field(ge=1, le=1 << 20)] | None = None  # in the learner's code


class CallReport(_Data):
    """One call of the learner's function on a fresh model."""

    model: ModelState | None = None
    refused: Text | None = None  # why the child would not describe the model (class swapped…)
    returned: ReturnedValue | None = None
    raised: RaisedError | None = None


class LearnerReport(_Data):
    """The whole run: the module's own error, else whether the function existed, else one
    CallReport per check, in the exercise's order."""

    module_error: RaisedError | None = None
    defined: StrictBool = True
    calls: Annotated[list[CallReport], Field(max_length=MAX_CALLS)] = []
