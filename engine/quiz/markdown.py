"""Bank text made safe to render: Markdown images become links, so no browser fetches them."""

from __future__ import annotations

import re

# Code spans and fences are left alone: a "![" inside code is code, not an image.
_CODE = re.compile(r"(```.*?```|~~~.*?~~~|`[^`\n]*`)", re.DOTALL)
# "![alt](url)", "![alt][ref]", "![alt]": an image is a link with "!" in front. Dropping the
# "!" keeps the alt text and the address, as a link the learner may choose to follow.
_IMAGE = re.compile(r"!(?=\[)")


def inert_images(text: str) -> str:
    """`text` with every Markdown image turned into a plain link (code left untouched)."""
    parts = _CODE.split(text)
    return "".join(part if i % 2 else _IMAGE.sub("", part) for i, part in enumerate(parts))
