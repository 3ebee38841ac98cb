"""Training and validation loss curves: the best epoch, and where early stopping halts."""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.families.core import (
    Chart,
    Draft,
    FloatRange,
    Generator,
    IntRange,
    OneOf,
    keyed_draft,
    redraw,
)


def best_epoch(val_losses: list[float]) -> int:
    """1-based epoch of the lowest validation loss (the first, on a tie), by torch.argmin."""
    import torch  # where a variant is drawn, not when a bank loads (see training.py)

    return int(torch.argmin(torch.tensor(val_losses))) + 1


def stopping_epoch(val_losses: list[float], patience: int) -> int | None:
    """The epoch after which `patience` epochs in a row have not beaten the best so far.

    PyTorch's ReduceLROnPlateau keeps exactly that count (`num_bad_epochs`, with threshold 0),
    so its own bookkeeping decides; None when training would run to the end.
    """
    import torch

    dummy = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
    plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(
        dummy, mode="min", patience=patience, threshold=0.0
    )
    for epoch, loss in enumerate(val_losses, start=1):
        plateau.step(loss)
        if plateau.num_bad_epochs >= patience:
            return epoch
    return None


def _curves(p: dict[str, Any], rng: np.random.Generator) -> tuple[list[float], list[float]]:
    epochs, onset = p["epochs"], p["onset"]
    if onset > epochs - 3:
        raise redraw()
    t = np.arange(1, epochs + 1)
    train = 0.2 + 1.6 * np.exp(-t / 4) + rng.normal(0, 0.01, epochs)
    # Validation follows training until the onset, then climbs as the model memorises.
    val = 0.35 + 1.6 * np.exp(-t / 4) + p["rise"] * np.clip(t - onset, 0, None) ** 1.3 / epochs
    val = val + rng.normal(0, 0.012, epochs)
    return [round(float(v), 3) for v in train], [round(float(v), 3) for v in val]


def _epoch_text(epoch: float) -> str:
    return str(epoch)  # epochs are whole numbers: 7, never 7.0


def _loss_curve(p: dict[str, Any], rng: np.random.Generator) -> Draft:
    train, val = _curves(p, rng)
    best = best_epoch(val)
    stop = stopping_epoch(val, p["patience"])
    if stop is None or best in (1, len(val)):
        raise redraw()
    lowest_train = best_epoch(train)
    ask = p["ask"]
    if ask == "best_epoch":
        answer, feedback = (
            best,
            f"Right: validation loss is lowest ({min(val):.3f}) at epoch {best}.",
        )
        mistakes = [
            (
                "lowest-training-loss",
                lowest_train,
                "That is where the training loss is lowest; "
                "training loss keeps falling while the model overfits.",
            ),
            (
                "epoch-training-stopped",
                stop,
                "That is where early stopping halts; the weights "
                "to keep are those from the best epoch.",
            ),
            ("counted-from-zero", best - 1, "Epochs here are numbered from 1."),
        ]
    else:
        answer, feedback = (
            stop,
            (
                f"Right: the best is epoch {best}; {p['patience']} epochs later (epoch {stop}) "
                "none has beaten it."
            ),
        )
        mistakes = [
            (
                "stopped-at-best",
                best,
                "The best epoch is only known to be best after `patience` epochs fail to beat it.",
            ),
            (
                "off-by-one-patience",
                stop + 1,
                "Stop as soon as the patience-th epoch without improvement ends, not one later.",
            ),
            ("ran-to-the-end", len(val), "Early stopping would halt before the last epoch."),
        ]
    return keyed_draft(
        values={
            "epochs": str(len(val)),
            "patience": str(p["patience"]),
            "val_losses": ", ".join(f"{v:.3f}" for v in val),
            "train_losses": ", ".join(f"{v:.3f}" for v in train),
            "best_epoch": str(best),
            "stop_epoch": str(stop),
            "best_loss": f"{min(val):.3f}",
        },
        numbers={"best_epoch": best, "stop_epoch": stop, "best_loss": min(val)},
        key=answer,
        feedback=feedback,
        mistakes=mistakes,
        write=_epoch_text,
        tolerance=0.0,
        chart=Chart(
            "Loss per epoch",
            "epoch",
            "loss",
            tuple(range(1, len(val) + 1)),
            {"training": tuple(train), "validation": tuple(val)},
            mark_x=best,
        ),
    )


LOSS_CURVE = Generator(
    name="loss_curve",
    summary="Training and validation loss per epoch: best epoch, or early stopping's epoch.",
    lessons=("good_vs_bad", "pitfalls"),
    params=(
        IntRange("epochs", (14, 20), (8, 60), "number of epochs shown"),
        IntRange("onset", (5, 10), (2, 50), "epoch where validation loss starts to climb"),
        FloatRange("rise", (0.6, 1.2), (0.3, 3.0), "how steeply validation loss climbs"),
        IntRange("patience", (2, 4), (1, 10), "early-stopping patience, in epochs"),
        OneOf("ask", ("best_epoch", "stop_epoch"), "what the question asks for"),
    ),
    compute=_loss_curve,
    library="torch.argmin, torch.optim.lr_scheduler.ReduceLROnPlateau",
    value_names=frozenset(
        {
            "best_epoch",
            "best_loss",
            "epochs",
            "patience",
            "stop_epoch",
            "train_losses",
            "val_losses",
        }
    ),
    mistake_names=frozenset(
        {
            "counted-from-zero",
            "epoch-training-stopped",
            "lowest-training-loss",
            "off-by-one-patience",
            "ran-to-the-end",
            "stopped-at-best",
        }
    ),
)
