"""Run learner code in a bubblewrap jail, never in the app's process.

Layers (each a module):
    jail.py        the ``bwrap`` command line, ``Limits``, ``probe()``, ``SandboxUnavailable``
    forkserver.py  runs inside the jail: torch imported once, one fresh forked process per
                   submission (as ``nobody`` when the server is root), rlimits, wall clock,
                   leftover processes killed and /tmp emptied after each
    protocol.py    one JSON line each way, bounded; never pickle
    worker.py      the app's handle on one jailed worker (kills its process group on failure)
    pool.py        ``SandboxPool``: ``size`` warm workers, a queue with visible positions

API for the ``code`` question type (the pages and the quiz model build on this)::

    from engine.codecheck.grade import grade_code
    from engine.codecheck.spec import CodeExercise, GradeResult
    from engine.sandbox.pool import SandboxPool

    pool = SandboxPool(size=2)       # one per server: st.cache_resource in the app
    pool.start()                     # SandboxUnavailable here: show code questions as
                                     # "can't be run on this server", never run them unjailed
    exercise = CodeExercise.model_validate(question_yaml_fields)  # id, function, checks
    ticket = pool.submit(child_request(exercise, code))  # or simply:
    result: GradeResult = grade_code(exercise, learner_code, pool)

``GradeResult.gradable`` False (syntax error with its ``line``, missing function, no
sandbox) costs no attempt; otherwise ``score`` in [0, 1] and ``tests[]`` (name, points,
max_points, passed, message) as PrairieLearn's external graders report. A ``code``
question in a bank can carry a ``CodeExercise``'s fields (``function``, ``checks``) next
to its prompt and starter code; the check types live in engine/codecheck/spec.py.

The verdict never comes from the jail: the child runs the learner's function and reports
data only (engine/codecheck/snapshot.py: flags, modes, the optimizer's groups, a return
value or an error); the app decides what is gradable, judges the report with the
exercise's own checks on a model of its own (engine/codecheck/judge.py) and refuses any
reply that is not a clean report ("could not be graded — run it again", logged).
"""
