"""Grade forging (red team 3, §1), through the real jail: each trick defines the asked-for
function with a body that does nothing (or only the easy half), and earns exactly what that
body earns honestly. Before the judge left the learner's process, every one scored 1.0."""

from __future__ import annotations

import json

import pytest

from engine.codecheck.grade import NOT_GRADED, grade_code
from engine.codecheck.spec import GradeResult
from tests.helpers.sandbox_pool import exercises, shared_pool, solution

pytestmark = pytest.mark.slow

DO_NOTHING = "def freeze_all_but_fc(model):\n    return None\n"
# What the old child wrote on its result pipe for a pass: now it is not even a report.
FORGED_PASS = json.dumps(
    {
        "gradable": True,
        "score": 1.0,
        "message": "All checks passed.",
        "tests": [
            {"name": n, "points": 1, "max_points": 1, "passed": True, "message": "ok"}
            for n in ("Only the head (fc) is trainable", "The frozen backbone does not move")
        ],
    }
)


def graded(exercise_id: str, code: str) -> GradeResult:
    return grade_code(exercises()[exercise_id], code, shared_pool())


def earned_nothing(result: GradeResult) -> None:
    assert result.score == 0.0, [t.message for t in result.tests]
    assert not any(t.passed for t in result.tests)


def test_the_do_nothing_function_itself_earns_nothing() -> None:
    earned_nothing(graded("freeze_all_but_fc", DO_NOTHING))


def test_replacing_the_graders_check_tables_through_sys_modules_changes_nothing() -> None:
    earned_nothing(
        graded(
            "freeze_all_but_fc",
            """
import sys
def freeze_all_but_fc(model):
    for name, module in list(sys.modules.items()):
        if name.startswith("engine.codecheck"):
            for table in ("_RUNNERS", "_CHECKS"):
                entries = getattr(module, table, None)
                if isinstance(entries, dict):
                    for key in entries:
                        entries[key] = lambda *a, **k: (True, "ok")
""",
        )
    )


def test_swapping_the_code_of_every_check_function_changes_nothing() -> None:
    earned_nothing(
        graded(
            "freeze_all_but_fc",
            """
import sys, types
def _passes(*a, **k):
    return (True, "ok")
def freeze_all_but_fc(model):
    for name in ("engine.codecheck.checks",):
        module = sys.modules.get(name)
        if module is not None:
            for value in list(vars(module).values()):
                if isinstance(value, types.FunctionType) and value is not freeze_all_but_fc:
                    try:
                        value.__code__ = _passes.__code__
                    except ValueError:
                        pass
""",
        )
    )


def test_replacing_the_result_classes_changes_nothing() -> None:
    earned_nothing(
        graded(
            "freeze_all_but_fc",
            """
import sys
spec = sys.modules["engine.codecheck.spec"]
class Outcome(spec.CheckOutcome):
    def __init__(self, **fields):
        fields.update(passed=True, points=fields.get("max_points", 1))
        super().__init__(**fields)
for name in ("engine.codecheck.spec", "engine.codecheck.runner", "engine.codecheck.judge"):
    module = sys.modules.get(name)
    if module is not None:
        module.CheckOutcome = Outcome
sys.modules["engine.codecheck.judge"] = spec
def freeze_all_but_fc(model):
    return None
""",
        )
    )


def test_patching_json_dumps_so_the_child_writes_a_pass_changes_nothing() -> None:
    result = graded(
        "freeze_all_but_fc",
        f"""
import json
_dumps = json.dumps
json.dumps = lambda *a, **k: _dumps(json.loads({FORGED_PASS!r}))
def freeze_all_but_fc(model):
    return None
""",
    )
    # Whichever json.dumps wrote the reply, it is a report or nothing: never a verdict.
    assert result.score == 0.0
    assert result.message in (NOT_GRADED, "0 of 2 checks passed.")


def test_a_forged_pass_written_on_the_result_pipe_before_exiting_is_not_graded() -> None:
    result = graded(
        "freeze_all_but_fc",
        f"""
import os, stat
def freeze_all_but_fc(model):
    for fd in range(3, 64):
        try:
            if stat.S_ISFIFO(os.fstat(fd).st_mode):
                os.write(fd, {FORGED_PASS!r}.encode())
        except OSError:
            pass
    os._exit(0)
""",
    )
    assert not result.gradable and result.score == 0.0
    assert result.message == NOT_GRADED


def test_sending_the_real_report_to_dev_null_after_a_forged_one_is_not_graded() -> None:
    result = graded(
        "freeze_all_but_fc",
        f"""
import os, stat
def freeze_all_but_fc(model):
    devnull = os.open(os.devnull, os.O_WRONLY)
    for fd in range(3, 64):
        try:
            if stat.S_ISFIFO(os.fstat(fd).st_mode):
                os.write(fd, {FORGED_PASS!r}.encode())
                os.dup2(devnull, fd)
        except OSError:
            pass
""",
    )
    assert result.score == 0.0 and result.message == NOT_GRADED


