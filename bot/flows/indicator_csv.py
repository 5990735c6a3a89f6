"""The indicator report as CSV: one row per scope (the community, each grid, each building),
headers in the reader's language, UTF-8 with a BOM so that Excel reads the Chinese right."""

from __future__ import annotations

import csv
import io

from bot import render
from bot.flows.indicator_text import average, share
from bot.flows.indicators import Report
from bot.i18n import Text, t

KINDS = {"community": t("community"), "grid": t("grid"), "building": t("building")}
COLUMNS: tuple[tuple[Text, str], ...] = (  # header, Figures attribute
    (t("households"), "households"),
    (t("households that took part"), "took_part"),
    (t("participation"), "participation"),
    (t("proposals raised"), "raised"),
    (t("seconded onto the agenda"), "to_agenda"),
    (t("decided by vote"), "decided"),
    (t("passed"), "passed"),
    (t("private matters answered"), "answered"),
    (t("private matters not answered"), "unanswered"),
    (t("deliberations held"), "deliberations"),
    (t("votes held"), "votes"),
    (t("ballots"), "ballots"),
    (t("households entitled to vote"), "electors"),
    (t("turnout"), "turnout"),
    (t("action items done on time"), "on_time"),
    (t("action items done late"), "late"),
    (t("action items overdue"), "overdue"),
    (t("ratings"), "ratings"),
    (t("average rating"), "average_rating"),
)
SHARES = {"participation", "turnout"}


def to_csv(report: Report, language: str) -> bytes:
    def say(text: Text) -> str:
        return render.plain(language, text)

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [say(t("period")), say(t("level")), say(t("name of the scope")), say(t("in grid"))]
        + [say(header) for header, _ in COLUMNS]
    )
    for row in report.scopes:
        cells: list[object] = [
            report.period.code,
            say(KINDS.get(row.kind, t("community"))),
            row.name,
            row.grid or "",
        ]
        for _, name in COLUMNS:
            if name in SHARES:
                cells.append(share(getattr(row.figures, name)))
            elif name == "average_rating":
                cells.append(average(row.figures))
            else:
                cells.append(getattr(row.figures, name))
        writer.writerow(cells)
    return out.getvalue().encode("utf-8-sig")
