"""Filling the gazetteer (`core.Place`) that `core.geocoding` searches when no address service is configured."""

import json
import re
from collections import defaultdict
from pathlib import Path

from django.contrib.gis.geos import Point
from django.db import connection, transaction

from .geocoding import normalize
from .models import District, Place, Quartier

# Well-known places, placed by hand (our own list, to the nearest few metres): what residents type most.
LANDMARKS = [
    ("Hôtel de Ville", 2.3522, 48.8566),
    ("Place de la République", 2.3631, 48.8674),
    ("Place de la Bastille", 2.3692, 48.8531),
    ("Place de la Nation", 2.3959, 48.8484),
    ("Place de la Concorde", 2.3212, 48.8656),
    ("Place d'Italie", 2.3556, 48.8310),
    ("Place de Clichy", 2.3275, 48.8837),
    ("Place du Châtelet", 2.3470, 48.8576),
    ("Place de la Madeleine", 2.3245, 48.8700),
    ("Place Denfert-Rochereau", 2.3325, 48.8339),
    ("Place des Vosges", 2.3655, 48.8556),
    ("Place du Trocadéro", 2.2870, 48.8629),
    ("Place de l'Étoile", 2.2950, 48.8738),
    ("Gare du Nord", 2.3553, 48.8809),
    ("Gare de l'Est", 2.3590, 48.8768),
    ("Gare de Lyon", 2.3733, 48.8443),
    ("Gare Montparnasse", 2.3210, 48.8412),
    ("Gare Saint-Lazare", 2.3253, 48.8763),
    ("Gare d'Austerlitz", 2.3656, 48.8420),
    ("Gare de Bercy", 2.3825, 48.8390),
    ("Les Halles", 2.3465, 48.8621),
    ("Notre-Dame de Paris", 2.3499, 48.8530),
    ("Jardin du Luxembourg", 2.3372, 48.8462),
    ("Jardin des Plantes", 2.3597, 48.8440),
    ("Jardin des Tuileries", 2.3275, 48.8635),
    ("Parc des Buttes-Chaumont", 2.3828, 48.8809),
    ("Parc Montsouris", 2.3381, 48.8222),
    ("Parc Monceau", 2.3088, 48.8796),
    ("Parc de Belleville", 2.3848, 48.8714),
    ("Parc de la Villette", 2.3903, 48.8938),
    ("Parc André-Citroën", 2.2747, 48.8412),
    ("Parc de Bercy", 2.3822, 48.8353),
    ("Champ-de-Mars", 2.2986, 48.8556),
    ("Tour Eiffel", 2.2945, 48.8584),
    ("Sacré-Cœur", 2.3431, 48.8867),
    ("Canal Saint-Martin", 2.3658, 48.8710),
    ("Bassin de la Villette", 2.3735, 48.8855),
    ("Cimetière du Père-Lachaise", 2.3933, 48.8614),
    ("Bibliothèque François-Mitterrand", 2.3757, 48.8337),
    ("Opéra Garnier", 2.3316, 48.8720),
    ("Musée du Louvre", 2.3376, 48.8606),
    ("Centre Pompidou", 2.3522, 48.8607),
    ("Porte de Clignancourt", 2.3446, 48.8975),
    ("Porte de la Chapelle", 2.3594, 48.8977),
    ("Porte de Vincennes", 2.4103, 48.8470),
    ("Porte d'Orléans", 2.3252, 48.8232),
    ("Porte Maillot", 2.2826, 48.8781),
    ("Porte de Versailles", 2.2874, 48.8324),
    ("Bois de Vincennes", 2.4330, 48.8330),
    ("Bois de Boulogne", 2.2490, 48.8620),
]

_PARTICLES = {"de", "du", "des", "la", "le", "les", "l", "d", "aux", "au", "et", "sur", "en"}


