"""FreezePlan presets, apply_plan, the parameter table and the code that realises a plan."""

import copy
from dataclasses import dataclass

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torchvision.models import resnet18

from engine.lab.freeze import (
    ALL_BLOCKS,
    HEAD,
    BatchNormMode,
    FreezePlan,
    Preset,
    apply_plan,
    build_model,
    build_optimizer,
    preset_plan,
    set_train_mode,
)
from engine.lab.model import SmallResNet
from engine.lab.params import parameter_table
from engine.lab.plan_code import plan_code


@pytest.fixture(scope="module")
def pretrained() -> SmallResNet:
    torch.manual_seed(0)
    model = SmallResNet(8)
    # Non-trivial running statistics, as a pretrained model has.
    model.train()
    with torch.no_grad():
        model(torch.randn(64, 3, 32, 32) * 2 + 1)
    return model.eval()


def numel(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def _train_steps(model: SmallResNet, plan: FreezePlan, steps: int = 3) -> None:
    optimizer = build_optimizer(model, plan)
    torch.manual_seed(1)
    for _ in range(steps):
        set_train_mode(model, plan)
        loss = F.cross_entropy(model(torch.randn(8, 3, 32, 32)), torch.randint(0, 10, (8,)))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def test_linear_probe_trains_only_the_new_head(pretrained):
    model = build_model(preset_plan(Preset.LINEAR_PROBE), pretrained, 10)
    table = parameter_table(model)
    assert table.trainable_scalars == 128 * 10 + 10
    assert table.trainable_tensors == 2
    assert model.fc.out_features == 10


def test_partial_plan_trains_layer4_and_the_head(pretrained):
    model = build_model(preset_plan(Preset.PARTIAL), pretrained, 10)
    assert parameter_table(model).trainable_scalars == numel(model.layer4) + numel(model.fc)


@pytest.mark.parametrize("preset", [Preset.FULL, Preset.DISCRIMINATIVE, Preset.SCRATCH])
def test_whole_model_plans_train_every_parameter(pretrained, preset):
    model = build_model(preset_plan(preset), pretrained, 10)
    table = parameter_table(model)
    assert table.trainable_scalars == table.total_scalars == numel(model)


def test_table_totals_agree_with_the_two_one_line_pytorch_counts(pretrained):
    model = build_model(preset_plan(Preset.CUSTOM), pretrained, 10)
    table = parameter_table(model)
    assert table.trainable_tensors == sum(p.requires_grad for p in model.parameters())
    assert table.trainable_scalars == sum(p.numel() for p in model.parameters() if p.requires_grad)
    assert table.total_tensors == len(list(model.parameters()))
    assert [r.status for r in table.rows] == ["frozen"] * 4 + ["trainable"] * 3
    assert table.as_records()[-1]["block"] == "total"


def test_linear_probe_leaves_backbone_weights_bit_identical_after_training_steps(pretrained):
    plan = preset_plan(Preset.PARTIAL)
    model = build_model(plan, pretrained, 10)
    before = copy.deepcopy(model.state_dict())
    _train_steps(model, plan)
    after = model.state_dict()
    for name, value in before.items():
        block = name.split(".")[0]
        if block in {"layer4", "fc"}:
            continue
        assert torch.equal(after[name], value), name  # weights *and* BN statistics
    assert not torch.equal(after["layer4.0.conv1.weight"], before["layer4.0.conv1.weight"])
    assert not torch.equal(after["fc.weight"], before["fc.weight"])


def test_frozen_batchnorm_statistics_stay_put_in_eval_mode_and_drift_in_train_mode(pretrained):
    key = "layer1.0.bn1.running_mean"
    for mode, should_change in ((BatchNormMode.EVAL, False), (BatchNormMode.TRAIN, True)):
        plan = preset_plan(Preset.LINEAR_PROBE, frozen_bn=mode)
        model = build_model(plan, pretrained, 10)
        weights_before = model.layer1[0].bn1.weight.clone()
        _train_steps(model, plan)
        assert torch.equal(model.layer1[0].bn1.weight, weights_before)  # frozen either way
        changed = not torch.equal(model.state_dict()[key], pretrained.state_dict()[key])
        assert changed is should_change, mode


def test_optimizer_receives_only_trainable_parameters_in_lr_groups(pretrained):
    plan = preset_plan(Preset.DISCRIMINATIVE)
    model = build_model(plan, pretrained, 10)
    optimizer = build_optimizer(model, plan)
    lrs = {group["name"]: group["lr"] for group in optimizer.param_groups}
    assert lrs == {"head": 0.01, "backbone": 0.001}
    probe = build_model(preset_plan(Preset.LINEAR_PROBE), pretrained, 10)
    handed = [
        p
        for g in build_optimizer(probe, preset_plan(Preset.LINEAR_PROBE)).param_groups
        for p in g["params"]
    ]
    assert {id(p) for p in handed} == {id(p) for p in probe.fc.parameters()}


def test_gradual_unfreezing_thaws_one_block_every_two_epochs_from_the_top():
    plan = preset_plan(Preset.GRADUAL)
    assert plan.trainable_at(1) == plan.trainable_at(2) == {HEAD}
    assert plan.trainable_at(3) == {HEAD, "layer4"}
    assert plan.trainable_at(5) == {HEAD, "layer4", "layer3"}
    assert plan.trainable_at(11) == set(ALL_BLOCKS)


def test_plan_rejects_unknown_blocks_and_names_the_allowed_ones():
    with pytest.raises(
        ValueError, match=r"unknown block\(s\) \['layer5'\]; allowed: conv1, bn1, layer1"
    ):
        FreezePlan(Preset.CUSTOM, frozenset({"layer5"}), 0.01, 0.01)


@pytest.mark.parametrize("preset", list(Preset))
def test_generated_code_gives_the_same_trainable_counts_as_apply_plan(pretrained, preset):
    plan = preset_plan(preset)
    expected = parameter_table(build_model(plan, pretrained, 10))
    first_epoch = []
    namespace = {
        "model": copy.deepcopy(pretrained),
        "train_one_epoch": lambda model, _optimizer: first_epoch.append(parameter_table(model)),
    }
    exec(plan_code(plan, num_classes=10, epochs=1), namespace)
    assert first_epoch == [expected]


@dataclass(frozen=True)
class EpochState:
    trainable: frozenset[str]  # blocks whose parameters all have requires_grad
    training: dict[str, bool]  # each block's train/eval flag (what BatchNorm obeys)
    optimized: frozenset[int]  # ids of the parameters the optimizer steps
    with_gradients: frozenset[int]  # ids of the parameters with requires_grad


def epoch_state(model: nn.Module, optimizer: torch.optim.Optimizer | None) -> EpochState:
    blocks = {name: getattr(model, "fc" if name == HEAD else name) for name in ALL_BLOCKS}
    trainable = [n for n, b in blocks.items() if all(p.requires_grad for p in b.parameters())]
    grouped = optimizer.param_groups if optimizer else []
    return EpochState(
        frozenset(trainable),
        {name: block.training for name, block in blocks.items()},
        frozenset(id(p) for group in grouped for p in group["params"]),
        frozenset(id(p) for p in model.parameters() if p.requires_grad),
    )


@pytest.mark.parametrize("bn_mode", list(BatchNormMode))
@pytest.mark.parametrize("preset", list(Preset))
def test_generated_code_run_on_torchvision_resnet18_thaws_and_sets_batchnorm_like_the_engine(
    pretrained, preset, bn_mode
):
    plan = preset_plan(preset, frozen_bn=bn_mode)
    epochs = 12  # gradual unfreezing has thawed every block by epoch 11
    seen: list[EpochState] = []
    namespace = {
        "model": resnet18(weights=None),
        "train_one_epoch": lambda model, optimizer: seen.append(epoch_state(model, optimizer)),
    }
    exec(plan_code(plan, num_classes=10, epochs=epochs), namespace)
    assert len(seen) == epochs
    engine_model = build_model(plan, pretrained, 10)
    for epoch, state in enumerate(seen, start=1):
        apply_plan(engine_model, plan, epoch)
        set_train_mode(engine_model, plan, epoch)
        expected = epoch_state(engine_model, None)
        assert state.trainable == plan.trainable_at(epoch) == expected.trainable, epoch
        assert state.training == expected.training, epoch
        assert state.optimized == state.with_gradients, epoch


def test_apply_plan_can_freeze_even_the_head(pretrained):
    plan = FreezePlan(Preset.CUSTOM, frozenset(), 0.01, 0.01)
    model = apply_plan(build_model(plan, pretrained, 10), plan)
    assert parameter_table(model).trainable_scalars == 0
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        build_optimizer(model, plan)
