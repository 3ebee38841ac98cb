"""Pretraining reproduces a verified checkpoint; loading refuses missing or corrupt files."""

import json
import shutil

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
from engine.lab.pretrain import main
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
