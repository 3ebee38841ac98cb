"""Bank questions of a family: drawn into ordinary questions, and checked when a bank loads.

A family question in a bank is a template (``generator:``, ``params:``, text with
``{placeholders}``). ``instantiate(question, seed)`` turns it into the plain question a
learner sees for that seed: its choices are the generator's key and named mistakes, its
numeric answer the generator's, every text filled. Grading then sees only plain questions,
so it stays a pure function of (variant question, answer). Questions without a generator
pass through untouched.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from functools import lru_cache
from typing import Any

from engine.families import (
    Chart,
    FamilyError,
    Generator,
    TemplateError,
    Variant,
    fill,
    generator,
)
from engine.families.formula import formula_generator, spec_problems
from engine.families.templating import placeholders
from engine.quiz.formula_spec import Formula
from engine.quiz.models import (
    ID_PATTERN,
    Choice,
    MultipleSelectQuestion,
    NumericQuestion,
    Question,
    QuestionType,
    SingleChoiceQuestion,
    Solution,
    TrueFalseQuestion,
    VariantStamp,
)
from engine.quiz.safe_yaml import KeyPath

FAMILY_TYPES = (QuestionType.SINGLE_CHOICE, QuestionType.NUMERIC)


def _frozen(params: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items()))


@lru_cache(maxsize=4096)
def _draw(name: str, seed: int, params: tuple[tuple[str, Any], ...]) -> Variant:
    # generate() is pure: a cache is safe, and each rerun of a page draws nothing anew.
    return generator(name).generate(
        seed, {k: list(v) if isinstance(v, tuple) else v for k, v in params}
    )


@lru_cache(maxsize=1024)
def _formula_family(formula_json: str, numeric: bool) -> Generator:
    # Keyed by the formula's JSON: a pydantic model holding dicts is not hashable.
    spec = Formula.model_validate_json(formula_json).spec()
    if numeric:  # a typed answer must tell every named mistake from the key, not just three
        spec = replace(spec, mistakes_shown=len(spec.mistakes))
    return formula_generator(spec)


@lru_cache(maxsize=4096)
def _draw_formula(formula_json: str, numeric: bool, seed: int) -> Variant:
    return _formula_family(formula_json, numeric).generate(seed)


def _numeric(question: Question) -> bool:
    return question.type is QuestionType.NUMERIC


def family_generator(question: Question) -> Generator:
    """The generator a family question draws from: a reviewed one it names, or the one its
    `formula:` describes. FamilyError if it is not a family (or names no generator)."""
    if question.formula is not None:
        return _formula_family(question.formula.model_dump_json(), _numeric(question))
    if question.generator is None:
        raise FamilyError(f"question '{question.id}' is not a family")
    return generator(question.generator)


def draw_variant(question: Question, seed: int) -> Variant:
    """The variant of a family question for ``seed``; FamilyError if it is not a family."""
    if question.formula is not None:
        return _draw_formula(question.formula.model_dump_json(), _numeric(question), seed)
    if question.generator is None:
        raise FamilyError(f"question '{question.id}' is not a family")
    return _draw(question.generator, seed, _frozen(question.params))


def text_fields(question: Question) -> Iterator[tuple[KeyPath, str]]:
    """(field path, text) of every bank text a variant fills."""
    yield ("prompt",), question.prompt
    for i, hint in enumerate(question.hints):
        yield ("hints", i), hint
    for i, step in enumerate(question.solution.steps):
        yield ("solution", "steps", i), step
    yield ("solution", "final_answer"), question.solution.final_answer
    yield ("quick_check",), question.quick_check
    for i, mistake in enumerate(question.common_mistakes):
        yield ("common_mistakes", i), mistake
    for mistake_id, feedback in question.mistake_feedback.items():
        yield ("mistake_feedback", mistake_id), feedback


def instantiate(question: Question, seed: int) -> Question:
    """The plain question a learner sees for ``seed`` (``question`` itself if no family)."""
    if not question.is_family:
        return question
    variant = draw_variant(question, seed)
    values = variant.values
    stamp = VariantStamp(
        seed=seed,
        family_fingerprint=question.fingerprint,
        numbers={k: float(v) for k, v in variant.numbers.items()},
    )
    common: dict[str, Any] = {
        "prompt": fill(question.prompt, values),
        "hints": [fill(h, values) for h in question.hints],
        "solution": Solution(
            steps=[fill(s, values) for s in question.solution.steps],
            final_answer=fill(question.solution.final_answer, values),
        ),
        "quick_check": fill(question.quick_check, values),
        "common_mistakes": [fill(m, values) for m in question.common_mistakes],
        "variant": stamp,
    }
    match question:
        case NumericQuestion():
            if variant.numeric is None:  # pragma: no cover - every generator has one
                raise FamilyError(f"{question.generator} gives no number to grade against")
            return question.model_copy(
                update=common
                | {
                    "answer": variant.numeric.value,
                    "tolerance": variant.numeric.tolerance,
                    "relative_tolerance": None,
                }
            )
        case SingleChoiceQuestion():
            choices = [
                Choice(
                    id=o.id,
                    text=o.text,
                    feedback=fill(question.mistake_feedback[o.id], values)
                    if o.id in question.mistake_feedback
                    else o.feedback,
                )
                for o in variant.options
            ]
            return question.model_copy(
                update=common | {"choices": choices, "answer": variant.correct.id}
            )
        case MultipleSelectQuestion() | TrueFalseQuestion():
            raise FamilyError(f"a {question.type.value} question cannot name a generator")
    raise FamilyError(f"a {question.type} question cannot name a generator")  # code type


def variant_chart(question: Question) -> Chart | None:
    """The figure of a drawn family question (a loss curve, a PR curve), or None."""
    if not question.is_family or question.variant is None:
        return None
    return draw_variant(question, question.variant.seed).chart


def family_problems(question: Question, raw: Any) -> Iterator[tuple[KeyPath, str]]:
    """(field path, message) for what a family question asks that cannot be honoured.

    ``raw`` is the question as the file wrote it: a family's key comes from its generator,
    so an `answer` or `choices` written there would be silently ignored; it is refused.
    """
    if question.formula is not None:
        yield from _formula_problems(question, raw)
        return
    if question.generator is None:
        for key in ("params", "mistake_feedback"):
            if isinstance(raw, dict) and raw.get(key):
                yield (key,), f"'{key}' belongs to a question family; add 'generator:' or remove it"
        return
    if question.type not in FAMILY_TYPES:
        yield (
            ("generator",),
            (
                f"a {question.type.value} question cannot name a generator; "
                "families are single_choice or numeric"
            ),
        )
        return
    if isinstance(raw, dict):
        for key in ("answer", "choices", "tolerance", "relative_tolerance"):
            if key in raw:
                yield (
                    (key,),
                    (
                        f"the generator computes this family's {key}; remove '{key}' "
                        "(override a mistake's feedback with mistake_feedback)"
                    ),
                )
    try:
        family = generator(question.generator)
    except FamilyError as error:
        yield ("generator",), str(error)
        return
    bad_param = False
    for name, value in question.params.items():
        try:
            family.spec(name).validate(value)
        except FamilyError as error:
            bad_param = True
            yield ("params", name), str(error)
    if bad_param:
        return
    yield from _template_problems(question)


_MISTAKE_ID = re.compile(ID_PATTERN)


def _formula_problems(question: Question, raw: Any) -> Iterator[tuple[KeyPath, str]]:
    """A formula family's keys, expressions and texts, each problem at the key to fix."""
    assert question.formula is not None
    if question.type not in FAMILY_TYPES:
        yield (
            ("formula",),
            (
                f"a {question.type.value} question cannot have a formula; "
                "families are single_choice or numeric"
            ),
        )
        return
    if question.generator is not None:
        yield ("generator",), "give either 'generator' or 'formula', not both"
        return
    if isinstance(raw, dict):
        for key in ("answer", "choices", "tolerance", "relative_tolerance", "params"):
            if key in raw:
                yield (
                    (key,),
                    (
                        f"the formula gives this family's {key}; remove '{key}' "
                        "(write tolerance under formula:, mistakes as formula.mistakes)"
                    ),
                )
    formula = question.formula
    problems = [(("formula", *where), message) for where, message in spec_problems(formula.spec())]
    for name in formula.mistakes:
        if not _MISTAKE_ID.match(name):
            problems.append(
                (
                    ("formula", "mistakes", name),
                    f"'{name}' is not a valid mistake id: use "
                    "letters, digits, '-', '_' or '.', e.g. used-accuracy",
                )
            )
    if question.type is QuestionType.SINGLE_CHOICE and not formula.mistakes:
        problems.append(
            (
                ("formula", "mistakes"),
                "a single_choice formula needs at least one mistake: the wrong choices",
            )
        )
    yield from problems
    if problems:
        return
    try:
        draw_variant(question, 0)
    except FamilyError as error:
        yield ("formula",), str(error)
        return
    yield from _placeholder_problems(question, family_generator(question), "this formula")


