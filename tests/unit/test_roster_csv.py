"""Reading roster and chair-rotation files: encodings, headers, normalisation, every rejection."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import render
from bot.flows import roster_csv
from bot.flows.inputs import Invalid
from bot.flows.roster_csv import CHAIR_ROTATION, ROSTER, parse_chairs, parse_roster, read

DATA = Path(__file__).resolve().parents[1] / "data"
HEADER = "网格,楼栋,单元,房号,户号,户代表,手机尾号\n"
ROW = "第一网格,1栋,1单元,101,1-1-101,王伟,1234\n"


def reasons(text: str, language: str = "en") -> dict[int, str]:
    sheet = read(text.encode())
    parse = parse_roster if sheet.kind == ROSTER else parse_chairs
    return {r.line: render.plain(language, r.reason) for r in parse(sheet)[1]}


def refusal(data: bytes) -> str:
    with pytest.raises(Invalid) as caught:
        read(data)
    return render.plain("en", caught.value.text)


@pytest.mark.parametrize(
    "encode",
    [
        lambda s: s.encode("utf-8"),
        lambda s: s.encode("utf-8-sig"),
        lambda s: s.encode("gbk"),
        lambda s: s.encode("gb18030"),
        lambda s: s.replace("\n", "\r\n").encode("gbk"),
    ],
    ids=["utf-8", "utf-8-bom", "gbk", "gb18030", "gbk-crlf"],
)
def test_every_encoding_reads_the_same_rows(encode) -> None:
    rows, rejected = parse_roster(read(encode(HEADER + ROW + "第二网格,7栋,2单元,301,7-2-301,,\n")))
    assert not rejected
    assert [(r.grid, r.building, r.household, r.representative, r.phone_tail) for r in rows] == [
        ("第一网格", "1栋", "1-1-101", "王伟", "1234"),
        ("第二网格", "7栋", "7-2-301", None, None),
    ]


def test_the_gbk_file_reads_like_the_utf8_rows_of_building_7() -> None:
    utf8, _ = parse_roster(read((DATA / "roster-xiaotaoyuan.csv").read_bytes()))
    gbk, _ = parse_roster(read((DATA / "roster-building7-gbk.csv").read_bytes()))
    strip = [r.__dict__ | {"line": 0} for r in gbk]
    assert len(gbk) == 24
    assert strip == [r.__dict__ | {"line": 0} for r in utf8 if r.building == "7栋"]


def test_english_header_in_any_order_full_width_and_spaces() -> None:
    text = (
        " Household ,GRID,building,unit,room,Representative,phone tail,,\n"
        "７－１－１０１,第二网格, ７栋 ,１单元,１０１,  余  勇艳 ,３１８７,,\n"
    )
    sheet = read(text.encode())
    [row], rejected = parse_roster(sheet)
    assert sheet.kind == ROSTER and not rejected
    assert (
        row.household,
        row.building,
        row.unit,
        row.room,
        row.representative,
        row.phone_tail,
    ) == (
        "7-1-101",
        "7栋",
        "1单元",
        "101",
        "余 勇艳",
        "3187",
    )


def test_chair_rotation_is_recognised_by_its_header() -> None:
    for header in ("顺序,户号,姓名", "position,household,name", "姓名,顺序,户号"):
        sheet = read(f"{header}\n".encode() + "1,5-1-401,胡东\n".encode())
        assert sheet.kind == CHAIR_ROTATION
    rows, _ = parse_chairs(read((DATA / "chair-rotation-xiaotaoyuan.csv").read_bytes()))
    assert len(rows) == 32 and (rows[0].position, rows[0].household, rows[0].name) == (
        1,
        "5-1-401",
        "胡东",
    )


def test_the_bad_roster_line_by_line() -> None:
    sheet = read((DATA / "roster-bad.csv").read_bytes())
    rows, rejected = parse_roster(sheet)
    # Line 6 is well-formed; its grid is checked against the community by the import.
    assert [(r.line, r.household, r.representative, r.phone_tail) for r in rows] == [
        (2, "1-1-101", "王伟", "1234"),
        (6, "9-1-101", "陈静", "4321"),
        (7, "1-1-105", "<b>赵</b>敏", "2233"),
    ]
    assert {r.line: render.plain("zh_CN", r.reason) for r in rejected} == {
        3: "户号 1-1-101 重复，第 2 行已使用",
        4: "户号为空",
        5: "手机尾号一栏像是完整的手机号码，只能填写后 4 位（该号码未被保存）",
        8: "列数太少：应有 7 列，实际 4 列",
        9: "列数太多：应有 7 列，实际 8 列",
    }


def test_every_problem_of_a_line_is_reported_and_no_phone_number_is_echoed() -> None:
    long_name = "王" * 101
    found = reasons(
        HEADER
        + ROW
        + f"第一网格,,1单元,,1-1-101,{long_name},138-0013-8000\n"
        + "第一网格,1栋,1单元,103,1-1-103,张强,12a\n"
        + "第一网格,1栋,1单元,104,1-1-104,刘洋,123\n"
        + "第一网格,1栋,1单元,105,1-1-105,赵敏,+86 138 0013 8000\n"
        + ",1栋,1单元,106,1-1-106-is-a-very-long-household-code,周杰,\n"
    )
    assert found == {
        3: "building is empty; room is empty; representative is longer than 100 characters; "
        "the phone tail looks like a full phone number; give only its last 4 digits "
        "(the number was not stored); duplicate household code 1-1-101, first used on line 2",
        4: "the phone tail must be exactly 4 digits",
        5: "the phone tail must be exactly 4 digits",
        6: "the phone tail looks like a full phone number; give only its last 4 digits "
        "(the number was not stored)",
        7: "grid is empty; household code is longer than 32 characters",
    }
    assert not any(digits in " ".join(found.values()) for digits in ("138", "8000", "12a"))


def test_html_is_kept_as_text_and_rendered_escaped() -> None:
    [row], _ = parse_roster(
        read((HEADER + '第一网格,1栋,1单元,101,1-1-101,"<b>赵</b>敏",\n').encode())
    )
    assert row.representative == "<b>赵</b>敏"
    duplicate = reasons(
        HEADER + ROW + ROW.replace("1-1-101", "<i>x</i>").replace("101,", "102,") * 2
    )
    assert duplicate == {4: "duplicate household code <i>x</i>, first used on line 3"}


def test_lines_count_the_header_and_quoted_line_breaks_blank_lines_are_skipped() -> None:
    text = HEADER + '第一网格,1栋,1单元,101,1-1-101,"王\n伟",1234\n\n,,,,,,\n' + ROW
    found = reasons(text)
    assert found == {6: "duplicate household code 1-1-101, first used on line 2"}


def test_chair_rotation_rejections() -> None:
    found = reasons(
        "顺序,户号,姓名\n1,5-1-401,胡东\n01,3-1-403,陈东娜\n0,5-2-301,朱晓丽\n三,1-2-203,贾海\n"
        "5,,\n6,2-2-301\n",
        "zh_CN",
    )
    assert found == {
        3: "顺序 1 重复，第 2 行已使用",
        4: "顺序必须是大于 0 的整数",
        5: "顺序必须是大于 0 的整数",
        6: "户号为空；姓名为空",
        7: "列数太少：应有 3 列，实际 2 列",
    }


def test_files_that_cannot_be_read() -> None:
    assert refusal(b"") == "The file is empty."
    assert refusal("\ufeff\r\n".encode()) == "The file is empty."
    assert refusal(b"\x89PNG\r\n\x1a\n\x00\x00").startswith("This file cannot be read as text.")
    assert refusal(bytes(range(128, 256))).startswith("This file cannot be read as text.")
    assert refusal(b"grid,building\x07\n").startswith("This file cannot be read as text.")
    assert refusal(b"x" * (roster_csv.MAX_BYTES + 1)).startswith("The file is larger than 1 MB")
    assert refusal(HEADER.encode()) == "The file has a header but no rows."
    assert refusal("姓名,电话\n王伟,1234\n".encode()) == (
        "The first line must be the header. For a roster: "
        "网格,楼栋,单元,房号,户号,户代表,手机尾号 "
        "(or grid,building,unit,room,household,representative,phone_tail); "
        "for the chair rotation: 顺序,户号,姓名 (or position,household,name)."
    )
    assert refusal(("网格,网格,单元,房号,户号,户代表,手机尾号\n" + ROW).encode()).startswith(
        "The first line must be the header."
    )
