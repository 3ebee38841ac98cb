"""One training step's gradients for a linear head on cached features, in closed form.

On the cached-feature probe a step is a 32×128 by 128×10 product: the arithmetic takes
microseconds and PyTorch's machinery (autograd graph, backward engine) most of a step.
For a linear layer under softmax cross-entropy the gradient is known exactly:

    p = softmax(x Wᵀ + b),  g = (p − onehot(y)) / B,  ∂L/∂W = gᵀ x,  ∂L/∂b = Σ g

so we compute it directly and leave the update to the same AdamW as every other path.
A test checks these gradients against autograd's, and a run on this path against a run
through the full network (tests/lab/test_lab_train.py).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def linear_head_gradients(
    features: torch.Tensor, labels: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor
) -> torch.Tensor:
    """Set ``weight.grad`` and ``bias.grad`` for mean cross-entropy; return the loss."""
    with torch.no_grad():
        log_probs = torch.addmm(bias, features, weight.t()).log_softmax(dim=1)
        loss = F.nll_loss(log_probs, labels)
        residual = log_probs.exp_()  # softmax, in place: log_probs is not needed again
        residual[torch.arange(len(labels), device=labels.device), labels] -= 1.0
        residual.div_(len(labels))
        weight.grad = residual.t() @ features
        bias.grad = residual.sum(dim=0)
    return loss
