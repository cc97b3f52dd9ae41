"""Server-rendered SVG bar charts of the internship office's figures.

Accessible: each chart is an image titled by its `<title>`, every bar carries its number as text (colour is never
the only cue), a legend names the series, and the template puts the same figures in a data table right after it.
"""

from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import mark_safe

# Both at least 3:1 against white (WCAG 1.4.11), and apart from each other.
COLOURS = ("#1f4e79", "#b5452b", "#2e7d32")
WIDTH, LABEL_WIDTH, BAR, GAP = 560, 200, 14, 10


@dataclass
class Chart:
    id: str
    title: str
    series: list  # (label, colour)
    svg: str


def grouped_bars(chart_id: str, title: str, rows: list, series: list) -> Chart:
    """Horizontal bars, one group per row: `rows` are (label, [value per series]), `series` the series' labels."""
    top = max((v or 0 for _label, values in rows for v in values), default=0) or 1
    scale = (WIDTH - LABEL_WIDTH - 60) / top
    group = BAR * len(series) + GAP
    height = group * len(rows) + GAP
    parts = [
        f'<svg class="figures-chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="{chart_id}-title" '
        f'xmlns="http://www.w3.org/2000/svg"><title id="{chart_id}-title">{escape(title)}</title>'
    ]
    for i, (label, values) in enumerate(rows):
        y = GAP + i * group
        text = str(label)
        text = text if len(text) <= 30 else text[:29] + "…"
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + group / 2}" text-anchor="end" font-size="13">{escape(text)}</text>'
        )
        for j, value in enumerate(values):
            w = max(1, round((value or 0) * scale)) if value else 0
            by = y + j * BAR
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{by}" width="{w}" height="{BAR - 2}" fill="{COLOURS[j]}"></rect>'
                f'<text x="{LABEL_WIDTH + w + 4}" y="{by + BAR - 4}" font-size="11">{number_format(value or 0)}</text>'
            )
    parts.append("</svg>")
    legend = [(name, COLOURS[j]) for j, name in enumerate(series)]
    return Chart(chart_id, title, legend, mark_safe("".join(parts)))  # noqa: S308 - every text escaped above
