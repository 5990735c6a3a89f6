"""The indicator report as a PNG: the proposals from raised to answered, participation per
grid, turnout per vote, and the action items; labels in the reader's language, drawn with the
CJK font of bot.flows.vote_chart (``FontMissing`` when it is absent)."""

from __future__ import annotations

import io

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from bot import render
from bot.flows.indicators import Report
from bot.flows.vote_chart import cjk_font
from bot.i18n import Text, t

BLUE, GREEN, RED, GREY = "#1565c0", "#2e7d32", "#c62828", "#757575"


def render_png(report: Report, language: str) -> bytes:
    font = cjk_font()

    def say(text: Text) -> str:
        return render.plain(language, text)

    total = report.total
    grids = report.grids or report.scopes[:1]
    rows = max(5, len(grids), len(report.votes))  # bars in the tallest panel
    figure = Figure(figsize=(10, max(7.5, 0.6 * rows + 3)), dpi=100)
    panels = figure.subplots(2, 2)
    _bars(
        panels[0][0],
        say(t("Proposals")),
        [
            say(t("raised")),
            say(t("on the agenda")),
            say(t("decided by vote")),
            say(t("answered")),
            say(t("not answered")),
        ],
        [total.raised, total.to_agenda, total.decided, total.answered, total.unanswered],
        [BLUE, BLUE, GREEN, GREEN, RED],
        font,
    )
    _bars(
        panels[0][1],
        say(t("Households that took part (%)")),
        [literal(g.name) for g in grids],
        [round(100 * (g.figures.participation or 0), 1) for g in grids],
        [BLUE] * len(grids),
        font,
        top=110,
    )
    _bars(
        panels[1][0],
        say(t("Turnout per vote (%)")),
        [say(t("Vote {id}", id=v.id)) for v in report.votes],
        [round(100 * (v.share or 0), 1) for v in report.votes],
        [GREEN if v.passed else GREY for v in report.votes],
        font,
        empty=say(t("No vote closed in this period.")),
        top=110,
    )
    _bars(
        panels[1][1],
        say(t("Action items")),
        [say(t("done on time")), say(t("done late")), say(t("overdue"))],
        [total.on_time, total.late, total.overdue],
        [GREEN, GREY, RED],
        font,
    )
    figure.suptitle(
        say(
            t(
                "{community}, {period}",
                community=literal(report.community),
                period=report.period.name,
            )
        ),
        fontproperties=font,
        fontsize=14,
    )
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def literal(name: str) -> str:
    """A name as typed: a "$" would start matplotlib's mathtext."""
    return name.replace("$", r"\$")


def _bars(
    axes: Axes,
    title: str,
    labels: list[str],
    values: list[float],
    colours: list[str],
    font,
    empty: str | None = None,
    top: float | None = None,
) -> None:
    """Horizontal bars, first label on top; ``top`` fixes the axis (percentages)."""
    axes.set_title(title, fontproperties=font)
    axes.spines[["top", "right"]].set_visible(False)
    if not labels:
        axes.set_axis_off()
        axes.text(0.5, 0.5, empty or "—", ha="center", va="center", fontproperties=font)
        return
    bars = axes.barh(labels[::-1], values[::-1], color=colours[::-1])
    axes.bar_label(bars, padding=3, fontproperties=font)
    for label in axes.get_yticklabels():
        label.set_fontproperties(font)
    axes.set_xlim(0, top or max([*values, 1]) * 1.2)
    if top:
        axes.set_xticks([0, 25, 50, 75, 100])
    else:
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
