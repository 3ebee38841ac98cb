"""A generated bank of any size (10 000 questions by default), the same for every seed.

The scale test checks it loads correctly; ``bench/bank_scale.py`` times it.
"""

from __future__ import annotations

import random

QUESTIONS = 10_000
TOPICS = (
    "precision and recall",
    "F1 score",
    "confusion matrix",
    "regression metrics",
    "overfitting",
    "layer freezing",
    "learning rates",
    "class imbalance",
)
TYPES = ("single_choice", "multiple_select", "true_false", "numeric")
DIFFICULTIES = ("easy", "medium", "hard")
SENTENCES = (
    "A classifier flags {a} of {n} validation images as positive, and {b} of those flags are "
    "right.",
    "The backbone of a pretrained ResNet is frozen with requires_grad_(False) and only the "
    "head is trained for {a} epochs.",
    "Validation loss falls for {a} epochs, then rises while training loss keeps falling.",
    "The rare class makes up {a} % of the {n} examples in the test split.",
    "Predictions are compared with a threshold of 0.{a} on the positive-class probability.",
    "A regression model reaches a mean squared error of {a}.{b} on held-out data.",
)


def _prompt(rng: random.Random, index: int) -> str:
    sentence = rng.choice(SENTENCES)
    text = sentence.format(a=rng.randint(2, 95), b=rng.randint(1, 9), n=rng.randint(100, 900))
    return f"Q{index}. {text} What follows?"


def _question(rng: random.Random, index: int) -> str:
    kind = TYPES[index % len(TYPES)]
    # Cycle difficulties over a different period so every type meets every difficulty.
    difficulty = DIFFICULTIES[(index // len(TYPES)) % len(DIFFICULTIES)]
    lines = [
        f"  - id: gen-{index:05d}",
        f"    difficulty: {difficulty}",
        f"    topic: {rng.choice(TOPICS)}",
        f"    type: {kind}",
        "    prompt: |",
        f"      {_prompt(rng, index)}",
    ]
    if kind in ("single_choice", "multiple_select"):
        lines.append("    choices:")
        for letter in "abcd"[: 3 + (kind == "multiple_select")]:
            lines.append(f'      {letter}: "Claim {letter} about question {index}"')
        lines.append("    answer: b" if kind == "single_choice" else "    answer: [a, c]")
    elif kind == "true_false":
        lines.append(f"    answer: {'true' if index % 2 else 'false'}")
    else:
        lines += [f"    answer: {rng.randint(1, 999) / 1000}", "    tolerance: 0.001"]
    lines += [
        "    solution:",
        "      steps: [Apply the definition to the numbers., Compare with the options.]",
        f"      final_answer: The answer to question {index}.",
        "    quick_check: The result lies between 0 and 1.",
        "    hint: Start from the definition.",
    ]
    return "\n".join(lines)


def generate_bank_yaml(questions: int = QUESTIONS, seed: int = 10_000) -> str:
    """A valid bank of `questions` questions (all four types, all difficulties) as YAML."""
    rng = random.Random(seed)
    header = [
        "id: generated_scale",
        'title: "Generated bank for the scale benchmark"',
        "pattern: Reading metrics at scale.",
        'version: "1"',
        "questions:",
    ]
    return "\n".join(header + [_question(rng, i) for i in range(1, questions + 1)]) + "\n"