def test_a_trace_hook_setting_passed_in_every_frame_changes_nothing() -> None:
    earned_nothing(
        graded(
            "freeze_all_but_fc",
            """
import sys, threading
def _hook(frame, event, arg):
    try:
        if frame.f_code.co_name in ("_run_check", "_judge_call", "_CHECKS"):
            frame.f_locals["passed"] = True
    except Exception:
        pass
    return _hook
sys.settrace(_hook)
threading.settrace(_hook)
def freeze_all_but_fc(model):
    sys.settrace(_hook)
    frame = sys._getframe().f_back
    while frame is not None:  # the grader's frames, already running, are traced too
        frame.f_trace = _hook
        frame.f_trace_lines = True
        frame = frame.f_back
""",
        )
    )


def test_a_property_lying_about_requires_grad_is_not_believed() -> None:
    earned_nothing(
        graded(
            "freeze_all_but_fc",
            """
from torch import nn
def freeze_all_but_fc(model):
    head = {id(p) for p in model.fc.parameters()}
    nn.Parameter.requires_grad = property(lambda self: id(self) in head, lambda self, v: None)
""",
        )
    )


def test_swapping_the_models_class_is_refused_with_a_plain_message() -> None:
    result = graded(
        "freeze_all_but_fc",
        """
from engine.lab.model import SmallResNet
class _Liar(SmallResNet):
    def named_parameters(self, *a, **k):
        for name, p in super().named_parameters(*a, **k):
            yield name, p if name.startswith("fc.") else p.detach()
def freeze_all_but_fc(model):
    model.__class__ = _Liar
""",
    )
    earned_nothing(result)
    assert "replaced the model's class (it is now _Liar)" in result.tests[0].message


def test_replacing_a_bound_method_of_the_model_is_refused() -> None:
    result = graded(
        "freeze_all_but_fc",
        """
def freeze_all_but_fc(model):
    real = model.named_parameters
    model.named_parameters = lambda *a, **k: ((n, p.detach()) for n, p in real(*a, **k))
""",
    )
    earned_nothing(result)
    assert "replaced the method model.named_parameters" in result.tests[0].message


def test_patching_torch_equal_does_not_pass_the_batchnorm_statistics_check() -> None:
    starter = solution("batchnorm_eval_while_frozen", "wrong_train_only")
    honest = graded("batchnorm_eval_while_frozen", starter)
    forged = graded(
        "batchnorm_eval_while_frozen",
        "import torch\ntorch.equal = lambda a, b: True\n" + starter,
    )
    assert honest.score == forged.score == 0.5
    assert not forged.tests[1].passed


def test_the_expected_value_is_nowhere_on_the_childs_call_stack() -> None:
    earned_nothing(
        graded(
            "count_trainable_scalars",
            """
import inspect
def count_trainable_scalars(model):
    frame = inspect.currentframe().f_back
    while frame is not None:
        if "expected" in frame.f_locals:
            return frame.f_locals["expected"]
        frame = frame.f_back
    return 12345
""",
        )
    )


def test_patching_math_isclose_does_not_make_a_wrong_count_right() -> None:
    earned_nothing(
        graded(
            "count_trainable_scalars",
            "import math\nmath.isclose = lambda *a, **k: True\n"
            "def count_trainable_scalars(model):\n    return 12345\n",
        )
    )


def test_the_child_never_sees_a_check_so_it_cannot_tell_a_failing_run_from_a_passing_one():
    # A failing run rewritten as "not gradable" was a free retry; that needs the verdict.
    result = grade_code(
        exercises()["discriminative_lrs"],
        """
import gc, sys
def make_optimizer(model):
    needles = ("learning_rates", "trainable_exactly", "0.001", "layer4, fc")
    frame = sys._getframe()
    while frame is not None:
        for value in frame.f_locals.values():
            text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
            if any(n in text for n in needles):
                return "found " + repr(text[:80])
        frame = frame.f_back
    for value in gc.get_objects():
        if isinstance(value, dict) and ("learning_rates" in value or "prefixes" in value):
            return "found a check"
    return "contained"
""",
        shared_pool(),
    )
    assert result.gradable
    assert result.tests[1].message == "Expected a torch.optim optimizer to be returned; got str."


def test_a_base_exception_claiming_to_pass_fails_plainly() -> None:
    result = graded(
        "freeze_all_but_fc",
        "class Forge(BaseException):\n    def __str__(self):\n        return 'passed'\n"
        "def freeze_all_but_fc(model):\n    raise Forge()\n",
    )
    earned_nothing(result)
    assert (
        result.tests[0].message
        == "freeze_all_but_fc(model) raised Forge: passed (line 5 of your code)"
    )


def test_an_exception_with_a_huge_type_name_is_reported_shortened_and_fails() -> None:
    result = graded(
        "freeze_all_but_fc",
        "Huge = type('H' * 70000, (Exception,), {})\n"
        "def freeze_all_but_fc(model):\n    raise Huge('x')\n",
    )
    assert result.gradable
    earned_nothing(result)


def test_a_forged_reply_printed_on_stdout_is_only_output() -> None:
    reply = json.dumps({"timed_out": False, "exit_code": 0, "result": FORGED_PASS})
    result = graded(
        "freeze_all_but_fc",
        f"import os\ndef freeze_all_but_fc(model):\n    print({FORGED_PASS!r})\n"
        f"    print({reply!r}, flush=True)\n    os._exit(0)\n",
    )
    assert result.score == 0.0
    assert (
        result.message == "Your code ended the process (exit status 0) before the checks finished."
    )


def test_the_reference_still_earns_full_marks() -> None:
    assert graded("freeze_all_but_fc", solution("freeze_all_but_fc", "reference")).score == 1.0
