"""Small inline-SVG charts: the report must open offline (no CDN, no fonts, no scripts).

Three shapes cover every chart in the report: labelled horizontal bars, stacked bars with a
legend, and paired bars for A-versus-B. Every bar carries its number as text, so a chart still
reads in a screenshot, a printout or to a screen reader (each SVG has a <title>).
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

GREEN, RED, AMBER, GREY, BLUE, PURPLE = (
    "#2e7d32",
    "#c62828",
    "#ef8f00",
    "#9e9e9e",
    "#1565c0",
    "#6a1b9a",
)
ROW = 22
LABEL_WIDTH = 210
BAR_WIDTH = 300
VALUE_WIDTH = 150
WIDTH = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str
    colour: str = BLUE


@dataclass(frozen=True)
class Segment:
    count: float
    colour: str
    name: str


def _frame(title: str, height: int, body: str, legend: str = "") -> str:
    return (
        f'<svg class="chart" role="img" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>{body}{legend}</svg>"
    )


def _label(y: float, text: str) -> str:
    short = text if len(text) <= 30 else text[:29] + "…"
    return (
        f'<text x="{LABEL_WIDTH - 6}" y="{y + 15}" text-anchor="end" font-size="12">'
        f"<title>{escape(text)}</title>{escape(short)}</text>"
    )


def bars(title: str, rows: list[Bar], maximum: float | None = None) -> str:
    """One horizontal bar per row, scaled to `maximum` (default: the largest value)."""
    if not rows:
        return _empty(title)
    top = maximum or max((r.value for r in rows), default=0) or 1
    parts = []
    for i, row in enumerate(rows):
        y = i * ROW + 4
        width = max(0.0, min(1.0, row.value / top)) * BAR_WIDTH
        parts.append(_label(y, row.label))
        parts.append(
            f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{BAR_WIDTH}" height="{ROW - 8}" '
            f'fill="#eeeeee"/><rect x="{LABEL_WIDTH}" y="{y + 3}" width="{width:.1f}" '
            f'height="{ROW - 8}" fill="{row.colour}"/>'
        )
        parts.append(
            f'<text x="{LABEL_WIDTH + BAR_WIDTH + 6}" y="{y + 15}" font-size="12">'
            f"{escape(row.text)}</text>"
        )
    return _frame(title, len(rows) * ROW + 8, "".join(parts))


def stacked(title: str, rows: list[tuple[str, list[Segment]]]) -> str:
    """Stacked horizontal bars (e.g. how many drafts scored 0, 1 or 2 on each criterion)."""
    if not rows:
        return _empty(title)
    parts = []
    names: dict[str, str] = {}
    for i, (label, segments) in enumerate(rows):
        y = i * ROW + 4
        total = sum(s.count for s in segments) or 1
        x = float(LABEL_WIDTH)
        parts.append(_label(y, label))
        for segment in segments:
            names.setdefault(segment.name, segment.colour)
            width = segment.count / total * BAR_WIDTH
            if width <= 0:
                continue
            parts.append(
                f'<rect x="{x:.1f}" y="{y + 3}" width="{width:.1f}" height="{ROW - 8}" '
                f'fill="{segment.colour}"><title>{escape(segment.name)}: '
                f"{segment.count:g}</title></rect>"
            )
            if width > 18:
                parts.append(
                    f'<text x="{x + width / 2:.1f}" y="{y + 14}" font-size="11" fill="#fff" '
                    f'text-anchor="middle">{segment.count:g}</text>'
                )
            x += width
    height = len(rows) * ROW + 30
    legend = "".join(
        f'<rect x="{LABEL_WIDTH + i * 100}" y="{height - 18}" width="12" height="12" '
        f'fill="{colour}"/><text x="{LABEL_WIDTH + i * 100 + 16}" y="{height - 8}" '
        f'font-size="11">{escape(name)}</text>'
        for i, (name, colour) in enumerate(names.items())
    )
    return _frame(title, height, "".join(parts), legend)


def paired(
    title: str, rows: list[tuple[str, float, float]], names: tuple[str, str], suffix: str = ""
) -> str:
    """Two bars per row, A above B; B is red where it is worse (lower) than A."""
    if not rows:
        return _empty(title)
    top = max(max(a, b) for _, a, b in rows) or 1
    parts = []
    step = ROW * 2
    for i, (label, a, b) in enumerate(rows):
        y = i * step + 4
        parts.append(_label(y + ROW / 2, label))
        colour_b = RED if b < a else (GREEN if b > a else GREY)
        for j, (value, colour) in enumerate(((a, GREY), (b, colour_b))):
            yy = y + j * (ROW - 4) + 4
            width = value / top * BAR_WIDTH
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{yy}" width="{width:.1f}" height="{ROW - 8}" '
                f'fill="{colour}"/><text x="{LABEL_WIDTH + BAR_WIDTH + 6}" y="{yy + 11}" '
                f'font-size="11">{names[j]}: {value:g}{suffix}</text>'
            )
    return _frame(title, len(rows) * step + 8, "".join(parts))


def _empty(title: str) -> str:
    return _frame(title, 30, '<text x="10" y="20" font-size="12" fill="#666">–</text>')
