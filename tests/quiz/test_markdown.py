"""Bank Markdown is made inert: images become links, so no learner's browser fetches them."""

from __future__ import annotations

import pytest
from builders import bank, question
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from engine.quiz.markdown import inert_images


@pytest.mark.parametrize(
    "address",
    [
        "http://tracker.example/pixel.png",
        "https://tracker.example/pixel.png?learner=ada",
        "//tracker.example/pixel.png",
        "data:image/png;base64,iVBORw0KGgo=",
        "figures/local.png",
        '<https://tracker.example/a b.png> "with a title"',
    ],
)
def test_an_inline_image_becomes_a_link_to_the_same_address(address):
    text = f"See ![the chart]({address}) above."
    assert inert_images(text) == f"See [the chart]({address}) above."


def test_reference_and_shortcut_images_become_links_and_definitions_stay():
    text = "![chart][fig]\n\n![fig]\n\n[fig]: https://tracker.example/pixel.png"
    assert inert_images(text) == "[chart][fig]\n\n[fig]\n\n[fig]: https://tracker.example/pixel.png"


def test_every_image_in_a_text_is_made_inert_even_side_by_side():
    text = "![a](http://x.example/a.png)![b](http://x.example/b.png)\n- ![c](//x.example/c.png)"
    out = inert_images(text)
    assert out == "[a](http://x.example/a.png)[b](http://x.example/b.png)\n- [c](//x.example/c.png)"
    assert "![" not in out


def test_an_image_wrapped_in_a_link_keeps_the_outer_link():
    text = "[![badge](https://ci.example/badge.svg)](https://ci.example/run)"
    assert inert_images(text) == "[[badge](https://ci.example/badge.svg)](https://ci.example/run)"


@pytest.mark.parametrize(
    "text",
    [
        "Plain prose: F1 = 2PR / (P + R). Wow! [a link](https://example.org) stays.",
        "An exclamation then a bracket with a space between is no image: hi! [x](y)",
        "$\\frac{TP}{TP + FP}$ and **bold** and a [link][ref]",
        "",
    ],
)
def test_text_without_images_is_returned_unchanged(text):
    assert inert_images(text) == text


def test_image_syntax_inside_inline_code_is_made_inert_too():
    # Autolinks and HTML outrank code spans, so a look-alike span could shield an image:
    # inline code is not exempt (a "!" lost in a code sample is the price).
    text = "Write `![alt](https://example.org/a.png)` to embed, but ![x](http://t.example/p.png)"
    assert inert_images(text) == (
        "Write `[alt](https://example.org/a.png)` to embed, but [x](http://t.example/p.png)"
    )


@pytest.mark.parametrize("fence", ["```", "~~~"])
def test_image_syntax_inside_a_fenced_block_is_left_as_written(fence):
    code = f"{fence}markdown\n![alt](https://example.org/a.png)\n{fence}"
    text = f"Before ![x](http://t.example/1.png)\n\n{code}\n\nAfter ![y](http://t.example/2.png)"
    assert inert_images(text) == (
        f"Before [x](http://t.example/1.png)\n\n{code}\n\nAfter [y](http://t.example/2.png)"
    )


def test_an_unclosed_fence_does_not_shield_the_image_after_it():
    # Only a closed fence counts as code here: when in doubt the image is made inert.
    assert inert_images("```\n![x](http://t.example/p.png)") == "```\n[x](http://t.example/p.png)"


def test_making_text_inert_twice_changes_nothing_more():
    text = "![a](http://x.example/a.png) `![b](c)` ![d][e]"
    once = inert_images(text)
    assert inert_images(once) == once


def test_every_text_field_of_a_loaded_bank_has_its_images_made_inert():
    pixel = "![p](https://tracker.example/pixel.png)"
    loaded = bank(
        title=f"Bank {pixel}",
        pattern=f"Pattern {pixel}",
        questions=[
            question(
                "e1",
                prompt=f"Prompt {pixel} and `{pixel}`",
                choices=[
                    {"id": "a", "text": f"A {pixel}", "feedback": f"Yes {pixel}"},
                    {"id": "b", "text": "B"},
                ],
                solution={"steps": [f"Step {pixel}"], "final_answer": f"Final {pixel}"},
                hints=[f"Hint {pixel}"],
                quick_check=f"Check {pixel}",
                common_mistakes=[f"Mistake {pixel}"],
            )
        ],
    )
    q = loaded.questions[0]
    texts = [
        loaded.title,
        loaded.pattern,
        q.choices[0].text,
        q.choices[0].feedback,
        *q.solution.steps,
        q.solution.final_answer,
        *q.hints,
        q.quick_check,
        *q.common_mistakes,
    ]
    link = "[p](https://tracker.example/pixel.png)"
    assert all(text.endswith(f" {link}") for text in texts), texts
    assert q.prompt == f"Prompt {link} and `{link}`"


# ---------------------------------------------------------------- against a CommonMark parser

COMMONMARK = MarkdownIt("commonmark")


def images_rendered(text: str) -> list[str]:
    """The image addresses a CommonMark renderer would fetch for `text`."""
    found = []
    for token in COMMONMARK.parse(text):
        for child in token.children or []:
            if child.type == "image":
                found.append(str(child.attrs.get("src")))
    return found


@pytest.mark.parametrize(
    "text",
    [
        "!![x](http://t.example/p.png)",  # a "!" run: dropping one "!" made a new image
        "\\`![x](http://t.example/p.png)\\`",  # escaped backticks are not code
        "a ~~~ ![x](http://t.example/p.png) ~~~ b",  # a fence must open a line
        "````\n```\n````\n![x](http://t.example/p.png)\n```",  # fences pair by length
        "``` `\n![x](http://t.example/p.png)\n```",  # a backtick in the info: no fence
        "<http://a.example/`> ![x](http://t.example/p.png) <http://b.example/`>",
        "x\u2028```\n![x](http://t.example/p.png)\n```",  # not a CommonMark line break
        "    ```\n![x](http://t.example/p.png)\n    ```",  # indented: code, not a fence
    ],
)
def test_known_ways_around_the_filter_render_no_image(text):
    assert images_rendered(text), "the case must hold an image before the filter"
    assert images_rendered(inert_images(text)) == []


def test_a_real_fenced_block_keeps_its_image_syntax_and_renders_no_image():
    text = "```markdown\n![alt](https://example.org/a.png)\n```\n"
    assert inert_images(text) == text
    assert images_rendered(text) == []


# Texts built from the pieces images, code and links are made of, so that the search
# spends its time on the interesting boundaries rather than on random characters.
PIECES = ["![x](h)", "![y]", "!", "[", "]", "(h)", "`", "```", "~~~", "\n", "\r", " ", "   ",
          "\\", "<h:/`>", "<b>", "x", "* ", "> ", "1. ", "\n\n", "[y]: h\n"]  # fmt: skip


@settings(max_examples=3000, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(PIECES), max_size=14).map("".join))
def test_no_text_renders_an_image_once_made_inert(text):
    assert images_rendered(inert_images(text)) == []
