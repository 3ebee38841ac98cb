"""Pretrain SmallResNet on the procedural glyph task and write the shipped checkpoint.

Run ``python -m engine.lab.pretrain`` (defaults reproduce engine/lab/weights/); tests pass a
tiny configuration such as ``--images 256 --epochs 1 --classes 8``.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
import torch.nn.functional as F

from engine.lab.checkpoint import WEIGHTS_DIR, save_checkpoint
from engine.lab.data import SOURCE_EVAL_IMAGES, normalize
from engine.lab.device import torch_threads
from engine.lab.model import DEFAULT_WIDTHS, SmallResNet
from engine.lab.source import SOURCE_TEST_SEED, make_source_dataset


@dataclass(frozen=True)
class PretrainConfig:
    images: int = 20_000  # training images generated from the seed
    test_images: int = SOURCE_EVAL_IMAGES  # fixed source test set (its own seed)
    classes: int = 64
    epochs: int = 8
    batch_size: int = 128
    lr: float = 0.1  # OneCycle peak for SGD with Nesterov momentum
    seed: int = 0
    threads: int = 2
    widths: tuple[int, ...] = DEFAULT_WIDTHS


def _accuracy(model: SmallResNet, images: torch.Tensor, labels: torch.Tensor) -> float:
    model.eval()
    with torch.no_grad():
        logits = torch.cat([model(images[i : i + 512]) for i in range(0, len(images), 512)])
    return float((logits.argmax(1) == labels).float().mean())


def pretrain(config: PretrainConfig, out_dir: Path, log=print) -> dict:
    """Generate the source task, train, evaluate and save; returns the sidecar metadata."""
    with torch_threads(config.threads):  # the caller's thread count comes back afterwards
        return _pretrain(config, out_dir, log)


def _pretrain(config: PretrainConfig, out_dir: Path, log) -> dict:
    started = time.perf_counter()
    train_x, train_y = make_source_dataset(config.images, 1000 + config.seed, config.classes)
    test_x, test_y = make_source_dataset(config.test_images, SOURCE_TEST_SEED, config.classes)
    train_x, test_x = normalize(train_x), normalize(test_x)
    generate_s = time.perf_counter() - started
    log(f"generated {config.images}+{config.test_images} glyph images in {generate_s:.1f}s")

    torch.manual_seed(config.seed)
    model = SmallResNet(config.classes, config.widths).to(memory_format=torch.channels_last)
    optimizer = torch.optim.SGD(
        model.parameters(), lr=config.lr, momentum=0.9, weight_decay=5e-4, nesterov=True
    )
    steps = max(1, config.images // config.batch_size)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=config.lr, total_steps=config.epochs * steps, pct_start=0.15
    )
    generator = torch.Generator().manual_seed(config.seed)
    history = []
    for epoch in range(1, config.epochs + 1):
        model.train()
        epoch_start = time.perf_counter()
        order = torch.randperm(config.images, generator=generator)
        loss_sum = 0.0
        for step in range(steps):
            batch = order[step * config.batch_size : (step + 1) * config.batch_size]
            x = train_x[batch].contiguous(memory_format=torch.channels_last)
            loss = F.cross_entropy(model(x), train_y[batch], label_smoothing=0.05)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
            loss_sum += loss.item()
        test_acc = _accuracy(model, test_x, test_y)
        history.append(
            {
                "epoch": epoch,
                "train_loss": round(loss_sum / steps, 4),
                "source_test_accuracy": round(test_acc, 4),
                "seconds": round(time.perf_counter() - epoch_start, 2),
            }
        )
        log(json.dumps(history[-1]))
    model = model.to(memory_format=torch.contiguous_format).eval()
    meta = {
        "source_classes": [f"glyph{c:02d}" for c in range(config.classes)],
        "source_test_accuracy": round(_accuracy(model, test_x, test_y), 4),
        "config": asdict(config),
        "history": history,
        "generate_seconds": round(generate_s, 1),
        "pretrain_seconds": round(time.perf_counter() - started, 1),
        "command": "python -m engine pretrain",
        "torch_version": torch.__version__,
    }
    save_checkpoint(model, meta, out_dir)
    log(
        f"saved {out_dir} in {meta['pretrain_seconds']}s, "
        f"source accuracy {meta['source_test_accuracy']}"
    )
    return meta


def main(argv: list[str] | None = None) -> int:
    defaults = PretrainConfig()
    parser = argparse.ArgumentParser(prog="python -m engine pretrain", description=__doc__)
    parser.add_argument("--images", type=int, default=defaults.images)
    parser.add_argument("--test-images", type=int, default=defaults.test_images)
    parser.add_argument("--classes", type=int, default=defaults.classes)
    parser.add_argument("--epochs", type=int, default=defaults.epochs)
    parser.add_argument("--batch-size", type=int, default=defaults.batch_size)
    parser.add_argument("--lr", type=float, default=defaults.lr)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--threads", type=int, default=defaults.threads)
    parser.add_argument("--out-dir", type=Path, default=WEIGHTS_DIR)
    args = parser.parse_args(argv)
    config = PretrainConfig(
        images=args.images,
        test_images=args.test_images,
        classes=args.classes,
        epochs=args.epochs,
        batch_size=args.batch_size,
        lr=args.lr,
        seed=args.seed,
        threads=args.threads,
    )
    pretrain(config, args.out_dir, log=lambda line: print(line, flush=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
