"""A question bank whose every learner-visible text carries HTML/JS and outside-host beacons.

`write_hostile_quiz_dir(folder)` puts it (and a copy of the shipped bank) in a folder to
point $TUNELAB_QUIZ_DIR at; the payloads are data the browser tests look for afterwards.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
SHIPPED_BANK = ROOT / "quizzes" / "fine_tuning_metrics.yaml"

BANK_ID = "hostile"
BANK_TITLE = "Hostile bank"
# TEST-NET-3 (RFC 5737): never routed, so even a leak would reach nobody.
OUTSIDE_HOST = "203.0.113.9"
PWNED = "window.__pwned=1"
PAYLOADS: tuple[str, ...] = (
    f"<script>{PWNED}</script>",
    f'<img src=x onerror="{PWNED}">',
    f"[click](javascript:{PWNED})",
    f"![beacon](http://{OUTSIDE_HOST}/beacon.png)",
    f'<iframe src="http://{OUTSIDE_HOST}/frame" onload="{PWNED}"></iframe>',
    f'<a href="javascript:{PWNED}">raw link</a>',
    f"<javascript:{PWNED}>",
    f"![ref beacon][b]\n\n[b]: http://{OUTSIDE_HOST}/ref.png",
    f'<svg onload="{PWNED}"><circle r="5"/></svg>',
    f"$\\href{{javascript:{PWNED}}}{{katex}}$",
)
# A marker in every field, so a test can tell the field was rendered at all.
MARK = "HOSTILE-MARK"


def hostile(label: str) -> str:
    """One field's text: a visible marker, then every payload on its own paragraph."""
    return f"{MARK} {label}\n\n" + "\n\n".join(PAYLOADS)


def _choice(cid: str) -> dict[str, str]:
    return {"id": cid, "text": hostile(f"choice {cid}"), "feedback": hostile(f"feedback {cid}")}


def _common(qid: str, difficulty: str) -> dict[str, object]:
    return {
        "id": qid,
        "difficulty": difficulty,
        "topic": f"topic {qid}",
        "prompt": hostile(f"prompt {qid}"),
        "solution": {
            "steps": [hostile(f"step 1 {qid}"), hostile(f"step 2 {qid}")],
            "final_answer": hostile(f"final {qid}"),
        },
        "quick_check": hostile(f"quick check {qid}"),
        "hints": [hostile(f"hint {qid}")],
        "common_mistakes": [hostile(f"mistake {qid}")],
    }


def hostile_bank() -> dict[str, object]:
    """The bank as a mapping: one easy, one medium and one hard question (a 3-question test)."""
    single = _common("hostile-single", "easy") | {
        "type": "single_choice",
        "choices": [_choice("right"), _choice("wrong")],
        "answer": "right",
    }
    multi = _common("hostile-multi", "medium") | {
        "type": "multiple_select",
        "choices": [_choice("one"), _choice("two"), _choice("three")],
        "answer": ["one", "two"],
    }
    numeric = _common("hostile-number", "hard") | {
        "type": "numeric",
        "answer": 0.5,
        "tolerance": 0.01,
    }
    return {
        "id": BANK_ID,
        "title": BANK_TITLE,
        "pattern": hostile("pattern"),
        "version": "1",
        "test": {"easy": 1, "medium": 1, "hard": 1},
        "questions": [single, multi, numeric],
    }


def write_hostile_quiz_dir(folder: Path) -> Path:
    """Write the hostile bank (listed first) and the shipped bank into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(hostile_bank(), sort_keys=False, allow_unicode=True, width=1000)
    (folder / "a_hostile.yaml").write_text(text)
    shutil.copy(SHIPPED_BANK, folder / SHIPPED_BANK.name)
    return folder
