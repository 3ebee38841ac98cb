"""Every chart colour reaches WCAG 2.1's 3:1 for graphics against each chart background,
keeps its Okabe-Ito hue, and has a dash pattern of its own as a second cue."""

from __future__ import annotations

import colorsys

import pytest

from engine.families.palette import BACKGROUNDS, DASHES, GREY, SERIES

# Okabe and Ito's published colours, in SERIES order: the hues the palette keeps.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9")


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """WCAG 2.1's relative luminance of a #RRGGBB colour."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def hue(colour: str) -> float:
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return colorsys.rgb_to_hls(r, g, b)[0] * 360


def test_the_contrast_formula_agrees_with_wcags_reference_values():
    assert contrast("#000000", "#FFFFFF") == pytest.approx(21)
    assert contrast("#767676", "#FFFFFF") == pytest.approx(4.54, abs=0.01)
    # Okabe-Ito's orange on white, as the accessibility review measured it.
    assert contrast("#E69F00", "#FFFFFF") == pytest.approx(2.25, abs=0.01)


@pytest.mark.parametrize("background", BACKGROUNDS)
@pytest.mark.parametrize("colour", [*SERIES, GREY])
def test_every_chart_colour_reaches_3_to_1_against_each_background(colour, background):
    assert contrast(colour, background) >= 3, f"{colour} on {background}"


@pytest.mark.parametrize(("ours", "theirs"), zip(SERIES, OKABE_ITO, strict=True))
def test_a_darkened_colour_keeps_its_okabe_ito_hue(ours, theirs):
    difference = abs(hue(ours) - hue(theirs)) % 360
    assert min(difference, 360 - difference) < 6, f"{ours} drifted from {theirs}"


def test_every_series_colour_has_its_own_dash_pattern():
    assert len(set(DASHES)) == len(DASHES) >= len(SERIES)
    assert len(set(SERIES)) == len(SERIES)
