"""The result chart: a horizontal bar per option plus the households that did not vote, as PNG.

matplotlib with the Agg backend, and a CJK font so Chinese labels render (never boxes): Noto
Sans CJK from Debian's fonts-noto-cjk (no pip package ships a CJK font under a clear licence at
a sane size). ``FontMissing`` when it is absent: the result is then posted without a chart.
"""

from __future__ import annotations

import io
from functools import cache

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

SYSTEM_FAMILIES = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Source Han Sans SC")


class FontMissing(RuntimeError):
    """No CJK font: install Debian's fonts-noto-cjk."""


@cache
def cjk_font() -> font_manager.FontProperties:
    for family in SYSTEM_FAMILIES:
        try:
            path = font_manager.findfont(family, fallback_to_default=False)
        except ValueError:
            continue
        return font_manager.FontProperties(fname=path)
    raise FontMissing("no CJK font: apt-get install fonts-noto-cjk")


def render_png(
    title: str, labels: list[str], counts: list[int], not_voted: int, not_voted_label: str
) -> bytes:
    font = cjk_font()
    names = [*labels, not_voted_label]
    values = [*counts, not_voted]
    figure = Figure(figsize=(6, 0.6 * len(names) + 1.2), dpi=100)
    axes = figure.add_subplot()
    colours = ["#2e7d32", "#c62828", "#757575", "#1565c0", "#6a1b9a", "#ef6c00"]
    bars = axes.barh(
        names[::-1],
        values[::-1],
        color=[*(colours[i % len(colours)] for i in range(len(labels))), "#bdbdbd"][::-1],
    )
    axes.bar_label(bars, padding=3, fontproperties=font)
    for label in axes.get_yticklabels():
        label.set_fontproperties(font)
    axes.set_title(title, fontproperties=font)
    axes.spines[["top", "right"]].set_visible(False)
    axes.set_xlim(0, max(values + [1]) * 1.15)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
