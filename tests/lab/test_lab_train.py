"""finetune(): streaming stats, cached features, device choice, metrics and retention."""

import itertools

import numpy as np
import pytest
import torch
from sklearn.metrics import average_precision_score, confusion_matrix, f1_score, recall_score
from sklearn.utils.class_weight import compute_class_weight

from engine.lab import train as train_module
from engine.lab.checkpoint import load_pretrained
from engine.lab.config import FinetuneConfig, Imbalance, LrSchedule
from engine.lab.data import TaskKind
from engine.lab.device import available_devices, pick_device
from engine.lab.freeze import BatchNormMode, FreezePlan, Preset, preset_plan
from engine.lab.model import SmallResNet
from engine.lab.train import balanced_class_weights, finetune, lr_factor, predict_logits
from engine.metrics.training_curves import PatienceStop, patience_stop


@pytest.fixture(scope="module")
def pretrained() -> SmallResNet:
    torch.manual_seed(0)
    return SmallResNet(8).eval()


def tiny(plan: FreezePlan, **overrides) -> FinetuneConfig:
    options = {"train_size": 50, "epochs": 2, "measure_retention": False} | overrides
    return FinetuneConfig(plan, **options)


def test_every_epoch_streams_stats_and_batches_report_progress_to_the_end(pretrained):
    epochs, progress = [], []
    result = finetune(
        tiny(preset_plan(Preset.PARTIAL), epochs=3),
        pretrained,
        on_epoch=epochs.append,
        on_batch=lambda p: progress.append(p.fraction),
    )
    assert [s.epoch for s in epochs] == [1, 2, 3] and result.history == epochs
    assert all(a.elapsed_s < b.elapsed_s for a, b in itertools.pairwise(epochs))
    assert all(0 <= s.val_accuracy <= 1 and s.val_loss > 0 for s in epochs)
    assert progress[-1] == pytest.approx(1.0) and progress == sorted(progress)
    assert result.best_epoch == min(epochs, key=lambda s: s.val_loss).epoch


def test_cached_features_give_the_same_logits_as_the_full_forward_pass(pretrained):
    plan = preset_plan(Preset.LINEAR_PROBE)
    cached = finetune(tiny(plan), pretrained)
    full = finetune(tiny(plan, cache_features=False), pretrained)
    assert cached.used_cached_features and not full.used_cached_features
    np.testing.assert_allclose(cached.test_probabilities, full.test_probabilities, atol=1e-5)
    model = cached.model.eval()
    x = torch.randn(5, 3, 32, 32)
    with torch.no_grad():
        torch.testing.assert_close(
            predict_logits(model.features, x) @ model.fc.weight.T + model.fc.bias, model(x)
        )


def test_batchnorm_in_train_mode_disables_the_feature_cache():
    plan = preset_plan(Preset.LINEAR_PROBE, frozen_bn=BatchNormMode.TRAIN)
    assert not tiny(plan).uses_cached_features
    assert not tiny(preset_plan(Preset.PARTIAL)).uses_cached_features


def test_should_stop_cancels_the_run_and_keeps_the_finished_epochs(pretrained):
    calls = {"n": 0}

    def stop_after_first_epoch() -> bool:
        calls["n"] += 1
        return calls["n"] > 2  # 50 images / batch 32 = 2 batches per epoch

    result = finetune(
        tiny(preset_plan(Preset.FULL), epochs=5), pretrained, should_stop=stop_after_first_epoch
    )
    assert result.cancelled and len(result.history) == 1


def test_results_agree_with_scikit_learn(pretrained):
    result = finetune(tiny(preset_plan(Preset.PARTIAL)), pretrained)
    predicted = result.test_probabilities.argmax(1)
    assert result.confusion == confusion_matrix(result.test_labels, predicted).tolist()
    assert result.test_macro_f1 == pytest.approx(
        f1_score(result.test_labels, predicted, average="macro")
    )
    per_class = f1_score(result.test_labels, predicted, average=None)
    assert [c.f1 for c in result.per_class] == pytest.approx(per_class.tolist())
    assert result.test_accuracy == pytest.approx((predicted == result.test_labels).mean())
    assert sum(map(sum, result.confusion)) == 397


def test_rare_task_has_two_classes_and_probabilities(pretrained):
    result = finetune(tiny(preset_plan(Preset.LINEAR_PROBE), task=TaskKind.RARE_EIGHT), pretrained)
    assert result.class_names == ("not 8", "8")
    assert result.test_probabilities.shape == (397, 2)


