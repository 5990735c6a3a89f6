"""The result chart: a horizontal bar per option plus the households that did not vote, as PNG.

matplotlib with the Agg backend, and a CJK font so Chinese labels render (never boxes): Noto
Sans CJK SC (SIL Open Font Licence) as the pip package mplfonts ships it. Only the font file is
used; mplfonts' own code is never imported. ``FontMissing`` when it is absent: the result is
then posted without a chart.
"""

from __future__ import annotations

import io
from functools import cache
from importlib.util import find_spec
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

FONT_FILE = "NotoSansCJKsc-Regular.otf"


class FontMissing(RuntimeError):
    """No CJK font: the mplfonts package is not installed."""


@cache
def cjk_font() -> font_manager.FontProperties:
    spec = find_spec("mplfonts")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / "fonts" / FONT_FILE
        if path.is_file():
            return font_manager.FontProperties(fname=path)
    raise FontMissing(f"no CJK font: pip install mplfonts (for {FONT_FILE})")


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
