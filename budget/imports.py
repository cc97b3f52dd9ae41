"""Import of the City's open-data export of winning projects (`bp_projets_gagnants`, `;`-separated, with a BOM)."""

import csv
import datetime
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Sum

from accounts.models import Organization
from core import geocoding
from core.forms import whole_number
from core.geo import locate
from core.models import District

from .models import Campaign, Project, Scope

COLUMNS = {
    "id": "Identifiant du projet lauréat",
    "vote_url": "Lien URL vers le projet soumis au vote",
    "url": "Lien URL vers le projet lauréat",
    "edition": "Edition",
    "title": "Titre du projet lauréat",
    "theme": "Thématique",
    "direction": "Direction pilote du projet lauréat",
    "budget": "Budget global du projet lauréat",
    "scope": "Echelle du Budget participatif",
    "address": "Adresse du projet lauréat",
    "arrondissement": "Arrondissement du projet lauréat",
    "popular": "Projet en Quartier populaire",
    "progress": "Avancement du projet",
    "study": "Date de début des études du projet",
    "procedures": "Date de lancement des procédures du projet",
    "works": "Date de lancement des travaux du projet",
    "delivery": "Date prévisonnelle de livraison du projet",
    "opening": "Date d'ouverture du projet au public",
}
STAGES = {
    "ETUDES": Project.Stage.STUDY,
    "(non démarré)": Project.Stage.STUDY,
    "PROCEDURES": Project.Stage.PROCEDURES,
    "TRAVAUX": Project.Stage.WORKS,
    "LIVRAISON": Project.Stage.DELIVERED,
    "FIN": Project.Stage.OPEN,
    "ABANDONNÉ": Project.Stage.ABANDONED,
}
# 75116 is the postal code of the 16th; 75123 is "Paris Centre" (1st–4th merged in 2020), whose town hall is in the 3rd.
POSTAL = {"75116": 16, "75123": 3}
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})")


class ImportFileError(ValueError):
    pass


@dataclass
class Summary:
    loaded: int = 0
    unplaced: int = 0
    skipped: int = 0
    problems: list = field(default_factory=list)


def _month(raw):
    match = _MONTH.match((raw or "").strip())
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        return None
    return datetime.date(year, month, 1)


def _district_number(raw):
    raw = (raw or "").strip()
    if raw in POSTAL:
        return POSTAL[raw]
    if whole_number(raw) is not None and raw.startswith("750") and 1 <= int(raw[3:]) <= 20:
        return int(raw[3:])
    return None


def _campaign(year, cache):
    if year not in cache:
        campaign = Campaign.objects.filter(year=year).first()
        if campaign is None:
            campaign = Campaign.objects.create(
                year=year,
                submission_opens=datetime.date(year, 1, 15),
                study_opens=datetime.date(year, 3, 1),
                vote_opens=datetime.date(year, 9, 1),
                results_on=datetime.date(year, 10, 1),
                delivery_opens=datetime.date(year, 11, 1),
            )
            Campaign.objects.filter(pk=campaign.pk).update(results_published=True)
            campaign.results_published = True
        cache[year] = campaign
    return cache[year]


def _scope(campaign, district, cache):
    key = (campaign.pk, district.pk if district else None)
    if key not in cache:
        cache[key], _created = Scope.objects.get_or_create(
            campaign=campaign, district=district, defaults={"envelope": 0}
        )
    return cache[key]


def _direction(name, cache):
    name = (name or "").strip()[:150]
    if not name:
        return None
    if name not in cache:
        org = Organization.objects.filter(name=name).first()
        if org is None:
            org = Organization.objects.create(name=name, kind=Organization.Kind.CITY_SERVICE, verified=True)
        cache[name] = org
    return cache[name]


def load(path, progress=None) -> Summary:
    summary = Summary()
    districts = {d.number: d for d in District.objects.all()}
    campaigns, scopes, directions = {}, {}, {}
    try:
        handle = open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115 - closed by the with below
    except OSError as error:
        raise ImportFileError(f"Cannot read {path}: {error.strerror}") from None
    with handle:
        reader = csv.DictReader(handle, delimiter=";")
        missing = [
            c
            for c in (COLUMNS["id"], COLUMNS["edition"], COLUMNS["arrondissement"])
            if c not in (reader.fieldnames or [])
        ]
        if missing:
            raise ImportFileError(f"Not a bp_projets_gagnants export: missing column(s) {', '.join(missing)}.")
        for number, row in enumerate(reader, start=1):
            values = {key: (row.get(column) or "").strip() for key, column in COLUMNS.items()}
            try:
                placed = _load_row(values, districts, campaigns, scopes, directions)
            except (ValueError, KeyError) as error:
                summary.skipped += 1
                summary.problems.append(f"line {number + 1}: {error}")
                continue
            summary.loaded += 1
            summary.unplaced += not placed
            if progress and number % 200 == 0:
                progress(number)
    for scope in scopes.values():
        total = Project.objects.filter(scope=scope).aggregate(s=Sum("cost"))["s"] or 0
        Scope.objects.filter(pk=scope.pk, envelope__lt=total).update(envelope=total)
    return summary


def _load_row(values, districts, campaigns, scopes, directions) -> bool:
    """Create or update one project; False when its address could not be placed (it is put at its arrondissement)."""
    if not values["id"]:
        raise ValueError("no identifier")
    if whole_number(values["edition"]) is None:
        raise ValueError(f"edition “{values['edition']}” is not a year")
    number = _district_number(values["arrondissement"])
    city_wide = values["scope"].lower().endswith("parisien")
    if number is None and not city_wide:
        raise ValueError(f"unknown arrondissement “{values['arrondissement']}”")
    district = districts.get(number) if number else None
    point = geocoding.first_point(values["address"]) if values["address"] else None
    placed = point is not None
    if point is not None:
        location = locate(point)
    else:
        fallback = district or districts[4]  # a city-wide project without address: at the Hôtel de Ville's
        point = fallback.geometry.point_on_surface
        point.srid = 4326
        location = locate(point)
    campaign = _campaign(int(values["edition"]), campaigns)
    scope = _scope(campaign, None if city_wide else district, scopes)
    cost = whole_number(values["budget"])
    # Data, not interface: the City's titles are French, and so is the label of an untitled one.
    title = values["title"][:200] or f"Projet lauréat n° {values['id']}"
    stage = STAGES.get(values["progress"], Project.Stage.STUDY)
    with transaction.atomic():
        Project.objects.update_or_create(
            external_id=values["id"][:20],
            defaults={
                "campaign": campaign,
                "scope": scope,
                "title": title,
                "theme_label": values["theme"][:80],
                "address": values["address"][:255],
                "geometry": point,
                "point": point,
                "approximate_location": not placed,
                "district": location.district,
                "quartier": location.quartier,
                "popular_quartier": values["popular"].lower() == "oui",
                "cost": cost,
                "status": Project.Status.ADMISSIBLE,
                "lead_direction": _direction(values["direction"], directions),
                "winner": True,
                "stage": stage,
                "stage_reason": "",
                "study_date": _month(values["study"]),
                "procedures_date": _month(values["procedures"]),
                "works_date": _month(values["works"]),
                "delivery_date": _month(values["delivery"]),
                "opening_date": _month(values["opening"]),
                "source_url": values["url"][:200],
            },
        )
    return placed
