"""The internship office's figures as charts (volunteering/charts.py) and as one CSV file."""

import csv

from django.http import HttpResponse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .api import _safe_cell
from .charts import grouped_bars


def _month(month) -> str:
    return date_format(month, "YEAR_MONTH_FORMAT")


def figures_charts(figures: dict) -> dict:
    directions, levels, trades = figures["directions"], figures["levels"], figures["trades"]
    return {
        "directions": grouped_bars(
            "chart-directions",
            _("Offers and applications per direction"),
            [(d["name"], [d["offers"], d["applications"]]) for d in directions],
            [_("Offers"), _("Applications")],
        ),
        "answers": grouped_bars(
            "chart-answers",
            _("Median time to a first answer per direction, in hours"),
            [(d["name"], [d["median_answer_hours"]]) for d in directions],
            [_("Hours")],
        ),
        "trades": grouped_bars(
            "chart-trades",
            _("Places offered and spontaneous applications per trade"),
            [(t["name"], [t["places"], t["spontaneous"]]) for t in trades],
            [_("Places offered"), _("Spontaneous applications")],
        ),
        "per_offer": grouped_bars(
            "chart-per-offer",
            _("Offers by number of applications received"),
            [(b["name"], [b["offers"]]) for b in figures["per_offer"]["buckets"]],
            [_("Offers")],
        ),
        "levels": grouped_bars(
            "chart-levels",
            _("Places offered and spontaneous applications per level of study"),
            [(level["name"], [level["places"], level["spontaneous"]]) for level in levels],
            [_("Places offered"), _("Spontaneous applications")],
        ),
        "periods": grouped_bars(
            "chart-periods",
            _("Places starting and spontaneous candidates available, per month"),
            [(_month(p["month"]), [p["places"], p["spontaneous"]]) for p in figures["periods"]],
            [_("Places starting"), _("Spontaneous candidates available")],
        ),
        "months": grouped_bars(
            "chart-months",
            _("Offers published, applications received and answered, month by month"),
            [(_month(m["month"]), [m["published"], m["applications"], m["answered"]]) for m in figures["months"]],
            [_("Offers published"), _("Applications"), _("Answered")],
        ),
    }


def figures_rows(figures: dict):
    """(table, row, measure, value): every figure of the page, one per line, for a spreadsheet."""
    per_direction = _("Per direction")
    for d in figures["directions"]:
        for measure, key in (
            (_("Offers"), "offers"),
            (_("Open offers"), "open"),
            (_("Places"), "places"),
            (_("Paid offers"), "paid"),
            (_("Applications"), "applications"),
            (_("Spontaneous"), "spontaneous"),
            (_("Interns taken on"), "placed"),
            (_("Answered (%)"), "answered_share"),
            (_("Median time to a first answer (hours)"), "median_answer_hours"),
        ):
            yield per_direction, d["name"], measure, d[key]
    for t in figures["trades"]:
        for measure, key in (
            (_("Offers"), "offers"),
            (_("Places"), "places"),
            (_("Applications"), "applications"),
            (_("Spontaneous"), "spontaneous"),
        ):
            yield _("Per trade"), t["name"], measure, t[key]
    for b in figures["per_offer"]["buckets"]:
        yield _("Applications per offer"), b["name"], _("Offers"), b["offers"]
    yield _("Applications per offer"), _("mean"), _("Applications"), figures["per_offer"]["mean"]
    for level in figures["levels"]:
        for measure, key in (
            (_("Offers"), "offers"),
            (_("Places"), "places"),
            (_("Applications"), "applications"),
            (_("Spontaneous"), "spontaneous"),
            (_("Interns taken on"), "placed"),
        ):
            yield _("Per level of study"), level["name"], measure, level[key]
    for p in figures["periods"]:
        yield _("Per period"), p["month"].strftime("%Y-%m"), _("Places starting"), p["places"]
        yield _("Per period"), p["month"].strftime("%Y-%m"), _("Spontaneous"), p["spontaneous"]
    for m in figures["months"]:
        for measure, key in (
            (_("Offers published"), "published"),
            (_("Applications"), "applications"),
            (_("Answered"), "answered"),
            (_("Interns taken on"), "placed"),
            (_("Median time to a first answer (hours)"), "median_answer_hours"),
        ):
            yield _("Month by month"), m["month"].strftime("%Y-%m"), measure, m[key]


def figures_csv(figures: dict, name: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    response["Cache-Control"] = "private, no-store"
    response.write("\ufeff")  # Excel reads UTF-8 with it
    writer = csv.writer(response, delimiter=";")
    writer.writerow([_("Table"), _("Row"), _("Measure"), _("Value")])
    for table, row, measure, value in figures_rows(figures):
        # French spreadsheets read a decimal comma; an empty cell when there is no figure (no answer yet).
        cell = "" if value is None else str(value).replace(".", ",") if isinstance(value, float) else value
        writer.writerow([table, _safe_cell(str(row)), measure, cell])
    return response
