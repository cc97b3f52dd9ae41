"""Server-rendered SVG charts (accessible: titled, described, with a data table beside each in the template)."""

from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import mark_safe

from core.territory import district_label

PALETTE = ["#1f4e79", "#b5452b", "#2e7d32", "#6a1b9a", "#8d6e00", "#00695c", "#ad1457"]


@dataclass
class Chart:
    title: str
    rows: list  # (key, label, value)
    svg: str


def bar_chart(rows, title, width=560, bar_height=26, label_width=210) -> Chart:
    rows = list(rows)
    top = max((v for _k, _l, v in rows), default=0) or 1
    height = bar_height * len(rows) + 10
    scale = (width - label_width - 70) / top
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-labelledby="chart-{id(rows)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title id="chart-{id(rows)}">{escape(title)}</title>'
    ]
    for i, (key, label, value) in enumerate(rows):
        y = 5 + i * bar_height
        w = max(1, round(value * scale)) if value else 0
        parts.append(
            f'<g data-key="{escape(key)}"><text x="{label_width - 8}" y="{y + 17}" text-anchor="end" '
            f'font-size="13">{escape(str(label))[:32]}</text>'
            f'<rect x="{label_width}" y="{y + 3}" width="{w}" height="{bar_height - 8}" fill="{PALETTE[0]}"></rect>'
            f'<text x="{label_width + w + 6}" y="{y + 17}" font-size="13" class="chart-value">{value}</text></g>'
        )
    parts.append("</svg>")
    return Chart(title, rows, mark_safe("".join(parts)))  # noqa: S308 - labels escaped above


def month_chart(by_month, title, width=560, height=240) -> Chart:
    """Stacked columns per month; each source has a colour AND a pattern-free legend with numbers in the table."""
    months = list(by_month)
    totals = [sum(v for _k, _l, v in series) for _m, series in months]
    top = max(totals, default=0) or 1
    left, bottom = 40, 30
    col = (width - left - 10) / max(1, len(months))
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-labelledby="chart-months" '
        f'xmlns="http://www.w3.org/2000/svg"><title id="chart-months">{escape(title)}</title>'
        f'<line x1="{left}" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" stroke="#555"></line>'
        f'<text x="{left - 4}" y="14" text-anchor="end" font-size="12">{top}</text>'
    ]
    for i, (month, series) in enumerate(months):
        x = left + i * col + 4
        y = height - bottom
        for j, (_key, _label, value) in enumerate(series):
            h = value * (height - bottom - 20) / top
            y -= h
            if h:
                parts.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{col - 8:.1f}" height="{h:.1f}" '
                    f'fill="{PALETTE[j % len(PALETTE)]}"></rect>'
                )
        parts.append(
            f'<text x="{x + (col - 8) / 2:.1f}" y="{height - 10}" text-anchor="middle" font-size="11">'
            f"{month:%m/%y}</text>"
        )
    parts.append("</svg>")
    rows = [(m.isoformat(), m, series) for m, series in months]
    return Chart(title, rows, mark_safe("".join(parts)))  # noqa: S308 - no user text inside


def choropleth(shapes, viewbox, counts, title) -> Chart:
    top = max(counts.values(), default=0) or 1
    steps = ["#eef3f8", "#c6d8ea", "#8fb3d6", "#4f86bb", "#1f4e79"]
    parts = [
        f'<svg class="choropleth" viewBox="{viewbox}" role="img" aria-labelledby="choropleth-title" '
        f'xmlns="http://www.w3.org/2000/svg"><title id="choropleth-title">'
        f"{escape(title)}</title>"
    ]
    for number, _name, path in shapes:
        name = district_label(number)  # "12e arr.", whatever the boundary file calls it
        value = counts.get(number, 0)
        shade = steps[min(len(steps) - 1, int(value / top * (len(steps) - 1) + 0.5))] if value else "#ffffff"
        parts.append(
            f'<path d="{escape(path)}" fill="{shade}" stroke="#333" stroke-width="40" data-district="{number}">'
            f"<title>{escape(name)}\u00a0: {value}</title></path>"
        )
    parts.append("</svg>")
    rows = [(str(n), district_label(n), counts.get(n, 0)) for n, _name, _p in shapes]
    return Chart(title, rows, mark_safe("".join(parts)))  # noqa: S308 - escaped above
