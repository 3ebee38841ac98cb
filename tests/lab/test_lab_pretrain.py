"""Pretraining reproduces a verified checkpoint; loading refuses missing or corrupt files."""

import json
import shutil
from dataclasses import replace

import pytest
import torch

from engine.lab.checkpoint import (
    CHECKPOINT_NAME,
    SIDECAR_NAME,
    WEIGHTS_DIR,
    CheckpointError,
    load_pretrained,
    sha256_of,
)
from engine.lab.data import source_eval_split
from engine.lab.pretrain import PretrainConfig, main, pretrain
from engine.lab.train import source_accuracy


@pytest.fixture(scope="module")
def tiny_weights(tmp_path_factory):
    out = tmp_path_factory.mktemp("weights")
    argv = ["--images", "128", "--test-images", "32", "--epochs", "1", "--classes", "4"]
    assert main([*argv, "--batch-size", "32", "--out-dir", str(out)]) == 0
    return out


def test_pretraining_on_a_tiny_config_writes_a_loadable_verified_checkpoint(tiny_weights):
    meta = json.loads((tiny_weights / SIDECAR_NAME).read_text())
    assert meta["sha256"] == sha256_of(tiny_weights / CHECKPOINT_NAME)
    assert meta["source_classes"] == ["glyph00", "glyph01", "glyph02", "glyph03"]
    assert meta["config"]["epochs"] == 1 and len(meta["history"]) == 1
    pretrained = load_pretrained(tiny_weights)
    assert pretrained.model.fc.out_features == 4
    assert pretrained.source_accuracy == meta["source_test_accuracy"]


def test_a_missing_checkpoint_is_named_with_the_command_that_rebuilds_it(tmp_path):
    with pytest.raises(
        CheckpointError,
        match=r"small_resnet_glyphs64.pt is missing; rebuild it with `python -m engine pretrain`",
    ):
        load_pretrained(tmp_path)


def test_a_corrupt_checkpoint_is_refused_by_its_sha256(tiny_weights, tmp_path):
    for name in (CHECKPOINT_NAME, SIDECAR_NAME):
        shutil.copy(tiny_weights / name, tmp_path / name)
    data = bytearray((tmp_path / CHECKPOINT_NAME).read_bytes())
    data[-100] ^= 0xFF
    (tmp_path / CHECKPOINT_NAME).write_bytes(bytes(data))
    with pytest.raises(
        CheckpointError,
        match=r"small_resnet_glyphs64.pt is corrupt: its sha256 is [0-9a-f]{64} but",
    ):
        load_pretrained(tmp_path)


def test_shipped_checkpoint_is_small_verified_and_as_accurate_as_its_sidecar_says():
    pretrained = load_pretrained()
    assert (WEIGHTS_DIR / CHECKPOINT_NAME).stat().st_size <= 2 * 1024 * 1024
    assert len(pretrained.source_classes) == 64
    assert pretrained.source_accuracy > 0.95
    measured = source_accuracy(pretrained.model, source_eval_split(), torch.device("cpu"))
    assert measured == pytest.approx(pretrained.source_accuracy, abs=1e-4)


def test_pretraining_twice_with_one_seed_gives_bit_identical_weights_and_another_seed_does_not(
    tiny_weights, tmp_path
):
    argv = ["--images", "128", "--test-images", "32", "--epochs", "1", "--classes", "4"]
    argv += ["--batch-size", "32"]
    for seed in ("0", "1"):
        assert main([*argv, "--seed", seed, "--out-dir", str(tmp_path / seed)]) == 0
    first = load_pretrained(tiny_weights).model.state_dict()
    again = load_pretrained(tmp_path / "0").model.state_dict()
    other = load_pretrained(tmp_path / "1").model.state_dict()
    assert first.keys() == again.keys() == other.keys()
    assert all(torch.equal(first[k], again[k]) for k in first)
    assert sha256_of(tmp_path / "0" / CHECKPOINT_NAME) == sha256_of(tiny_weights / CHECKPOINT_NAME)
    assert not all(torch.equal(first[k], other[k]) for k in first)


def test_pretraining_gives_the_callers_thread_count_back(tmp_path):
    before = torch.get_num_threads()
    other = 1 if before != 1 else 2
    config = PretrainConfig(images=64, test_images=16, epochs=1, classes=4, batch_size=32)
    pretrain(replace(config, threads=other), tmp_path, log=lambda _: None)
    assert torch.get_num_threads() == before
