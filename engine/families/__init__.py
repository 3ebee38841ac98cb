"""Question families: reviewed generators a bank names, each drawing a variant from a seed.

How the pieces fit (and how the loader, the attempt plan and the pages wire them in)::

    generator = GENERATORS["confusion_metric"]          # a bank names it: `generator:`
    params = generator.resolve(bank_params)              # FamilyError: range it cannot honour
    variant = generator.generate(seed, bank_params)      # pure: same seed, same Variant
    prompt = fill(question_prompt, variant.values)       # TemplateError names the placeholder
    variant.options      # Option(id, text, feedback, correct): the key + named mistakes
    variant.numeric      # NumericKey(value, tolerance) for a numeric question, else None
    variant.chart        # Chart data the page draws (loss curve, ROC, PR), or None
    problems = check_family(name, bank_params, text_fields, seeds=range(200))

* A bank question of a family says ``generator:`` and ``params:`` (ranges as
  ``[low, high]``, a choice as one option or a list); its prompt, choice texts, feedback,
  hints and solution use ``{placeholders}`` naming keys of ``variant.values`` (strings,
  already formatted). ``{{`` and ``}}`` write literal braces (LaTeX, code).
* Choice questions take their options from ``variant.options``: the option with id
  ``correct`` and one per named mistake (``used-accuracy``, ``swapped-fp-fn``, ...). A bank
  may override a mistake's feedback by its id; which mistakes appear can vary by seed (a
  generator offers spares, and shows the first three that read differently from the key
  and from each other), so an override for an absent id is simply unused. Option texts
  are display strings, not templates. Numeric questions grade against ``variant.numeric``
  (an absolute tolerance). ``variant.numbers`` keeps raw values for statistics by variant.
* Errors: ``FamilyError`` (unknown generator or parameter, a range outside the
  generator's limits, no fair draw for a seed) and ``TemplateError`` (``.placeholder``
  names the culprit) carry messages an instructor can act on; the loader adds file:line.
  ``check_family`` returns ``FamilyProblem``s naming generator, seed and bank field.
* The variant seed is ``variant_seed(plan.seed, question.id)`` (stable across machines),
  stored with each answer; ``generate`` is pure, so a review re-creates what the learner
  saw, and "another one like this" is just another seed.
* Every key is computed by scikit-learn, SciPy or PyTorch (``Generator.library`` says which);
  tests/families/test_families.py checks each against the library over many seeds.
"""

from __future__ import annotations

from engine.families.check import FamilyProblem, check_family
from engine.families.classification import CONFUSION_METRIC, FBETA, IMBALANCE_BASELINE
from engine.families.core import (
    Chart,
    FamilyError,
    Generator,
    NumericKey,
    Option,
    Variant,
    variant_seed,
)
from engine.families.curves import LOSS_CURVE
from engine.families.multiclass import MACRO_MICRO
from engine.families.ranking import AVERAGE_PRECISION, CHEAPEST_THRESHOLD, ROC_AUC
from engine.families.registry import GENERATORS, generator
from engine.families.regression import REGRESSION_ERROR
from engine.families.templating import TemplateError, fill
from engine.families.training import FREEZE_COUNTS, LR_SCHEDULE

__all__ = [
    "AVERAGE_PRECISION",
    "CHEAPEST_THRESHOLD",
    "CONFUSION_METRIC",
    "FBETA",
    "FREEZE_COUNTS",
    "GENERATORS",
    "IMBALANCE_BASELINE",
    "LOSS_CURVE",
    "LR_SCHEDULE",
    "MACRO_MICRO",
    "REGRESSION_ERROR",
    "ROC_AUC",
    "Chart",
    "FamilyError",
    "FamilyProblem",
    "Generator",
    "NumericKey",
    "Option",
    "TemplateError",
    "Variant",
    "check_family",
    "fill",
    "generator",
    "variant_seed",
]
