"""Reading a roster or chair-rotation CSV: bytes in, checked rows and rejected lines out.

Pure (no storage, no I/O) so the chat and the CLI read a file identically. What needs the
database — does the grid exist, may this person import it, is the household known — is checked
by ``bot.flows.roster`` and ``bot.flows.chairs``. Line numbers count the header as line 1, as a
spreadsheet shows them.

A full phone number found in the phone-tail column is rejected without ever being repeated:
reasons say what is wrong, never what was there.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from bot.flows.inputs import Invalid
from bot.i18n import Text, t

MAX_BYTES = 1024 * 1024
ROSTER = "roster"
CHAIR_ROTATION = "chair_rotation"

COLUMNS: dict[str, tuple[str, ...]] = {
    ROSTER: ("grid", "building", "unit", "room", "household", "representative", "phone_tail"),
    CHAIR_ROTATION: ("position", "household", "name"),
}
CHINESE_HEADERS = {
    "网格": "grid",
    "楼栋": "building",
    "单元": "unit",
    "房号": "room",
    "户号": "household",
    "户代表": "representative",
    "手机尾号": "phone_tail",
    "顺序": "position",
    "姓名": "name",
}
COLUMN_NAMES: dict[str, Text] = {
    "grid": t("grid"),
    "building": t("building"),
    "unit": t("unit"),
    "room": t("room"),
    "household": t("household code"),
    "representative": t("representative"),
    "phone_tail": t("phone tail"),
    "position": t("position"),
    "name": t("name"),
}
# Storage column sizes, and what a person could sensibly type.
LIMITS = {
    "grid": 50,
    "building": 50,
    "unit": 16,
    "room": 16,
    "household": 32,
    "representative": 100,
    "name": 100,
}
REQUIRED = {
    ROSTER: ("grid", "building", "room", "household"),
    CHAIR_ROTATION: ("position", "household", "name"),
}
_SEPARATORS = re.compile(r"[\s+().-]")


@dataclass(frozen=True)
class Rejection:
    line: int
    reason: Text


@dataclass(frozen=True)
class Sheet:
    """A decoded file: its kind (by header) and its data lines, cells cleaned, keyed by column."""

    kind: str
    lines: tuple[tuple[int, dict[str, str]], ...]
    rejected: tuple[Rejection, ...]  # lines with the wrong number of columns


@dataclass(frozen=True)
class ImportResult:
    """What an import did, or would do in a dry run: the rows it changes and those it refused."""

    kind: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0  # chair rotation positions no longer in the file
    rejected: tuple[Rejection, ...] = ()
    new_buildings: tuple[str, ...] = ()

    @property
    def imported(self) -> int:
        return self.created + self.updated

    @property
    def valid(self) -> int:
        return self.imported + self.unchanged


@dataclass(frozen=True)
class RosterRow:
    line: int
    grid: str
    building: str
    unit: str
    room: str
    household: str
    representative: str | None
    phone_tail: str | None


@dataclass(frozen=True)
class ChairRow:
    line: int
    position: int
    household: str
    name: str


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def clean(cell: str) -> str:
    """NFKC (full-width digits and letters become ASCII), invisible format characters dropped,
    whitespace trimmed and collapsed."""
    text = unicodedata.normalize("NFKC", cell)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return " ".join(text.split())


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 (a superset of GBK, as Excel saves in China)."""
    if len(data) > MAX_BYTES:
        raise Invalid(too_big())
    if b"\x00" not in data:
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding).lstrip("\ufeff")
            except UnicodeDecodeError:
                continue
            if not text.strip():
                raise Invalid(t("The file is empty."))
            if not any(unicodedata.category(ch) == "Cc" and ch not in "\t\r\n" for ch in text):
                return text
    raise Invalid(
        t(
            "This file cannot be read as text. Save it from your spreadsheet as CSV "
            "(UTF-8 or GBK) and send it again."
        )
    )


def too_big() -> Text:
    return t("The file is larger than {limit} MB; a roster is much smaller.", limit=1)


def read(data: bytes) -> Sheet:
    """Decode and split a file; the header says whether it is a roster or a chair rotation."""
    text = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [clean(cell) for cell in next(reader, [])]
        while header and not header[-1]:
            header.pop()
        kind, columns = _kind(header)
        lines: list[tuple[int, dict[str, str]]] = []
        rejected: list[Rejection] = []
        end = reader.line_num
        for cells in reader:
            line, end = end + 1, reader.line_num
            values = [clean(cell) for cell in cells]
            while len(values) > len(columns) and not values[-1]:
                values.pop()  # Excel's trailing empty columns
            if not any(values):
                continue
            if len(values) != len(columns):
                rejected.append(Rejection(line, _column_count(len(columns), len(values))))
            else:
                lines.append((line, dict(zip(columns, values, strict=True))))
    except csv.Error as exc:
        raise Invalid(
            t("Line {line} is not valid CSV; save the file as CSV again.", line=reader.line_num)
        ) from exc
    if not lines and not rejected:
        raise Invalid(t("The file has a header but no rows."))
    return Sheet(kind, tuple(lines), tuple(rejected))


