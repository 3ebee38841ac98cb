"""LoRA (through peft), BitFit and BatchNorm-only: what trains, the share, merging, a real run."""

from __future__ import annotations

import copy

import pytest
import torch
from torch import nn

from engine.lab.freeze import build_model, preset_plan
from engine.lab.model import SmallResNet
from engine.lab.peft_presets import (
    LORA_TARGETS,
    EfficientPlan,
    Strategy,
    adapt,
    add_lora,
    efficient_code,
    lora_config,
    merge_check,
    merged,
    train_efficient,
    trainable_share,
)


@pytest.fixture(scope="module")
def pretrained() -> SmallResNet:
    torch.manual_seed(0)
    return SmallResNet(8).eval()


def adapted(pretrained: SmallResNet, plan: EfficientPlan) -> SmallResNet:
    model = build_model(preset_plan("linear_probe"), pretrained, 10)
    adapt(model, plan)
    return model


def requires_grad_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def test_bn_only_trains_every_batchnorm_scale_and_shift_and_the_head(pretrained):
    model = adapted(pretrained, EfficientPlan(Strategy.BN_AFFINE))
    bn = sum(
        p.numel() for m in model.modules() if isinstance(m, nn.BatchNorm2d) for p in m.parameters()
    )
    head = sum(p.numel() for p in model.fc.parameters())
    share = trainable_share(model)
    assert share.trainable == requires_grad_count(model) == bn + head
    assert share.total == sum(p.numel() for p in model.parameters())
    assert all(not m.weight.requires_grad for m in model.modules() if isinstance(m, nn.Conv2d))


def test_bitfit_trains_the_biases_only_which_here_are_half_of_batchnorm(pretrained):
    bitfit = adapted(pretrained, EfficientPlan(Strategy.BITFIT))
    trainable = {n for n, p in bitfit.named_parameters() if p.requires_grad}
    assert trainable == {n for n, _ in bitfit.named_parameters() if n.endswith("bias")} | {
        "fc.weight"
    }
    bn_only = adapted(pretrained, EfficientPlan(Strategy.BN_AFFINE))
    head = sum(p.numel() for p in bitfit.fc.parameters())
    bn_shifts = trainable_share(bitfit).trainable - head
    assert 2 * bn_shifts == trainable_share(bn_only).trainable - head


def test_lora_share_matches_peft_own_count_and_only_adapters_and_head_train(pretrained):
    from peft import get_peft_model

    model = adapted(pretrained, EfficientPlan(Strategy.LORA, rank=4, alpha=8))
    share = trainable_share(model)
    assert share.trainable == requires_grad_count(model)
    trainable = [n for n, p in model.named_parameters() if p.requires_grad]
    assert all("lora_" in n or n.startswith("fc.") for n in trainable)
    # peft's own count on the same network (its head frozen, as get_peft_model leaves it).
    reference = build_model(preset_plan("linear_probe"), pretrained, 10)
    peft_trainable, peft_total = get_peft_model(
        reference, lora_config(4, 8)
    ).get_nb_trainable_parameters()
    head = sum(p.numel() for p in model.fc.parameters())
    assert (share.trainable, share.total) == (peft_trainable + head, peft_total)
    # A rank-r update of a k×k convolution costs r × (in × k × k + out) numbers.
    convs = [
        m
        for n, m in reference.named_modules()
        if n.endswith(LORA_TARGETS) and hasattr(m, "base_layer")
    ]
    expected = sum(4 * (c.base_layer.in_channels * 9 + c.base_layer.out_channels) for c in convs)
    assert peft_trainable == expected


