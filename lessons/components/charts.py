"""One look for every chart: the accessible palette and the Altair pieces several pages draw.

The palette (engine/families/palette.py) keeps Okabe and Ito's hues, darkened where needed
to reach 3:1 against the light and the dark background. Pages still pair colour with a
second cue (dashes, shapes, labels) wherever two series could be confused, so colour is
never the only thing that tells them apart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import altair as alt
import pandas as pd

from engine.families import Chart
from engine.families.palette import (
    BLUE,
    GREEN,
    GREY,
    ORANGE,
    PURPLE,
    SERIES,
    SKY_BLUE,
    VERMILLION,
)
from engine.metrics.training_curves import EpochRecord

# The palette's names, re-exported: pages import every chart colour from here.
__all__ = ["BLUE", "GREEN", "GREY", "ORANGE", "PURPLE", "SKY_BLUE", "VERMILLION"]
OKABE_ITO: tuple[str, ...] = SERIES


def epoch_frame(history: Sequence[EpochRecord], columns: Mapping[str, str]) -> pd.DataFrame:
    """One row per epoch; ``columns`` maps each column's heading to an EpochRecord field."""
    return pd.DataFrame(
        [
            {"epoch": r.epoch} | {heading: getattr(r, f) for heading, f in columns.items()}
            for r in history
        ]
    )


def series_colours(domain: Sequence[str] | None = None) -> alt.Scale:
    """The palette in order; with ``domain``, each named series keeps its colour across charts."""
    if domain is None:
        return alt.Scale(range=list(OKABE_ITO))
    return alt.Scale(domain=list(domain), range=list(OKABE_ITO[: len(domain)]))


def epoch_axis() -> alt.X:
    """Epochs are whole numbers: no tick at epoch 2.5."""
    return alt.X("epoch:Q", axis=alt.Axis(tickMinStep=1))


def curves_chart(
    wide: pd.DataFrame,
    columns: Sequence[str],
    *,
    title: str,
    value: str = "value",
    series: str = "series",
    fixed_colours: bool = False,
    height: int = 220,
) -> alt.Chart:
    """Per-epoch curves from a wide frame (one column per curve), points on every epoch.

    ``fixed_colours`` ties each column to its palette colour by name, so "validation loss"
    is orange in every chart that draws it, whichever curves sit beside it.
    """
    long = wide.melt("epoch", list(columns), var_name=series, value_name=value)
    return (
        alt.Chart(long, title=title)
        .mark_line(point=True)
        .encode(
            x=epoch_axis(),
            y=alt.Y(f"{value}:Q", title=None if value == "value" else value),
            color=alt.Color(
                f"{series}:N", scale=series_colours(columns if fixed_colours else None)
            ),
            tooltip=["epoch", series, alt.Tooltip(f"{value}:Q", format=".3f")],
        )
        .properties(height=height)
    )


def epoch_marker(epoch: int, label: str) -> alt.LayerChart:
    """A dashed green rule at ``epoch`` with ``label`` written beside it (e.g. the best epoch)."""
    marker = pd.DataFrame([{"epoch": epoch, "label": label}])
    rule = alt.Chart(marker).mark_rule(color=GREEN, strokeDash=[6, 3]).encode(x="epoch:Q")
    return rule + rule.mark_text(align="left", dx=4, dy=-100, color=GREEN).encode(text="label:N")


def count_heatmap(
    cells: pd.DataFrame,
    names: Sequence[str],
    *,
    title: str,
    label_expr: str | None = None,
    font_size: int = 11,
) -> alt.LayerChart:
    """A confusion matrix as blue cells with text in each; ``cells`` has true, predicted, count.

    Rows and columns keep the order of ``names``, as scikit-learn's matrix does. The text is
    the count, or the Vega expression ``label_expr`` (e.g. "TP: 12").
    """
    base = alt.Chart(cells, title=title).encode(
        x=alt.X("predicted:N", sort=list(names)), y=alt.Y("true:N", sort=list(names))
    )
    shade = base.mark_rect().encode(color=alt.Color("count:Q", scale=alt.Scale(scheme="blues")))
    text = base.mark_text(fontSize=font_size)
    if label_expr is None:
        return shade + text.encode(text="count:Q")
    return shade + text.encode(text=alt.Text("label:N")).transform_calculate(label=label_expr)


def runs_chart(long: pd.DataFrame, *, title: str, value: str) -> alt.Chart:
    """One line per run (``long``: run, epoch, ``value``); colour, dash and point shape all
    differ, so colour is never the only thing telling two runs apart."""
    return (
        alt.Chart(long, title=title)
        .mark_line(point=True)
        .encode(
            x=epoch_axis(),
            y=f"{value}:Q",
            color=alt.Color("run:N", scale=series_colours()),
            strokeDash=alt.StrokeDash("run:N"),
            shape=alt.Shape("run:N"),
        )
    )


def question_chart(chart: Chart, *, height: int = 240) -> alt.Chart:
    """A family question's figure (loss curve, ROC, PR, cost per threshold), drawn from the
    variant's own data so the learner reads the numbers the key was computed from."""
    # Fixed column names: a series may share its axis's label (cheapest_threshold's "cost").
    wide = pd.DataFrame({"x": list(chart.x)} | {k: list(v) for k, v in chart.series.items()})
    long = wide.melt("x", list(chart.series), var_name="series", value_name="value")
    return (
        alt.Chart(long, title=chart.title)
        .mark_line(point=True)
        .encode(
            x=alt.X("x:Q", title=chart.x_label),
            y=alt.Y("value:Q", title=chart.y_label),
            color=alt.Color("series:N", scale=series_colours(list(chart.series))),
            strokeDash=alt.StrokeDash("series:N"),  # a second cue beside colour
            tooltip=[
                alt.Tooltip("x:Q", title=chart.x_label),
                "series",
                alt.Tooltip("value:Q", title=chart.y_label, format=".3f"),
            ],
        )
        .properties(height=height)
    )
