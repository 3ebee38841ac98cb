"""Every generator a bank may name, by name."""

from __future__ import annotations

from engine.families.classification import CONFUSION_METRIC, FBETA, IMBALANCE_BASELINE
from engine.families.core import FamilyError, Generator
from engine.families.curves import LOSS_CURVE
from engine.families.evaluation import MCNEMAR, SELECTION_BIAS
from engine.families.lora import LORA_COUNT
from engine.families.multiclass import MACRO_MICRO
from engine.families.ranking import AVERAGE_PRECISION, CHEAPEST_THRESHOLD, ROC_AUC
from engine.families.regression import REGRESSION_ERROR
from engine.families.training import FREEZE_COUNTS, LR_SCHEDULE

GENERATORS: dict[str, Generator] = {
    g.name: g
    for g in (
        CONFUSION_METRIC,
        IMBALANCE_BASELINE,
        FBETA,
        MACRO_MICRO,
        ROC_AUC,
        AVERAGE_PRECISION,
        CHEAPEST_THRESHOLD,
        REGRESSION_ERROR,
        LOSS_CURVE,
        FREEZE_COUNTS,
        LR_SCHEDULE,
        SELECTION_BIAS,
        MCNEMAR,
        LORA_COUNT,
    )
}


def generator(name: str) -> Generator:
    """The generator called `name`; the error lists the names a bank may use."""
    try:
        return GENERATORS[name]
    except KeyError:
        raise FamilyError(
            f"no generator {name!r}; available: {', '.join(sorted(GENERATORS))}"
        ) from None
