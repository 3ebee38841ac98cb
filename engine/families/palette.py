"""The colours every chart draws its series in, whoever draws it (a page or an export).

Okabe and Ito chose these hues to stay distinct under the common colour-vision
deficiencies. Colour is never the only cue: every chart pairs it with a dash pattern or a
point shape, so two series stay apart in greyscale too.
"""

from __future__ import annotations

BLUE = "#0072B2"
ORANGE = "#E69F00"
GREEN = "#009E73"  # Okabe-Ito's "bluish green"
VERMILLION = "#D55E00"
PURPLE = "#CC79A7"  # Okabe-Ito's "reddish purple"
SKY_BLUE = "#56B4E9"
GREY = "#999999"  # not Okabe-Ito: for context (residual bars), never for a data series
SERIES: tuple[str, ...] = (BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY_BLUE)

# Dash patterns (Vega's strokeDash: on, off pixels) in series order: the second cue.
DASHES: tuple[tuple[int, ...], ...] = ((), (6, 3), (2, 2), (8, 3, 2, 3), (4, 4), (1, 3))
