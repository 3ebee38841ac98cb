"""LoRA's trainable count: rank-r factors beside a frozen convolution or Linear layer."""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.families.core import Draft, Generator, OneOf, keyed_draft

CHANNELS = (16, 32, 64, 128)
RANKS = ("1", "2", "4", "8", "16")


def lora_trainable(layer: str, rank: int, inputs: int, outputs: int, kernel: int = 3) -> int:
    """What peft's LoRA trains for one layer: A maps inputs to r (a k×k convolution for a
    Conv2d), B maps r to outputs (1×1); neither has a bias. tests/families checks it against
    ``get_nb_trainable_parameters`` of a real peft model."""
    spread = kernel * kernel if layer == "conv" else 1
    return rank * (inputs * spread + outputs)


def _text(count: float) -> str:
    return f"{int(count):,}"


def _lora_count(p: dict[str, Any], rng: np.random.Generator) -> Draft:
    layer, rank = p["layer"], int(p["rank"])
    inputs, outputs = (int(rng.choice(CHANNELS)) for _ in range(2))
    spread = 9 if layer == "conv" else 1
    answer = lora_trainable(layer, rank, inputs, outputs)
    base = inputs * outputs * spread
    mistakes = [
        ("counted-base-weight", answer + base, "The layer's own weight is frozen: leave it out."),
    ]
    if layer == "conv":
        mistakes.append(
            (
                "one-by-one-a",
                rank * (inputs + outputs),
                "For a Conv2d, A is a k×k convolution: r × inputs × k × k.",
            )
        )
    else:
        mistakes.append(
            (
                "rank-squared",
                rank * rank * (inputs + outputs),
                "Each factor has r rows or columns: the count grows as r, not r².",
            )
        )
    mistakes += [
        ("only-a", rank * inputs * spread, "B trains too: r × outputs more numbers."),
        ("only-b", rank * outputs, "A trains too: it maps every input to the r channels."),
    ]
    shape = (
        f"nn.Conv2d({inputs}, {outputs}, 3)"
        if layer == "conv"
        else f"nn.Linear({inputs}, {outputs})"
    )
    return keyed_draft(
        values={
            "shape": shape,
            "rank": str(rank),
            "inputs": str(inputs),
            "outputs": str(outputs),
            "count": _text(answer),
            "base": _text(base),
        },
        numbers={"count": answer, "rank": rank},
        key=answer,
        feedback=f"Right: {_text(answer)} trainable numbers, against {_text(base)} frozen.",
        mistakes=mistakes,
        write=_text,
        tolerance=0.0,
    )


LORA_COUNT = Generator(
    name="lora_count",
    summary="LoRA of rank r on one Conv2d or Linear layer: how many numbers train.",
    lessons=("finetuning_today",),
    params=(
        OneOf("layer", ("conv", "linear"), "the adapted layer: a 3×3 Conv2d or a Linear"),
        OneOf("rank", RANKS, "LoRA's rank r"),
    ),
    compute=_lora_count,
    library="formula r × (in × k × k + out), checked against peft's trainable count",
    value_names=frozenset({"shape", "rank", "inputs", "outputs", "count", "base"}),
    mistake_names=frozenset(
        {"counted-base-weight", "only-a", "only-b", "one-by-one-a", "rank-squared"}
    ),
)
