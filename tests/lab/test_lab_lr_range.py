"""The learning-rate range test: geometric rates, early stop on divergence, the suggestion."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

from engine.lab.lr_range import START_LR, partial_range, probe_range, steepest_index, sweep
from engine.lab.model import SmallResNet


def separable(n: int = 256) -> tuple[torch.Tensor, torch.Tensor]:
    torch.manual_seed(0)
    x = torch.randn(n, 8)
    return x, (x[:, 0] > 0).long()


def test_rates_grow_geometrically_from_start_to_end_when_nothing_diverges():
    x, y = separable()
    head = nn.Linear(8, 2)
    found = sweep(head, list(head.parameters()), x, y, steps=30, start=1e-4, end=1e-2)
    assert not found.diverged
    assert len(found.learning_rates) == len(found.losses) == len(found.smoothed) == 30
    assert found.learning_rates[0] == pytest.approx(1e-4)
    assert found.learning_rates[-1] == pytest.approx(1e-2)
    ratios = np.diff(np.log(found.learning_rates))
    np.testing.assert_allclose(ratios, ratios[0])


def test_the_sweep_stops_once_the_loss_blows_up_and_suggests_a_rate_below_the_minimum():
    x, y = separable()
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(8, 64), nn.ReLU(), nn.Linear(64, 2))
    found = sweep(net, list(net.parameters()), x, y, steps=100, start=1e-5, end=100.0)
    assert found.diverged
    assert len(found.losses) < 100
    assert START_LR <= found.steepest_lr <= found.minimum_lr
    assert all(math.isfinite(v) for v in found.losses[:-1])


def test_steepest_index_is_the_fastest_fall_before_the_minimum():
    log_rates = np.log(np.geomspace(1e-5, 1, 20))
    curve = np.array([2.0] * 5 + [1.95, 1.9, 1.0, 0.1, 0.05, 0.04] + [0.5, 1, 3, 9] + [20] * 5)
    assert steepest_index(curve, log_rates, int(np.argmin(curve))) == 7


def test_probe_range_runs_on_cached_features_of_the_frozen_backbone():
    torch.manual_seed(0)
    found = probe_range(SmallResNet(8).eval(), train_size=50, steps=12)
    assert 1 <= len(found.losses) <= 12
    assert found.learning_rates[0] == pytest.approx(START_LR)


def test_partial_range_steps_only_layer4_and_the_head():
    torch.manual_seed(0)
    pretrained = SmallResNet(8).eval()
    before = {n: p.detach().clone() for n, p in pretrained.named_parameters()}
    found = partial_range(pretrained, train_size=50, steps=5)
    assert len(found.losses) == 5
    # the sweep trains a copy: the shared pretrained model is untouched
    assert all(torch.equal(p, before[n]) for n, p in pretrained.named_parameters())