def test_merge_and_unload_gives_the_same_outputs_as_the_adapted_model(pretrained):
    from peft import get_peft_model

    model = build_model(preset_plan("linear_probe"), pretrained, 10)
    peft_model = get_peft_model(model, lora_config(4, 8))
    torch.manual_seed(1)
    for name, parameter in peft_model.named_parameters():
        if "lora_B" in name:  # B starts at zero: give the update something to merge
            nn.init.normal_(parameter, std=0.05)
    peft_model.eval()
    x = torch.randn(6, 3, 32, 32)
    with torch.no_grad():
        adapted_out = peft_model(x)
        ours = merged(peft_model.base_model.model).eval()(x)
        theirs = peft_model.merge_and_unload().eval()(x)
    assert not torch.allclose(adapted_out, pretrained_out(pretrained, model, x))
    torch.testing.assert_close(theirs, adapted_out, atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(ours, adapted_out, atol=1e-5, rtol=1e-4)


def pretrained_out(pretrained: SmallResNet, model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """The same network without LoRA: pretrained backbone, the model's (new) head."""
    plain = copy.deepcopy(pretrained).eval()
    plain.fc = copy.deepcopy(model.get_submodule("fc"))
    with torch.no_grad():
        return plain(x)


def test_merged_model_has_no_lora_layers_and_the_original_size(pretrained):
    model = build_model(preset_plan("linear_probe"), pretrained, 10)
    add_lora(model, 2, 4)
    plain = merged(model)
    assert not [n for n, _ in plain.named_parameters() if "lora_" in n]
    original = build_model(preset_plan("linear_probe"), pretrained, 10)
    assert [n for n, _ in plain.named_parameters()] == [n for n, _ in original.named_parameters()]


@pytest.mark.parametrize("strategy", list(Strategy))
def test_generated_code_leaves_the_same_parameters_trainable_as_the_engine(pretrained, strategy):
    plan = EfficientPlan(strategy)
    namespace: dict[str, object] = {"model": copy.deepcopy(pretrained)}
    exec(efficient_code(plan, num_classes=10), namespace)
    generated = namespace["model"]
    assert isinstance(generated, nn.Module)
    assert trainable_share(generated) == trainable_share(adapted(pretrained, plan))
    optimizer = namespace["optimizer"]
    assert isinstance(optimizer, torch.optim.AdamW)
    stepped = sum(p.numel() for g in optimizer.param_groups for p in g["params"])
    assert stepped == requires_grad_count(generated)


def test_lora_code_uses_peft():
    code = efficient_code(EfficientPlan(Strategy.LORA, rank=8, alpha=16))
    assert "from peft import LoraConfig, get_peft_model" in code
    assert "r=8, lora_alpha=16" in code


def test_plan_rejects_a_rank_off_the_list_and_names_the_allowed_ones():
    with pytest.raises(ValueError, match=r"rank must be one of 1, 2, 4, 8, 16; got 3"):
        EfficientPlan(Strategy.LORA, rank=3)


@pytest.mark.slow
@pytest.mark.parametrize("strategy", list(Strategy))
def test_a_tiny_run_changes_only_what_the_strategy_trains(pretrained, strategy):
    run = train_efficient(
        EfficientPlan(strategy), pretrained, train_size=50, epochs=1, measure_retention=True
    )
    assert run.result.model is not None
    assert len(run.result.history) == 1
    assert run.result.retention is not None
    assert 0 <= run.result.val_accuracy <= 1
    assert run.share.trainable == requires_grad_count(run.result.model)
    # Every frozen pretrained weight is bit-identical after training.
    trained = dict(run.result.model.named_parameters())
    for name, weight in pretrained.named_parameters():
        key = name.replace(".weight", ".base_layer.weight")  # a conv LoRA wrapped
        key = key if key in trained else name
        if name.startswith("fc.") or key not in trained or trained[key].requires_grad:
            continue
        assert torch.equal(trained[key].detach(), weight), name


def test_merge_check_reports_identical_outputs_and_the_original_size(pretrained):
    model = build_model(preset_plan("linear_probe"), pretrained, 10)
    add_lora(model, 4, 8)
    for name, parameter in model.named_parameters():
        if "lora_B" in name:
            nn.init.normal_(parameter, std=0.05)
    check = merge_check(model)
    original = sum(
        p.numel() for p in build_model(preset_plan("linear_probe"), pretrained, 10).parameters()
    )
    assert check.merged_parameters == original < check.adapted_parameters
    assert check.largest_difference < 1e-4
