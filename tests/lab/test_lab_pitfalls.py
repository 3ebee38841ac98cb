"""The three freezing pitfalls, run for real on the shipped checkpoint."""

import pytest

from engine.lab.checkpoint import load_pretrained
from engine.lab.pitfalls import frozen_batchnorm_drift, nothing_trainable, stale_optimizer


@pytest.fixture(scope="module")
def pretrained():
    return load_pretrained().model


def test_nothing_trainable_raises_pytorchs_errors_at_backward_and_in_the_optimizer(pretrained):
    outcome = nothing_trainable(pretrained)
    assert outcome.backward_error.startswith(
        "element 0 of tensors does not require grad and does not have a grad_fn"
    )
    assert outcome.optimizer_error == "optimizer got an empty parameter list"


@pytest.mark.slow
def test_optimizer_built_before_replacing_fc_leaves_the_loss_flat(pretrained):
    outcome = stale_optimizer(pretrained, steps=6)
    assert not outcome.new_head_in_stale_optimizer
    assert len(set(outcome.losses_stale)) == 1  # the same batch, nothing stepped: bit-identical
    assert outcome.losses_fixed[-1] < 0.8 * outcome.losses_fixed[0]


@pytest.mark.slow
def test_frozen_batchnorm_in_train_mode_drifts_and_costs_source_accuracy(pretrained):
    outcome = frozen_batchnorm_drift(pretrained, epochs=2)
    assert outcome.running_mean_change_bn_eval == 0.0
    assert outcome.running_mean_change_bn_train > 0.01
    assert outcome.source_accuracy_bn_eval == outcome.source_accuracy_before
    assert outcome.source_accuracy_bn_train < outcome.source_accuracy_before - 0.02


@pytest.mark.slow
def test_frozen_batchnorm_in_train_mode_is_a_trade_off_that_helps_the_digits(pretrained):
    outcome = frozen_batchnorm_drift(pretrained, epochs=2)
    # Statistics that follow the digits help the digit head: the gain the source drop buys.
    assert outcome.target_accuracy_bn_train > outcome.target_accuracy_bn_eval + 0.02
    assert 0.5 < outcome.target_accuracy_bn_eval < 1.0
