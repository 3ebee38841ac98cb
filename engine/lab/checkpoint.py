"""The shipped pretrained checkpoint: save with a sha256 sidecar, load only if it verifies."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from engine.lab.model import SmallResNet

WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"
CHECKPOINT_NAME = "small_resnet_glyphs64.pt"
SIDECAR_NAME = "small_resnet_glyphs64.json"
REBUILD_HINT = "rebuild it with `python -m engine pretrain` (about 3 minutes on 2 CPU cores)"


class CheckpointError(RuntimeError):
    """The pretrained weights are missing, corrupt or do not match their sidecar."""


@dataclass(frozen=True)
class Pretrained:
    """The pretrained model (source head included) and what its sidecar says about it."""

    model: SmallResNet
    source_classes: tuple[str, ...]
    source_accuracy: float
    meta: dict[str, Any]


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def save_checkpoint(model: SmallResNet, meta: dict[str, Any], weights_dir: Path) -> Path:
    """Write the weights and a JSON sidecar carrying their sha256; returns the weights' path."""
    weights_dir.mkdir(parents=True, exist_ok=True)
    path = weights_dir / CHECKPOINT_NAME
    state = {k: v.contiguous() for k, v in model.state_dict().items()}
    torch.save(state, path)
    sidecar = {"file": CHECKPOINT_NAME, "sha256": sha256_of(path), "bytes": path.stat().st_size}
    sidecar |= meta
    (weights_dir / SIDECAR_NAME).write_text(json.dumps(sidecar, indent=2) + "\n")
    return path


def load_pretrained(weights_dir: Path = WEIGHTS_DIR) -> Pretrained:
    """Load and verify the checkpoint; raises CheckpointError naming the file and the fix."""
    path, sidecar_path = weights_dir / CHECKPOINT_NAME, weights_dir / SIDECAR_NAME
    for needed in (path, sidecar_path):
        if not needed.is_file():
            raise CheckpointError(
                f"Pretrained checkpoint file {needed} is missing; {REBUILD_HINT}."
            )
    try:
        meta = json.loads(sidecar_path.read_text())
    except json.JSONDecodeError as err:
        raise CheckpointError(f"{sidecar_path} is not valid JSON ({err}); {REBUILD_HINT}.") from err
    actual = sha256_of(path)
    if actual != meta.get("sha256"):
        raise CheckpointError(
            f"{path} is corrupt: its sha256 is {actual} but {sidecar_path.name} expects "
            f"{meta.get('sha256')}; {REBUILD_HINT}."
        )
    try:
        classes = tuple(meta["source_classes"])
        widths = tuple(meta["config"]["widths"])
        accuracy = float(meta["source_test_accuracy"])
        model = SmallResNet(len(classes), widths)
        # weights_only: the file holds tensors only, so nothing in it can run code on load.
        model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
    except (KeyError, TypeError, ValueError, RuntimeError) as err:
        raise CheckpointError(
            f"{sidecar_path} does not describe {path.name} ({type(err).__name__}: {err}); "
            f"{REBUILD_HINT}."
        ) from err
    model.eval()
    return Pretrained(model, classes, accuracy, meta)