def _street_label(raw: str) -> str:
    """'RUE DU FAUBOURG SAINT-ANTOINE' → "Rue du Faubourg Saint-Antoine" (particles stay lower case)."""
    out, first = [], True
    for token in re.split(r"([\s'\-])", raw.strip().lower()):
        if not token or token in (" ", "'", "-"):
            out.append(token)
            continue
        out.append(token if (token in _PARTICLES and not first) else token[:1].upper() + token[1:])
        first = False
    return "".join(out)


def _upsert(rows: list[tuple[str, str, Point]]) -> int:
    """Insert or update (kind, name) rows in one statement, then place them in their arrondissement."""
    places = {}
    for name, kind, point in rows:
        key = normalize(name)
        if key:
            point.srid = 4326
            places[(kind, key)] = Place(name=name[:200], kind=kind, normalized=key, point=point)
    Place.objects.bulk_create(
        places.values(), update_conflicts=True, unique_fields=["kind", "normalized"], update_fields=["name", "point"]
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_place p SET district_id = d.id FROM core_district d "
            "WHERE ST_Covers(d.geometry, p.point::geometry) AND p.district_id IS DISTINCT FROM d.id"
        )
    # Only Paris: the open-data exports also list stations and fountains of the inner suburbs.
    Place.objects.filter(district__isnull=True).delete()
    return len(places)


def territory_rows() -> list[tuple[str, str, Point]]:
    rows = []
    for district in District.objects.all():
        suffix = "er" if district.number == 1 else "e"
        official = district.official_name or district.name
        label = f"Paris {district.number}{suffix} — {official}"
        rows.append((label, Place.Kind.ARRONDISSEMENT, district.geometry.point_on_surface))
    for quartier in Quartier.objects.select_related("district"):
        n = quartier.district.number
        label = f"{quartier.name} (quartier, {n}{'er' if n == 1 else 'e'})"
        rows.append((label, Place.Kind.QUARTIER, quartier.geometry.point_on_surface))
    return rows


def landmark_rows() -> list[tuple[str, str, Point]]:
    return [(name, Place.Kind.LANDMARK, Point(lon, lat, srid=4326)) for name, lon, lat in LANDMARKS]


def fountain_street_rows(path: str | Path) -> list[tuple[str, str, Point]]:
    """Street names of the Ville de Paris drinking-fountain export (`voie`, `geo_point_2d`), one point per street."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, list) or (data and "voie" not in data[0]):
        raise ValueError(f"{path}: not the 'fontaines-a-boire' export (a JSON list with 'voie' and 'geo_point_2d').")
    points = defaultdict(list)
    for item in data:
        voie, where = item.get("voie"), item.get("geo_point_2d") or {}
        if not voie or "lon" not in where or not str(item.get("commune", "")).upper().startswith("PARIS"):
            continue
        points[voie.strip().upper()].append((float(where["lon"]), float(where["lat"])))
    rows = []
    for voie, coords in points.items():
        # The middle fountain of the street (a real spot on it, unlike the mean of a winding street).
        lon, lat = sorted(coords)[len(coords) // 2]
        rows.append((_street_label(voie), Place.Kind.STREET, Point(lon, lat, srid=4326)))
    return rows


def velib_rows(path: str | Path) -> list[tuple[str, str, Point]]:
    """Vélib station names (those outside Paris are dropped by `_upsert`)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise ValueError(f"{path}: not the Vélib stations GeoJSON export.")
    rows = []
    for feature in data["features"]:
        try:
            lon, lat = feature["geometry"]["coordinates"][:2]
            name = feature["properties"]["name"]
        except (KeyError, TypeError, ValueError):
            continue
        if name:
            rows.append((f"Station Vélib {name}", Place.Kind.STATION, Point(float(lon), float(lat), srid=4326)))
    return rows


@transaction.atomic
def load(fountains: str | None = None, velib: str | None = None) -> dict[str, int]:
    """(Re)load the gazetteer; idempotent. Returns how many places of each source were written."""
    counts = {"territory": _upsert(territory_rows()), "landmarks": _upsert(landmark_rows())}
    if fountains:
        counts["streets"] = _upsert(fountain_street_rows(fountains))
    if velib:
        counts["stations"] = _upsert(velib_rows(velib))
    return counts
