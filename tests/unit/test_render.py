"""The renderer: translation, escaping of untrusted values, splitting under Telegram's limit."""

from __future__ import annotations

import html
import re

from hypothesis import given
from hypothesis import strategies as st

from bot import render
from bot.i18n import t


def plain(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def test_values_are_escaped_but_nested_texts_are_not() -> None:
    out = render.text(
        "zh_CN", t("Hello, {name}! I am the <b>协商日</b> assistant.", name="<i>王</i> & co")
    )
    assert out == "你好，&lt;i&gt;王&lt;/i&gt; &amp; co！我是<b>协商日</b>助手。"
    nested = render.text("en", t("Language set to {language}.", language=t("简体中文")))
    assert nested == "Language set to 简体中文."


def test_short_paragraphs_stay_in_one_message() -> None:
    assert render.split_html(["一", "二"]) == ["一\n\n二"]


def test_paragraphs_are_kept_whole_when_they_fit() -> None:
    paragraphs = [f"段落{i}。" * 150 for i in range(8)]  # ~900 characters each
    chunks = render.split_html(paragraphs)
    assert len(chunks) > 1
    assert "\n\n".join(chunks) == "\n\n".join(paragraphs)
    for chunk in chunks:
        assert render.visible_length(chunk) <= render.MESSAGE_LIMIT
        for part in chunk.split("\n\n"):
            assert part in paragraphs


def test_limit_counts_utf16_units_and_visible_text_only() -> None:
    emoji = "😀" * 2048  # 4096 UTF-16 code units
    assert render.visible_length(emoji) == 4096
    assert render.split_html([emoji]) == [emoji]
    assert len(render.split_html([emoji + "a"])) == 2
    assert render.visible_length("<b>&amp;</b>") == 1


def test_an_over_long_paragraph_is_cut_at_a_sentence_and_tags_reopened() -> None:
    sentence = "大家好，这是一段很长的讨论。"
    paragraph = "<b>" + sentence * 400 + "</b>"
    chunks = render.split_html([paragraph])
    assert len(chunks) >= 2
    for chunk in chunks:
        assert chunk.startswith("<b>") and chunk.endswith("</b>")
        assert render.visible_length(chunk) <= render.MESSAGE_LIMIT
        assert plain(chunk).endswith("。")
    assert "".join(plain(c) for c in chunks) == sentence * 400


@given(st.lists(st.text(alphabet=st.sampled_from("协商日 a\n。😀&<>"), max_size=3000), max_size=6))
def test_splitting_loses_nothing_and_respects_the_limit(raw: list[str]) -> None:
    paragraphs = [html.escape(p, quote=False) for p in raw if p]
    chunks = render.split_html(paragraphs, limit=500)
    for chunk in chunks:
        assert render.visible_length(chunk) <= 500
    # Nothing but the separators between pieces is added or lost.
    assert "".join(plain(c) for c in chunks).replace("\n", "") == "".join(
        plain(p) for p in paragraphs
    ).replace("\n", "")
    if all(render.visible_length(p) <= 500 for p in paragraphs):
        assert "\n\n".join(chunks) == "\n\n".join(paragraphs)
