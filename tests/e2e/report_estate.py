"""Helpers for the report tests: receiving a report (message, chart, CSV) in a chat, and the
months around the clock's now in the community's timezone."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from tests.driver import Chat

SHANGHAI = ZoneInfo("Asia/Shanghai")
BOM = "\ufeff".encode()


@dataclass
class Received:
    text: str
    png: bytes
    rows: list[list[str]]  # the CSV, header first
    filename: str

    def row(self, name: str) -> dict[str, str]:
        """The CSV row of the scope called ``name``, by header."""
        found = next(r for r in self.rows[1:] if r[2] == name)
        return dict(zip(self.rows[0], found, strict=True))


async def received(chat: Chat) -> Received:
    """The bot's next report here: its summary, then the chart, then the CSV document."""
    said, photo, document = await chat.wait_bot_messages(3)
    assert "text" in said and photo.get("photo") and document.get("document"), (said, photo)
    png = await chat.world.download(photo["photo"][-1]["file_id"])
    assert png.startswith(b"\x89PNG")
    data = await chat.world.download(document["document"]["file_id"])
    assert data.startswith(BOM), data[:10]
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    return Received(said["text"], png, rows, document["document"]["file_name"])


def month_of(moment: datetime, shift: int = 0) -> str:
    """ "YYYY-MM" of ``moment`` in Shanghai, ``shift`` months later (or earlier)."""
    local = moment.astimezone(SHANGHAI)
    index = local.year * 12 + local.month - 1 + shift
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def first_of_next_month(moment: datetime, hour: int = 9) -> datetime:
    """The next month's 1st at ``hour`` in Shanghai."""
    year, month = map(int, month_of(moment, 1).split("-"))
    return datetime(year, month, 1, hour, tzinfo=SHANGHAI)
