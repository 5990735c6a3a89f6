"""Normalisation for matching: numerals, full-width characters, buildings, noise."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.text.normalize import cn_to_int, normalize, numerals_to_digits


@pytest.mark.parametrize(
    ("numeral", "value"),
    [
        ("七", 7),
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("二十三", 23),
        ("两", 2),
        ("一百零五", 105),
        ("两千", 2000),
        ("三万五千", 35000),
        ("三零一", 301),
        ("二〇二四", 2024),
    ],
)
def test_chinese_numerals(numeral: str, value: int) -> None:
    assert cn_to_int(numeral) == value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("给七栋装个门禁吧", "给7栋装个门禁吧"),
        ("十二号楼楼道灯不亮", "12栋楼道灯不亮"),
        ("二十三", "23"),
        ("两个充电桩", "2个充电桩"),
        ("第三季度", "第3季度"),
        ("二〇二四年", "2024年"),
        # Numerals inside ordinary words stay.
        ("一起统一万一千万注意", "一起统一万一千万注意"),
        ("十分感谢", "十分感谢"),
        ("社区两委", "社区两委"),
    ],
)
def test_numerals_that_count_become_digits(text: str, expected: str) -> None:
    assert normalize(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "7栋",
        "七栋",
        "7号楼",
        "七号楼",
        "七幢",
        "7幢",
        "7#楼",
        "7#",
        "7栋楼",
        "７号楼",
        "7楼",
        "７ 号楼",
    ],
)
def test_every_way_of_naming_a_building_is_one_token(text: str) -> None:
    assert normalize(text) == "7栋"


def test_building_words_do_not_swallow_corridors_and_stairs() -> None:
    assert normalize("7栋楼道灯") == "7栋楼道灯"
    assert normalize("5栋楼下") == "5栋楼下"
    assert normalize("7楼道") == "7楼道"


def test_units_and_rooms() -> None:
    assert normalize("七号楼二单元") == "7栋2单元"
    assert normalize("5栋3单元楼") == "5栋3单元"
    assert normalize("7-2-301漏水") == "7栋2单元301室漏水"


def test_full_width_emoji_punctuation_and_case() -> None:
    assert normalize("３号楼门口乱停车😡！！") == "3栋门口乱停车"
    assert normalize("  ＡＢＣ  门禁，，卡 ") == "abc 门禁 卡"
    assert normalize("❤️🙏停车位\u200d太少？？") == "停车位 太少"
    assert normalize("小區樓道燈壞了") == "小区楼道灯坏了"


def test_numerals_to_digits_leaves_uncounted_single_numerals() -> None:
    assert numerals_to_digits("统一一下") == "统一一下"


@given(
    st.text(
        alphabet=st.sampled_from(list("一二两三十百七栋号楼幢单元#-0123456789门禁 ！😀ａ")),
        max_size=30,
    )
)
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once
