"""The indicator report as a message: the community's figures, one line per grid, each vote's
turnout (buildings are in the CSV: a community may have hundreds)."""

from __future__ import annotations

from bot.flows.imports import _lines  # one per line, nested shallow
from bot.flows.indicators import Figures, Report, ScopeFigures
from bot.i18n import Text, t

CSV_NOTE = t("Every building is in the CSV file.")  # said where the file follows


def share(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def average(figures: Figures) -> str:
    value = figures.average_rating
    return "—" if value is None else f"{value:.1f}"


def summary(report: Report, note: tuple[Text, ...] = ()) -> tuple[Text, ...]:
    total = report.total
    paragraphs = [
        t(
            "<b>Indicators of {community}, {period}</b>",
            community=report.community,
            period=report.period.name,
        ),
        *note,
        t(
            "Households that took part (raised, seconded, voted or rated): {took} of {all} "
            "({share})",
            took=total.took_part,
            all=total.households,
            share=share(total.participation),
        ),
        t(
            "Proposals: {raised} raised, {agenda} seconded onto the agenda, {decided} decided "
            "by vote ({passed} passed). Private matters: {answered} answered, {unanswered} "
            "not answered yet.",
            raised=total.raised,
            agenda=total.to_agenda,
            decided=total.decided,
            passed=total.passed,
            answered=total.answered,
            unanswered=total.unanswered,
        ),
        t(
            "Deliberations held: {deliberations}. Votes held: {votes}, turnout {turnout}.",
            deliberations=total.deliberations,
            votes=total.votes,
            turnout=share(total.turnout),
        ),
        t(
            "Action items: {on_time} done on time, {late} done late, {overdue} overdue.",
            on_time=total.on_time,
            late=total.late,
            overdue=total.overdue,
        ),
        _rating(total),
    ]
    if report.grids:
        paragraphs.append(
            t("<b>By grid</b>\n{lines}", lines=_lines([_grid(g) for g in report.grids]))
        )
    if report.votes:
        lines = [
            t(
                "Vote {id} “{title}”: {ballots} of {electorate} households voted ({share}), "
                "{outcome}",
                id=v.id,
                title=v.title,
                ballots=v.ballots,
                electorate=v.electorate,
                share=share(v.share),
                outcome=t("passed") if v.passed else t("not passed"),
            )
            for v in report.votes
        ]
        paragraphs.append(t("<b>Turnout per vote</b>\n{lines}", lines=_lines(lines)))
    return tuple(paragraphs)


def _rating(figures: Figures) -> Text:
    if not figures.ratings:
        return t("Ratings of finished action items: none in this period.")
    return t(
        "Ratings of finished action items: average {average} (ratings given: {count}).",
        average=average(figures),
        count=figures.ratings,
    )


def _grid(row: ScopeFigures) -> Text:
    f = row.figures
    return t(
        "{grid}: took part {took} of {all} ({share}); proposals {raised}; turnout {turnout}; "
        "average rating {average}",
        grid=row.name,
        took=f.took_part,
        all=f.households,
        share=share(f.participation),
        raised=f.raised,
        turnout=share(f.turnout),
        average=average(f),
    )