def test_gradual_unfreezing_adds_trainable_parameters_as_epochs_pass(pretrained):
    result = finetune(tiny(preset_plan(Preset.GRADUAL, unfreeze_every=1), epochs=3), pretrained)
    counts = [s.trainable_scalars for s in result.history]
    assert counts[0] < counts[1] < counts[2]


def test_a_plan_with_nothing_trainable_fails_with_pytorchs_own_message(pretrained):
    plan = FreezePlan(Preset.CUSTOM, frozenset(), 0.01, 0.01)
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        finetune(tiny(plan), pretrained)


@pytest.mark.parametrize(
    ("cuda", "mps", "expected"), [(True, True, "cuda"), (False, True, "mps"), (False, False, "cpu")]
)
def test_auto_device_prefers_cuda_then_mps_then_cpu(monkeypatch, cuda, mps, expected):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: mps)
    assert pick_device("auto").type == expected
    assert pick_device("cpu").type == "cpu"


@pytest.mark.parametrize(
    ("cuda", "mps", "expected"),
    [(True, False, ["auto", "cpu", "cuda"]), (False, True, ["auto", "cpu", "mps"]),
     (False, False, ["auto", "cpu"])],
)  # fmt: skip
def test_the_device_menu_offers_only_what_this_machine_has(monkeypatch, cuda, mps, expected):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: mps)
    assert available_devices() == expected


def test_the_cosine_factor_starts_at_one_halves_midway_and_reaches_zero_at_the_end():
    assert lr_factor(0, 100) == 1.0
    assert lr_factor(50, 100) == pytest.approx(0.5)
    assert lr_factor(100, 100) == pytest.approx(0.0)
    factors = [lr_factor(step, 10) for step in range(11)]
    assert all(b < a for a, b in itertools.pairwise(factors))


def learning_rates_of(config: FinetuneConfig, model: SmallResNet) -> list[float]:
    """The learning rate (of the first parameter group) at each optimizer step of a run."""
    seen: list[float] = []
    original = torch.optim.AdamW.step

    def record_lr(self, *args, **kwargs):
        seen.append(self.param_groups[0]["lr"])
        return original(self, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(torch.optim.AdamW, "step", record_lr)
        finetune(config, model)
    return seen


def test_the_cosine_schedule_sets_the_optimizer_learning_rate_step_by_step(pretrained):
    config = tiny(preset_plan(Preset.LINEAR_PROBE), epochs=2)  # 2 batches an epoch: 4 steps
    seen = learning_rates_of(config, pretrained)
    base = config.plan.head_lr
    assert seen == pytest.approx([base * lr_factor(step, 4) for step in range(4)])


def test_asking_for_a_missing_device_says_which_to_use_instead(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(
        ValueError, match="device 'cuda' is not available here; use 'auto' or 'cpu'"
    ):
        pick_device("cuda")
    with pytest.raises(ValueError, match="device must be one of auto, cpu, cuda, mps; got 'tpu'"):
        pick_device("tpu")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("epochs", 0, "epochs must be between 1 and 60; got 0"),
        ("epochs", 61, "epochs must be between 1 and 60; got 61"),
        ("batch_size", 33, "batch_size must be one of 16, 32, 64, 128; got 33"),
        ("train_size", 100, r"train_size must be one of 50, 200, 500, 1200"),
    ],
)
def test_config_bounds_name_the_allowed_values(field, value, message):
    with pytest.raises(ValueError, match=message):
        FinetuneConfig(preset_plan(Preset.FULL), **{field: value})


def test_device_override_is_used_by_finetune(pretrained, monkeypatch):
    seen = []
    real = train_module.pick_device
    monkeypatch.setattr(train_module, "pick_device", lambda d: seen.append(d) or real("cpu"))
    result = finetune(tiny(preset_plan(Preset.LINEAR_PROBE), device="cpu", epochs=1), pretrained)
    assert seen == ["cpu"] and result.device == "cpu"


def test_training_uses_the_configured_thread_count_and_restores_it_afterwards(pretrained):
    before = torch.get_num_threads()
    seen = []
    finetune(
        tiny(preset_plan(Preset.LINEAR_PROBE), threads=1, epochs=1),
        pretrained,
        on_epoch=lambda _s: seen.append(torch.get_num_threads()),
    )
    assert seen == [1] and torch.get_num_threads() == before
    with pytest.raises(ValueError, match="threads must be between 1 and"):
        FinetuneConfig(preset_plan(Preset.FULL), threads=0)


