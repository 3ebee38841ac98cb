"""Every family figure renders: one line per series, the variant's own numbers."""

from __future__ import annotations

import pytest

from engine.families import GENERATORS
from lessons.components.charts import question_chart

CHARTED = [name for name, g in GENERATORS.items() if g.generate(0).chart is not None]


def test_the_families_with_figures_are_the_curves_a_learner_reads():
    assert set(CHARTED) == {"loss_curve", "roc_auc", "average_precision", "cheapest_threshold"}


@pytest.mark.parametrize("name", CHARTED)
def test_a_family_chart_holds_the_variants_data(name: str):
    chart = GENERATORS[name].generate(3).chart
    assert chart is not None
    spec = question_chart(chart).to_dict()
    (dataset,) = spec["datasets"].values()
    for series, values in chart.series.items():
        plotted = [row["value"] for row in dataset if row["series"] == series]
        assert plotted == list(values)
    assert spec["encoding"]["y"]["title"] == chart.y_label
