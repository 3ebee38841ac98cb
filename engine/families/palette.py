"""The colours every chart draws its series in, whoever draws it (a page or an export).

The hues are Okabe and Ito's, chosen to stay distinct under the common colour-vision
deficiencies. WCAG 2.1 (1.4.11, non-text contrast) wants a line or a bar at least 3:1
against what it is drawn on, and charts are drawn on the light theme's white and on the
dark theme's black: a colour passes both only with a relative luminance between 0.10 and
0.30 (0.13 on Streamlit's default dark #171614, which these pass too). Okabe-Ito's
orange, sky blue and reddish purple are lighter than that (2.3:1 against white), so they
are darkened here, hue kept; tests/families/test_palette_contrast.py holds every colour
to 3:1 on every background.

Colour is never the only cue: every chart pairs it with a dash pattern or a point shape,
so two series stay apart in greyscale too.
"""

from __future__ import annotations

BLUE = "#0072B2"  # Okabe-Ito's blue, as it is
ORANGE = "#B47C00"  # Okabe-Ito's orange (#E69F00), darkened
GREEN = "#009E73"  # Okabe-Ito's "bluish green", as it is
VERMILLION = "#D55E00"  # as it is
PURPLE = "#C76B9E"  # Okabe-Ito's "reddish purple" (#CC79A7), darkened
SKY_BLUE = "#1C96DA"  # Okabe-Ito's sky blue (#56B4E9), darkened; lighter than BLUE still
GREY = "#8E8E8E"  # not Okabe-Ito: for context (residual bars), never for a data series
# What charts are drawn on, in the light and the dark theme (.streamlit/config.toml).
BACKGROUNDS: tuple[str, ...] = ("#FFFFFF", "#000000", "#171614")
SERIES: tuple[str, ...] = (BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY_BLUE)

# Dash patterns (Vega's strokeDash: on, off pixels) in series order: the second cue.
DASHES: tuple[tuple[int, ...], ...] = ((), (6, 3), (2, 2), (8, 3, 2, 3), (4, 4), (1, 3))
