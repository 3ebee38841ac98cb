"""The cached probe's closed-form head gradients are exactly what autograd computes."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from engine.lab.head_step import linear_head_gradients


@pytest.mark.parametrize("batch", [1, 7, 32])
def test_closed_form_head_gradients_and_loss_match_autograd(batch):
    generator = torch.Generator().manual_seed(batch)
    features = torch.randn(batch, 128, generator=generator) * 3
    labels = torch.randint(0, 10, (batch,), generator=generator)
    reference = torch.nn.Linear(128, 10)
    expected_loss = F.cross_entropy(reference(features), labels)
    expected_loss.backward()

    head = torch.nn.Linear(128, 10)
    head.load_state_dict(reference.state_dict())
    loss = linear_head_gradients(features, labels, head.weight, head.bias)

    torch.testing.assert_close(loss, expected_loss.detach())
    torch.testing.assert_close(head.weight.grad, reference.weight.grad)
    torch.testing.assert_close(head.bias.grad, reference.bias.grad)


def test_closed_form_step_builds_no_autograd_graph():
    head = torch.nn.Linear(4, 3)
    loss = linear_head_gradients(
        torch.randn(5, 4), torch.tensor([0, 1, 2, 0, 1]), head.weight, head.bias
    )
    assert loss.grad_fn is None and not loss.requires_grad
    assert head.weight.grad.grad_fn is None