def _kind(header: list[str]) -> tuple[str, tuple[str, ...]]:
    columns = tuple(CHINESE_HEADERS.get(cell, cell.lower().replace(" ", "_")) for cell in header)
    for kind, expected in COLUMNS.items():
        if len(columns) == len(expected) and set(columns) == set(expected):
            return kind, columns
    raise Invalid(
        t(
            "The first line must be the header. For a roster: <code>{roster_zh}</code> "
            "(or <code>{roster_en}</code>); for the chair rotation: <code>{chairs_zh}</code> "
            "(or <code>{chairs_en}</code>).",
            roster_zh=",".join(_chinese(COLUMNS[ROSTER])),
            roster_en=",".join(COLUMNS[ROSTER]),
            chairs_zh=",".join(_chinese(COLUMNS[CHAIR_ROTATION])),
            chairs_en=",".join(COLUMNS[CHAIR_ROTATION]),
        )
    )


def _chinese(columns: tuple[str, ...]) -> list[str]:
    names = {field: name for name, field in CHINESE_HEADERS.items()}
    return [names[c] for c in columns]


def _column_count(expected: int, found: int) -> Text:
    if found < expected:
        return t(
            "too few columns: expected {expected}, found {found}", expected=expected, found=found
        )
    return t("too many columns: expected {expected}, found {found}", expected=expected, found=found)


def combine(reasons: list[Text]) -> Text:
    """Several problems of one line as one reason, joined the way each language lists them."""
    joined = reasons[-1]
    for reason in reversed(reasons[:-1]):
        joined = t("{first}; {second}", first=reason, second=joined)
    return joined


def _field_problems(kind: str, cells: dict[str, str]) -> list[Text]:
    problems = []
    for column, value in cells.items():
        if not value and column in REQUIRED[kind]:
            problems.append(t("{column} is empty", column=COLUMN_NAMES[column]))
        elif column in LIMITS and len(value) > LIMITS[column]:
            problems.append(
                t(
                    "{column} is longer than {limit} characters",
                    column=COLUMN_NAMES[column],
                    limit=LIMITS[column],
                )
            )
    return problems


def phone_tail_problem(value: str) -> Text | None:
    """None for an empty or a 4-digit tail; never repeats the value (it may be a full number)."""
    if not value or (len(value) == 4 and value.isascii() and value.isdigit()):
        return None
    digits = _SEPARATORS.sub("", value)
    if digits.isascii() and digits.isdigit() and len(digits) >= 7:
        return t(
            "the phone tail looks like a full phone number; give only its last 4 digits "
            "(the number was not stored)"
        )
    return t("the phone tail must be exactly 4 digits")


def _first_line(seen: dict[Any, int], key: Any, line: int) -> int | None:
    """The line where ``key`` was first used when this is a repeat, else None (and remember)."""
    first = seen.setdefault(key, line)
    return first if first != line else None


def parse_roster(sheet: Sheet) -> tuple[list[RosterRow], list[Rejection]]:
    rows: list[RosterRow] = []
    rejected = list(sheet.rejected)
    codes: dict[str, int] = {}
    for line, cells in sheet.lines:
        problems = _field_problems(ROSTER, cells)
        if tail := phone_tail_problem(cells["phone_tail"]):
            problems.append(tail)
        code = cells["household"]
        if code and (first := _first_line(codes, code, line)):
            problems.append(
                t(
                    "duplicate household code {code}, first used on line {first}",
                    code=code,
                    first=first,
                )
            )
        if problems:
            rejected.append(Rejection(line, combine(problems)))
            continue
        rows.append(
            RosterRow(
                line,
                cells["grid"],
                cells["building"],
                cells["unit"],
                cells["room"],
                code,
                cells["representative"] or None,
                cells["phone_tail"] or None,
            )
        )
    return rows, sorted(rejected, key=lambda r: r.line)


def parse_chairs(sheet: Sheet) -> tuple[list[ChairRow], list[Rejection]]:
    rows: list[ChairRow] = []
    rejected = list(sheet.rejected)
    positions: dict[int, int] = {}
    for line, cells in sheet.lines:
        problems = _field_problems(CHAIR_ROTATION, cells)
        raw = cells["position"]
        position = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else 0
        if raw and position < 1:
            problems.append(t("the position must be a whole number greater than 0"))
        elif position and (first := _first_line(positions, position, line)):
            problems.append(
                t(
                    "duplicate position {position}, first used on line {first}",
                    position=position,
                    first=first,
                )
            )
        if problems:
            rejected.append(Rejection(line, combine(problems)))
            continue
        rows.append(ChairRow(line, position, cells["household"], cells["name"]))
    return rows, sorted(rejected, key=lambda r: r.line)
