"""Offline workshops: the team records one, then enters its contributions in bulk (a form of rows or a CSV file),
each an offline contribution of the inbox traced to its workshop. All rows or none: errors are given per line."""

import csv
import io

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from core.forms import whole_number
from core.models import District, Theme
from core.moderation import record

from .models import Workshop
from .services import add_offline_contribution

FORM_ROWS = 5
MAX_ROWS = 500
CSV_COLUMNS = ("title", "text", "theme", "district")


class RowErrors(Exception):
    def __init__(self, errors: list[tuple[int, str]]):
        super().__init__(errors)
        self.errors = errors


MAX_PARTICIPANTS = 100_000  # a workshop, a public meeting: more is a typing slip (and overflows no column)


def _require(user):
    if not user.has_perm("strategy.record_workshop"):
        raise PermissionDenied(_("Only the mission team can record workshops."))


@transaction.atomic
def record_workshop(user, *, title, held_on, place, participants, organiser) -> Workshop:
    _require(user)
    errors = {}
    for name, value in (("title", title), ("place", place), ("organiser", organiser)):
        if not (value or "").strip():
            errors[name] = [_("This field is required.")]
    if held_on is None:
        errors["held_on"] = [_("The date of the workshop is required.")]
    elif held_on > timezone.localdate():
        errors["held_on"] = [_("The date of the workshop cannot be in the future.")]
    participants = whole_number(participants)
    if participants is None or not 1 <= participants <= MAX_PARTICIPANTS:
        errors["participants"] = [_("The number of participants must be a whole number from 1 to 100,000.")]
    if errors:
        raise ValidationError(errors)
    workshop = Workshop.objects.create(
        title=title.strip()[:200],
        held_on=held_on,
        place=place.strip()[:200],
        participants=participants,
        organiser=organiser.strip()[:200],
        recorded_by=user,
    )
    record(user, "strategy.record_workshop", workshop)
    return workshop


def theme_choices():
    return [(t.slug, t.label) for t in Theme.objects.all()]


def empty_rows():
    return [{"title": "", "text": "", "theme": "", "district": ""} for _i in range(FORM_ROWS)]


def rows_from_form(data) -> list[dict]:
    rows = []
    for i in range(MAX_ROWS):
        if f"title-{i}" not in data:
            break
        rows.append({name: (data.get(f"{name}-{i}") or "").strip() for name in CSV_COLUMNS})
    return rows


def _check_row(row: dict, themes: dict, districts: dict) -> tuple[dict | None, list[str]]:
    errs = []
    title = (row.get("title") or "").strip()
    if not title:
        errs.append(str(_("the title is missing")))
    elif len(title) > 300:
        errs.append(str(_("the title is longer than 300 characters")))
    theme = None
    if row.get("theme"):
        theme = themes.get(row["theme"].strip())
        if theme is None:
            errs.append(str(format_lazy(_("unknown theme “{theme}”"), theme=row["theme"])))
    district = None
    if row.get("district"):
        value = str(row["district"]).strip()
        district = districts.get(whole_number(value))
        if district is None:
            errs.append(str(format_lazy(_("the arrondissement “{value}” is not a number from 1 to 20"), value=value)))
    return {"title": title, "text": row.get("text") or "", "theme": theme, "district": district}, errs


@transaction.atomic
def add_contributions(user, workshop: Workshop, rows: list[dict], first_line: int = 1) -> list:
    """Enter every non-empty row as an offline contribution of the workshop; nothing is saved if a row is wrong."""
    _require(user)
    themes = {t.slug: t for t in Theme.objects.select_related("referent")}
    districts = {d.number: d for d in District.objects.all()}
    checked, errors = [], []
    for offset, row in enumerate(rows):
        if not any((row.get(k) or "").strip() for k in CSV_COLUMNS):
            continue
        clean, errs = _check_row(row, themes, districts)
        line = first_line + offset
        errors.extend((line, e) for e in errs)
        checked.append(clean)
    if not checked and not errors:
        errors.append((first_line, str(_("enter at least one contribution"))))
    if len(checked) > MAX_ROWS:
        errors.append((first_line, str(format_lazy(_("at most {n} contributions at once"), n=MAX_ROWS))))
    if errors:
        raise RowErrors(errors)
    created = []
    for clean in checked:
        c = add_offline_contribution(
            user,
            title=clean["title"],
            text=clean["text"],
            theme=clean["theme"],
            district=clean["district"],
            event=f"{workshop.title} — {workshop.place}",
            event_date=workshop.held_on,
            participants=workshop.participants,
        )
        created.append(c)
    workshop.contributions.add(*created)
    return created


def import_csv(user, workshop: Workshop, upload) -> list:
    """A CSV file with a header line: title, text, theme (slug), district (1-20); `;` or `,` separated, UTF-8."""
    _require(user)
    raw = upload.read(2_000_000 + 1)
    if len(raw) > 2_000_000:
        raise RowErrors([(1, str(_("the file is larger than 2 MB")))])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RowErrors([(1, str(_("the file is not UTF-8 text")))]) from None
    try:
        dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else "", delimiters=",;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if "title" not in header:
        raise RowErrors([(1, str(_("the first line must name the columns: title, text, theme, district")))])
    reader.fieldnames = header
    rows = [{k: (v or "") if isinstance(v, str) else "" for k, v in row.items() if k} for row in reader]
    return add_contributions(user, workshop, rows, first_line=2)
