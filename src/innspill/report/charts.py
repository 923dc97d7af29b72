"""Stance charts (matplotlib, Agg): SVG for HTML/PDF, PNG for slides; deterministic output."""

from __future__ import annotations

import io
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from ..contract import STANCES  # noqa: E402

# colour-blind-safe (Okabe-Ito), all with >= 3:1 contrast on white
COLOURS = {"for": "#0072B2", "against": "#D55E00", "mixed": "#8a6d00", "none": "#6b6b6b"}
RC = {"svg.hashsalt": "innspill", "svg.fonttype": "none", "font.family": "DejaVu Sans", "font.size": 10}


def _label(v: int, total: int, pct) -> str:
    """A bar's label: the count, with its share beside it when a percentage formatter is given."""
    return f"{v} ({pct(v / total)})" if pct and total else str(v)


def _figure(counts: dict, labels: dict, title: str, pct=None):
    fig, ax = plt.subplots(figsize=(6.4, 1.9), dpi=100)
    names = [labels[s] for s in STANCES]
    values = [counts[s] for s in STANCES]
    total = sum(values)
    bars = ax.barh(names[::-1], values[::-1], color=[COLOURS[s] for s in STANCES][::-1])
    for bar, v in zip(bars, values[::-1]):
        ax.text(bar.get_width() + 0.03 * max(1, max(values)), bar.get_y() + bar.get_height() / 2,
                _label(v, total, pct), va="center", fontsize=10, color="#111111")
    ax.set_xlim(0, max(1, max(values)) * (1.45 if pct else 1.18))
    ax.set_title(title, fontsize=10, loc="left", color="#111111")
    ax.spines[["top", "right"]].set_visible(False)
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.tick_params(colors="#222222")
    fig.tight_layout()
    return fig


def stance_svg(counts: dict, labels: dict, title: str, alt: str, chart_id: str, pct=None) -> str:
    """An inline ``<svg>`` element (no XML prolog) with a ``<title>`` for screen readers; bars labelled
    with their count and, given ``pct`` (a share formatter), the share beside it."""
    with plt.rc_context(RC):
        fig = _figure(counts, labels, title, pct)
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
        plt.close(fig)
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<svg ", f'<svg role="img" aria-labelledby="{chart_id}-t" class="chart" ', svg, count=1)
    svg = re.sub(r"(<svg[^>]*>)", rf'\1<title id="{chart_id}-t">{_esc(alt)}</title>', svg, count=1)
    svg = re.sub(r'\s(width|height)="[^"]*pt"', "", svg, count=2)  # scale with the page
    return svg


def stance_png(counts: dict, labels: dict, title: str, pct=None) -> bytes:
    with plt.rc_context(RC):
        fig = _figure(counts, labels, title, pct)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=150, metadata={"Software": None})
        plt.close(fig)
    return buf.getvalue()


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