def _template_problems(question: Question) -> Iterator[tuple[KeyPath, str]]:
    """Placeholders and mistake ids checked against what the generator declares.

    Only families computed without PyTorch draw one variant here (to refuse ranges they
    cannot honour): a bank loads without importing torch. ``engine validate`` draws every
    family at many seeds and checks each filled text.
    """
    assert question.generator is not None
    family = generator(question.generator)
    if not family.library.startswith("torch"):  # cheap, and catches a range it cannot honour
        try:
            draw_variant(question, 0)
        except FamilyError as error:
            yield ("params",), str(error)
            return
    yield from _placeholder_problems(question, family, question.generator)


def _placeholder_problems(
    question: Question, family: Generator, owner: str
) -> Iterator[tuple[KeyPath, str]]:
    """Mistake ids and `{placeholders}` checked against what the family declares."""
    known = ", ".join(sorted(family.value_names))
    for mistake_id in question.mistake_feedback:
        if mistake_id not in family.mistake_names:
            yield (
                ("mistake_feedback", mistake_id),
                (
                    f"'{mistake_id}' is not a mistake of {owner}; "
                    f"it names: {', '.join(sorted(family.mistake_names)) or 'none'}"
                ),
            )
    for path, text in text_fields(question):
        try:
            names = placeholders(text)
        except TemplateError as error:
            yield path, str(error)
            continue
        for name in names:
            if name not in family.value_names:
                yield path, f"{{{name}}} names no variable; {owner} has: {known}"
