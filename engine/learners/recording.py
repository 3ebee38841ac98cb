"""Recording answers: what the store keeps of a response, and how a test is rebuilt from it.

Every page that records an answer comes through here, so an answer is acknowledged only once
``Store.record_answer`` has committed it together with its review card's move.
"""

from __future__ import annotations

from engine.codecheck.spec import GradeResult
from engine.learners import leitner
from engine.modes import AttemptMode
from engine.quiz.attempt import TestAttempt
from engine.quiz.grading import Grade, Response
from engine.quiz.models import Question, QuestionBank
from engine.quiz.plan import AttemptPlan, missing_questions
from engine.store import Answer, Attempt, Store
from engine.store.models import RecordedResponse


def start_attempt(
    db: Store, learner_id: int, bank: QuestionBank, plan: AttemptPlan, mode: AttemptMode
) -> Attempt:
    """Record the start of an attempt with everything needed to resume it later."""
    return db.start_attempt(
        learner_id,
        bank_id=bank.id,
        bank_version=bank.version,
        mode=mode,
        seed=plan.seed,
        plan=plan.to_json(),
    )


def record_answer(
    db: Store,
    attempt_id: int,
    question: Question,
    response: Response,
    graded: Grade,
    *,
    used_hint: bool,
    seconds: float,
) -> Answer:
    """Commit one graded answer (and its review card move) before it is acknowledged."""
    return db.record_answer(
        attempt_id,
        question_id=question.id,
        question_fingerprint=question.fingerprint,
        response=response_to_record(response),
        score=graded.score,
        max_score=graded.max_score,
        correct=graded.correct,
        used_hint=used_hint,
        seconds=seconds,
        card=leitner.card_move(correct=graded.correct, used_hint=used_hint),
        variant_seed=question.variant.seed if question.variant else None,
    )


def response_to_record(response: Response) -> RecordedResponse:
    """The JSON the store keeps: sorted choice ids, the number, or the code with each
    check's outcome ``{"code": ..., "result": {...}}``."""
    if response.code is not None:
        result = response.code_result and response.code_result.model_dump(mode="json")
        return {"code": response.code, "result": result}
    return response.value if response.value is not None else sorted(response.choice_ids)


def response_from_record(value: RecordedResponse) -> Response:
    if isinstance(value, dict):
        result = value.get("result")
        return Response(
            code=str(value["code"]),
            code_result=None if result is None else GradeResult.model_validate(result),
        )
    if isinstance(value, list):
        return Response.choices(value)
    return Response.number(value)


def restore_attempt(
    bank: QuestionBank, plan: dict[str, object], answers: dict[str, RecordedResponse]
) -> TestAttempt | None:
    """Rebuild an unfinished test from what the store kept; None if the bank has moved on.

    Answers to questions no longer in the plan are dropped rather than trusted.
    """
    restored = AttemptPlan.from_json(plan)
    if restored.bank_id != bank.id or restored.bank_version != bank.version:
        return None
    if missing_questions(bank, restored):  # edited on disk without a new version
        return None
    attempt = TestAttempt(bank, restored)
    for question_id, value in answers.items():
        if question_id in restored.question_ids:
            attempt.responses[question_id] = response_from_record(value)
    return attempt
