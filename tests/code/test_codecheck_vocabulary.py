"""Checks a regularisation question needs (instructor trial 3, §4-5): the optimizer's class
and each group's hyperparameters, a module's settings (nn.Dropout's p, a loss's
label_smoothing), the model's mode; each judged on the data snapshot. And `validate` runs
every code question's key through the sandbox and the judge."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from builders import bank_dict, question

from engine.codecheck.runner import grade
from engine.codecheck.spec import CodeExercise

ADAMW = (
    "import torch\n"
    "def make_optimizer(model):\n"
    "    for name, p in model.named_parameters():\n"
    "        p.requires_grad = name.startswith('fc.')\n"
    "    return torch.optim.AdamW(model.fc.parameters(), lr=1e-3, weight_decay=0.01)\n"
)
# What the instructor submitted in the trial, graded "3 of 3 checks passed" at the time.
PLAIN_SGD = (
    "import torch\n"
    "def make_optimizer(model):\n"
    "    for name, p in model.named_parameters():\n"
    "        p.requires_grad = name.startswith('fc.')\n"
    "    return torch.optim.SGD(model.fc.parameters(), lr=1e-3)\n"
)


def exercise(*checks: dict[str, Any], function: str = "make_optimizer") -> CodeExercise:
    return CodeExercise.model_validate({"id": "x", "function": function, "checks": list(checks)})


WEIGHT_DECAY = exercise(
    {"check": "trainable_exactly", "prefixes": ["fc"]},
    {"check": "optimizer_holds_trainable", "learning_rates": {"fc": 1e-3}},
    {
        "check": "optimizer_is",
        "name": "AdamW with weight decay 0.01",
        "optimizer": "AdamW",
        "hyperparameters": {"weight_decay": 0.01, "betas": [0.9, 0.999]},
    },
)


def test_adamw_with_weight_decay_passes_the_regularisation_question() -> None:
    result = grade(WEIGHT_DECAY, ADAMW)
    assert result.score == 1.0, [t.message for t in result.tests]
    assert (
        result.tests[2].message == "A torch.optim.AdamW with weight_decay=0.01, betas=(0.9, 0.999)."
    )


def test_plain_sgd_without_weight_decay_no_longer_gets_full_marks() -> None:
    result = grade(WEIGHT_DECAY, PLAIN_SGD)
    assert result.score == pytest.approx(2 / 3)
    assert result.tests[2].message == "Expected a torch.optim.AdamW; got SGD."


def test_a_wrong_hyperparameter_in_one_group_is_named() -> None:
    code = ADAMW.replace("lr=1e-3, weight_decay=0.01", "lr=1e-3, weight_decay=0.1")
    result = grade(WEIGHT_DECAY, code)
    assert result.tests[2].message == (
        "Wrong optimizer settings: the optimizer has weight_decay 0.1, expected 0.01."
    )


def test_per_group_settings_follow_the_groups_parameters() -> None:
    checks = exercise(
        {
            "check": "optimizer_is",
            "optimizer": "SGD",
            "hyperparameters": {"momentum": 0.9},
            "groups": {"fc": {"lr": 0.01}, "layer4": {"lr": 0.001}},
        }
    )
    right = (
        "import torch\ndef make_optimizer(model):\n    return torch.optim.SGD(["
        "{'params': model.layer4.parameters(), 'lr': 0.001},"
        "{'params': model.fc.parameters(), 'lr': 0.01}], momentum=0.9)\n"
    )
    assert grade(checks, right).score == 1.0
    swapped = right.replace("'lr': 0.001}", "'lr': 0.002}")
    assert grade(checks, swapped).tests[0].message == (
        "Wrong optimizer settings: group 0 has lr 0.002, expected 0.001."
    )


def test_a_dropout_probability_and_a_losss_label_smoothing_are_checked() -> None:
    checks = exercise(
        {"check": "module_attribute", "module": "fc.0", "module_type": "Dropout",
         "attribute": "p", "expected": 0.5},
        {"check": "module_attribute", "returned": True, "module_type": "CrossEntropyLoss",
         "attribute": "label_smoothing", "expected": 0.1},
        function="regularise",
    )  # fmt: skip
    code = (
        "from torch import nn\ndef regularise(model):\n"
        "    model.fc = nn.Sequential(nn.Dropout(p={p}), nn.Linear(128, 10))\n"
        "    return nn.CrossEntropyLoss(label_smoothing={s})\n"
    )
    assert grade(checks, code.format(p=0.5, s=0.1)).score == 1.0
    wrong = grade(checks, code.format(p=0.2, s=0.0))
    assert [t.message for t in wrong.tests] == [
        "Expected model.fc.0.p to be 0.5; it is 0.2.",
        "Expected the returned CrossEntropyLoss.label_smoothing to be 0.1; it is 0.",
    ]


def test_the_models_mode_is_checked_for_the_model_or_a_kind_of_layer() -> None:
    checks = exercise(
        {"check": "model_mode", "mode": "train"},
        {
            "check": "model_mode",
            "mode": "eval",
            "modules": ["layer1"],
            "module_type": "BatchNorm2d",
        },
        function="prepare",
    )
    good = (
        "from torch import nn\ndef prepare(model):\n    model.train()\n"
        "    for m in model.layer1.modules():\n"
        "        if isinstance(m, nn.BatchNorm2d):\n            m.eval()\n"
    )
    assert grade(checks, good).score == 1.0
    result = grade(checks, "def prepare(model):\n    model.eval()\n")
    assert result.tests[0].message == (
        "Expected the model in train mode (model.train()); in the other mode: model."
    )


def bank_with(reference: str, starter: str) -> dict[str, Any]:
    body = question(
        "reg-adamw",
        type="code",
        choices=[],
        function="make_optimizer",
        starter_code=starter,
        reference_solution=reference,
        checks=[c.model_dump(exclude_none=True) for c in WEIGHT_DECAY.checks],
    )
    body.pop("answer")
    return bank_dict([body])


def validate_output(
    tmp_path: Path, bank: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> tuple[int, str]:
    from engine.__main__ import main

    path = tmp_path / "regularisation.yaml"
    path.write_text(yaml.safe_dump(bank, sort_keys=False))
    code = main(["validate", str(path), "--seeds", "1"])
    return code, capsys.readouterr().out


@pytest.mark.slow
def test_validate_refuses_a_reference_that_fails_its_own_check_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = validate_output(
        tmp_path, bank_with(PLAIN_SGD, "def make_optimizer(model):\n    pass\n"), capsys
    )
    assert code == 1
    assert (
        "[reg-adamw] reference_solution scores 67%, not 100%: check 'AdamW with weight "
        "decay 0.01' failed: Expected a torch.optim.AdamW; got SGD." in out
    )


@pytest.mark.slow
def test_validate_refuses_a_starter_that_already_scores_full_marks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = validate_output(tmp_path, bank_with(ADAMW, ADAMW), capsys)
    assert code == 1
    assert "[reg-adamw] starter_code already scores full marks" in out
    code, out = validate_output(tmp_path, bank_with(ADAMW, PLAIN_SGD), capsys)
    assert code == 0, out
