"""A family variant's chart as a PNG for exports that carry images (Moodle XML).

Rendered offline by vl-convert (the Vega-Lite engine behind Altair's own PNG export: one
wheel, no browser, pinned with the app). Without it, ``chart_png`` returns None
and the exporter writes the chart's data as an HTML table instead (``chart_table_html``),
so a learner in Moodle still reads the numbers the key was computed from.
"""

from __future__ import annotations

import html
from typing import Any

from engine.families import Chart
from engine.families.palette import DASHES, SERIES

_WIDTH, _HEIGHT = 560, 280


def renderer_name() -> str | None:
    """The renderer ``chart_png`` will use ("vl-convert"), or None when none is installed."""
    try:
        import vl_convert  # noqa: F401
    except ImportError:
        return None
    return "vl-convert"


def vega_lite_spec(chart: Chart) -> dict[str, Any]:
    """The chart as a Vega-Lite spec: one line per series, each in its own colour and dash."""
    names = list(chart.series)
    rows = [
        {"x": x, "series": name, "value": y}
        for name, ys in chart.series.items()
        for x, y in zip(chart.x, ys, strict=True)
    ]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": chart.title,
        "width": _WIDTH,
        "height": _HEIGHT,
        "background": "white",
        "data": {"values": rows},
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": {"field": "x", "type": "quantitative", "title": chart.x_label},
            "y": {"field": "value", "type": "quantitative", "title": chart.y_label},
            "color": {
                "field": "series",
                "type": "nominal",
                "scale": {"domain": names, "range": list(SERIES[: len(names)])},
            },
            "strokeDash": {
                "field": "series",
                "type": "nominal",
                "scale": {"domain": names, "range": [list(d) for d in DASHES[: len(names)]]},
            },
            "shape": {"field": "series", "type": "nominal"},  # a third cue, in the legend too
        },
    }


def chart_png(chart: Chart) -> bytes | None:
    """The chart as PNG bytes, or None when no renderer is installed."""
    if renderer_name() is None:
        return None
    import vl_convert

    png: bytes = vl_convert.vegalite_to_png(vega_lite_spec(chart), scale=1)
    return png


def chart_table_html(chart: Chart) -> str:
    """The chart's data as an HTML table (x, then one column per series), captioned."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in [chart.x_label, *chart.series])
    rows = "".join(
        "<tr>"
        + "".join(f"<td>{v:g}</td>" for v in (x, *(ys[i] for ys in chart.series.values())))
        + "</tr>"
        for i, x in enumerate(chart.x)
    )
    return (
        f"<table><caption>{html.escape(chart.title)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    )