def test_early_stopping_stops_after_patience_and_restores_the_best_epochs_weights():
    # Half the labels wrong and no decay: the shipped model's probe overfits within 30 epochs.
    config = tiny(
        preset_plan(Preset.LINEAR_PROBE, head_lr=0.01), epochs=30, patience=3,
        label_noise=0.5, schedule=LrSchedule.CONSTANT,
    )  # fmt: skip
    result = finetune(config, load_pretrained().model)
    best = min(result.history, key=lambda s: s.val_loss)
    assert result.stopped_early and result.restored_best
    assert len(result.history) == best.epoch + 3 < 30  # three epochs without improvement
    assert patience_stop(result.history, 3) == PatienceStop(best, len(result.history))
    assert result.weights_epoch == result.best_epoch == best.epoch
    # The reported validation figures are the best epoch's, not the last epoch's.
    val_loss = torch.nn.functional.nll_loss(
        torch.log(torch.from_numpy(result.val_probabilities)), torch.from_numpy(result.val_labels)
    )
    assert float(val_loss) == pytest.approx(best.val_loss, rel=1e-3)
    assert result.val_accuracy == pytest.approx(best.val_accuracy)
    assert result.val_macro_f1 == pytest.approx(best.val_macro_f1)
    assert best.val_loss < result.history[-1].val_loss


def test_without_patience_every_figure_comes_from_the_last_epoch(pretrained):
    result = finetune(tiny(preset_plan(Preset.PARTIAL), epochs=3), pretrained)
    assert (result.weights_epoch, result.restored_best, result.stopped_early) == (3, False, False)
    assert result.val_accuracy == pytest.approx(result.history[-1].val_accuracy)


def test_warm_up_ramps_the_learning_rate_linearly_before_the_cosine_schedule(pretrained):
    config = tiny(preset_plan(Preset.LINEAR_PROBE), epochs=3, warmup_epochs=1)  # 2 steps each
    seen = learning_rates_of(config, pretrained)
    base = config.plan.head_lr
    ramp = [0.5, 1.0, 1.0, 1.0, 1.0, 1.0]
    assert seen == pytest.approx([base * r * lr_factor(s, 6) for s, r in enumerate(ramp)])


def test_balanced_class_weights_match_scikit_learns():
    labels = torch.tensor([0] * 18 + [1] * 2)
    expected = compute_class_weight("balanced", classes=np.array([0, 1]), y=labels.numpy())
    np.testing.assert_allclose(balanced_class_weights(labels, 2).numpy(), expected, rtol=1e-6)


@pytest.mark.parametrize("remedy", [Imbalance.CLASS_WEIGHTS, Imbalance.RESAMPLE])
def test_imbalance_remedies_raise_the_rare_eights_recall_at_the_default_threshold(remedy):
    shipped = load_pretrained().model

    def recall_and_ap(imbalance: Imbalance) -> tuple[float, float]:
        config = FinetuneConfig(
            preset_plan(Preset.LINEAR_PROBE), task=TaskKind.RARE_EIGHT, epochs=10,
            measure_retention=False, imbalance=imbalance,
        )  # fmt: skip
        result = finetune(config, shipped)
        scores = result.val_probabilities[:, 1]
        return (
            recall_score(result.val_labels, scores >= 0.5),
            average_precision_score(result.val_labels, scores),
        )

    plain_recall, plain_ap = recall_and_ap(Imbalance.NONE)
    recall, ap = recall_and_ap(remedy)
    assert recall > plain_recall + 0.3  # 0.37 → 0.95 on the 19 validation eights
    assert ap == pytest.approx(plain_ap, abs=0.03)  # the ranking barely changes


def test_lp_ft_trains_the_head_alone_then_thaws_the_whole_backbone(pretrained):
    plan = preset_plan(Preset.LP_FT)
    assert [plan.trainable_at(e) for e in (1, 3)] == [frozenset({"head"})] * 2
    assert plan.trainable_at(4) == plan.trainable
    result = finetune(tiny(plan, epochs=5), pretrained)
    counts = [record.trainable_scalars for record in result.history]
    assert counts[0] == counts[2] < counts[3] == counts[4]
