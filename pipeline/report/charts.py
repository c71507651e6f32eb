"""Chart specs as data, rendered to PNG by one function (the Splink way: specs separate from drawing).

The report embeds the PNGs as data URIs, so the HTML file is readable anywhere without a server.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

PALETTE = {"support": "#c0392b", "oppose": "#2c3e50", "neutral": "#95a5a6", "unrelated": "#bdc3c7"}
DEFAULT_COLOUR = "#2e86ab"


@dataclass
class BarChart:
    title: str
    labels: list[str]
    values: list[int]
    colours: list[str] | None = None
    kind: Literal["bar"] = "bar"


@dataclass
class LineChart:
    title: str
    days: list[date]
    series: dict[str, list[int]]
    spans: list[tuple[date, date, str]] = field(default_factory=list)  # shaded periods
    marks: list[tuple[date, str]] = field(default_factory=list)  # vertical lines
    kind: Literal["line"] = "line"


Chart = BarChart | LineChart


def render_png(chart: Chart) -> bytes:
    if isinstance(chart, BarChart):
        height = max(2.2, 0.38 * len(chart.labels) + 1.0)
        fig, ax = plt.subplots(figsize=(7.5, height), dpi=110)
        y = list(range(len(chart.labels)))[::-1]
        ax.barh(y, chart.values, color=chart.colours or DEFAULT_COLOUR)
        ax.set_yticks(y, chart.labels)
        for yi, v in zip(y, chart.values, strict=True):
            ax.text(v, yi, f" {v}", va="center", fontsize=8)
        ax.xaxis.get_major_locator().set_params(integer=True)
    else:
        fig, ax = plt.subplots(figsize=(7.5, 3.2), dpi=110)
        for start, end, label in chart.spans:
            ax.axvspan(start, end, color="#f4d03f", alpha=0.15, label=label)
        for (name, values), colour in zip(chart.series.items(), ("#c0392b", "#7f8c8d"), strict=False):
            ax.plot(chart.days, values, marker="o", markersize=3, label=name, color=colour)
        for day, label in chart.marks:
            ax.axvline(day, color="#2c3e50", linestyle="--", linewidth=1, label=label)
        ax.legend(fontsize=8, loc="upper left")
        ax.yaxis.get_major_locator().set_params(integer=True)
        fig.autofmt_xdate()
    ax.set_title(chart.title, fontsize=10, loc="left")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()
