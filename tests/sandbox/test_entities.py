"""HTML parse_mode, auto-detected entities and UTF-16 arithmetic, as Telegram does them."""

from __future__ import annotations

import pytest

from sandbox.entities import (
    EntityParseError,
    detect_entities,
    format_text,
    parse_html,
    utf16_len,
    utf16_slice,
)


def test_utf16_counts_emoji_as_two_units_and_chinese_as_one() -> None:
    assert utf16_len("协商") == 2
    assert utf16_len("😀") == 2
    assert utf16_len("a😀协") == 4


def test_html_offsets_are_utf16_with_chinese_and_emoji() -> None:
    text, entities = parse_html("😀<b>提案</b> 👍🏽 <i>投票</i>")
    assert text == "😀提案 👍🏽 投票"
    bold, italic = entities
    assert bold == {"type": "bold", "offset": 2, "length": 2}
    assert italic["type"] == "italic" and italic["offset"] == 2 + 2 + 1 + 4 + 1
    assert utf16_slice(text, italic["offset"], italic["length"]) == "投票"


def test_all_supported_tags_map_to_entity_types() -> None:
    html = (
        "<b>b</b><strong>b</strong><i>i</i><em>i</em><u>u</u><ins>u</ins><s>s</s><strike>s</strike>"
        '<del>s</del><tg-spoiler>p</tg-spoiler><span class="tg-spoiler">p</span><code>c</code>'
        '<a href="https://example.com">l</a><blockquote>q</blockquote>'
        "<blockquote expandable>e</blockquote>"
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
    )
    text, entities = parse_html(html)
    assert text == "bbiiuussspp" + "clqe👍"
    assert [e["type"] for e in entities] == [
        "bold",
        "bold",
        "italic",
        "italic",
        "underline",
        "underline",
        "strikethrough",
        "strikethrough",
        "strikethrough",
        "spoiler",
        "spoiler",
        "code",
        "text_link",
        "blockquote",
        "expandable_blockquote",
        "custom_emoji",
    ]
    assert entities[12]["url"] == "https://example.com/"
    assert entities[15]["custom_emoji_id"] == "5368324170671202286"


def test_pre_with_language_and_nested_entities() -> None:
    text, entities = parse_html('<pre><code class="language-python">print(1)</code></pre>')
    assert text == "print(1)"
    assert entities == [{"type": "pre", "offset": 0, "length": 8, "language": "python"}]
    text, entities = parse_html("<b>粗<i>斜</i></b>")
    assert entities == [
        {"type": "italic", "offset": 1, "length": 1},
        {"type": "bold", "offset": 0, "length": 2},
    ]


def test_html_entities_named_and_numeric() -> None:
    text, _ = parse_html("&lt;b&gt; &amp; &quot; &#20320;&#x597D; &#x1F600; &nbsp; & alone")
    assert text == '<b> & " 你好 😀 &nbsp; & alone'


@pytest.mark.parametrize(
    ("html", "message"),
    [
        ("<div>x</div>", 'Unsupported start tag "div" at byte offset 0'),
        ("协商<div>", 'Unsupported start tag "div" at byte offset 6'),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("<b", "Unclosed start tag at byte offset 0"),
    ],
)
def test_bad_html_is_refused_with_telegrams_wording(html: str, message: str) -> None:
    with pytest.raises(EntityParseError) as error:
        parse_html(html)
    assert str(error.value) == message


def test_commands_mentions_hashtags_urls_are_detected() -> None:
    text = "/start@xieshang_bot 请看 #提案，@zhang_san https://example.com/a. #2024 /vote"
    found = {
        (e["type"], utf16_slice(text, e["offset"], e["length"])) for e in detect_entities(text)
    }
    assert found == {
        ("bot_command", "/start@xieshang_bot"),
        ("hashtag", "#提案"),
        ("mention", "@zhang_san"),
        ("url", "https://example.com/a"),
        ("bot_command", "/vote"),
    }


def test_command_in_the_middle_and_not_inside_paths() -> None:
    text = "please /help me, not a/b or /x/y"
    found = [utf16_slice(text, e["offset"], e["length"]) for e in detect_entities(text)]
    assert found == ["/help"]


def test_format_strips_whitespace_and_skips_detection_inside_code() -> None:
    text, entities = format_text("  <code>/notacommand</code> /cmd 😀  \n", "html")
    assert text == "/notacommand /cmd 😀"
    assert entities == [
        {"type": "code", "offset": 0, "length": 12},
        {"type": "bot_command", "offset": 13, "length": 4},
    ]
