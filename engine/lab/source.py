"""The seeded, procedural source task: 64 random stroke 'glyphs' drawn with varied colour,
position, scale, rotation, thickness, blur and noise (what the shipped model was pretrained on)."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import torch
from scipy.ndimage import gaussian_filter

IMAGE_SIZE = 32
TEMPLATE_SEED = 12345
# The source test set is fixed (its own seed) so "accuracy before/after" compares like with like.
SOURCE_TEST_SEED = 999_999

_yy, _xx = np.mgrid[0:IMAGE_SIZE, 0:IMAGE_SIZE].astype(np.float32) + 0.5
_PIXELS = np.stack([_xx.ravel(), _yy.ravel()], 1)

Stroke = np.ndarray  # (k, 2) polyline in [-1, 1]²


@dataclass(frozen=True)
class GlyphStyle:
    """How much each image may vary; the shipped checkpoint used these defaults."""

    max_rotation_deg: float = 15.0
    blur_max: float = 1.2
    thickness_max: float = 2.4


def _bezier(control: np.ndarray, k: int = 12) -> Stroke:
    t = np.linspace(0, 1, k)[:, None]
    return (
        (1 - t) ** 3 * control[0]
        + 3 * (1 - t) ** 2 * t * control[1]
        + 3 * (1 - t) * t**2 * control[2]
        + t**3 * control[3]
    )


def _random_stroke(rng: np.random.Generator) -> Stroke:
    if rng.random() < 0.6:
        return _bezier(rng.uniform(-0.9, 0.9, (4, 2)))
    centre, radius = rng.uniform(-0.4, 0.4, 2), rng.uniform(0.25, 0.6, 2)
    start = rng.uniform(0, 2 * math.pi)
    t = np.linspace(start, start + rng.uniform(0.5, 1.0) * 2 * math.pi, 16)
    return np.stack([centre[0] + radius[0] * np.cos(t), centre[1] + radius[1] * np.sin(t)], 1)


def make_glyph_alphabet(n_classes: int, seed: int = TEMPLATE_SEED) -> list[list[Stroke]]:
    """A random 'alphabet': each class is 1-3 strokes; near-duplicate classes are rejected."""
    rng = np.random.default_rng(seed)
    glyphs: list[list[Stroke]] = []
    signatures: list[np.ndarray] = []
    while len(glyphs) < n_classes:
        strokes = [_random_stroke(rng) for _ in range(rng.integers(1, 4))]
        # A coarse 6×6 occupancy grid of the clean glyph decides "too similar to an earlier one".
        points = np.concatenate(
            [np.linspace(a, b, 6) for s in strokes for a, b in itertools.pairwise(s)]
        )
        hist, _, _ = np.histogram2d(points[:, 0], points[:, 1], bins=6, range=[[-1, 1], [-1, 1]])
        signature = (hist > 0).astype(float).ravel()
        if any(np.abs(signature - other).mean() < 0.175 for other in signatures):
            continue
        signatures.append(signature)
        every = np.concatenate(strokes)
        lo, hi = every.min(0), every.max(0)
        centre, half = (lo + hi) / 2, max((hi - lo).max() / 2, 1e-3)
        glyphs.append([(s - centre) / half for s in strokes])
    return glyphs


def _distance_to_segments(segments: np.ndarray) -> np.ndarray:
    start, end = segments[:, 0][None], segments[:, 1][None]
    direction = end - start
    offset = _PIXELS[:, None, :] - start
    t = np.clip((offset * direction).sum(-1) / np.maximum((direction**2).sum(-1), 1e-9), 0, 1)
    nearest = offset - t[..., None] * direction
    return np.sqrt((nearest**2).sum(-1)).min(1)


def render_glyph(strokes: list[Stroke], rng: np.random.Generator, style: GlyphStyle) -> np.ndarray:
    """One (3, 32, 32) float32 image in [0, 1]."""
    angle = rng.uniform(-1, 1) * math.radians(style.max_rotation_deg)
    rotation = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    scale, aspect, shear = rng.uniform(10.0, 14.0), rng.uniform(0.8, 1.2), rng.uniform(-0.2, 0.2)
    centre = rng.uniform(13, 19, 2)
    thickness = rng.uniform(0.8, style.thickness_max)
    segments = []
    for stroke in strokes:
        q = (stroke + rng.normal(0, 0.06, stroke.shape)) * [aspect, 1.0]
        q = q + np.stack([shear * q[:, 1], np.zeros(len(q))], 1)
        q = q @ rotation.T * scale + centre
        segments.append(np.stack([q[:-1], q[1:]], 1))
    alpha = np.clip(thickness + 0.5 - _distance_to_segments(np.concatenate(segments)), 0, 1)
    alpha = gaussian_filter(alpha.reshape(IMAGE_SIZE, IMAGE_SIZE), rng.uniform(0, style.blur_max))
    # Background: a random two-colour gradient; stroke colour forced to contrast with it.
    bg_from, bg_to, slope = rng.uniform(0, 1, 3), rng.uniform(0, 1, 3), rng.uniform(-1, 1, 2)
    ramp = np.clip(((_xx - 16) * slope[0] + (_yy - 16) * slope[1]) / 32 + 0.5, 0, 1)[..., None]
    background = bg_from * (1 - ramp) + bg_to * ramp
    ink = rng.uniform(0, 1, 3)
    if abs(ink.mean() - background.mean()) < 0.3:
        if rng.random() < 0.5:
            ink = 1.0 - ink
        else:
            ink = np.clip(ink + np.sign(ink.mean() - background.mean() + 1e-6) * 0.5, 0, 1)
    image = background * (1 - alpha[..., None]) + ink * alpha[..., None]
    image = image + rng.normal(0, rng.uniform(0.0, 0.08), image.shape)
    return np.clip(image, 0, 1).astype(np.float32).transpose(2, 0, 1)


def make_source_dataset(
    n_images: int, seed: int, n_classes: int = 64, style: GlyphStyle | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Balanced glyph dataset fully determined by ``seed``: images (n, 3, 32, 32) in [0, 1]."""
    style = style or GlyphStyle()
    rng = np.random.default_rng(seed)
    alphabet = make_glyph_alphabet(n_classes)
    labels = np.arange(n_images) % n_classes
    rng.shuffle(labels)
    images = np.empty((n_images, 3, IMAGE_SIZE, IMAGE_SIZE), np.float32)
    for i, label in enumerate(labels):
        images[i] = render_glyph(alphabet[label], rng, style)
    return torch.from_numpy(images), torch.from_numpy(labels.astype(np.int64))
