"""From what a resident types ("place de la République", "rue de Rivoli", "48.8566, 2.3522") to a point in Paris.

Three sources, in order: coordinates typed in either order; the national address base (BAN) when
`GEOCODER_URL` is set (https://api-adresse.data.gouv.fr/search/ in production: it knows every address); and the
local gazetteer `core.Place`, which works offline and is what the demo and the tests use. Every answer is inside
Paris (`core.geo.is_in_paris`); a geocoder outage is logged and falls back to the gazetteer.
"""

import json
import logging
import re
import unicodedata
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import Point
from django.contrib.gis.measure import D
from django.contrib.postgres.search import TrigramWordSimilarity
from django.db.models import Q
from django.utils.translation import gettext as _

from .geo import district_of_point, is_in_paris
from .models import Place

logger = logging.getLogger(__name__)

MIN_QUERY = 2
MAX_QUERY = 200
_NUMBER = r"[-+]?\d{1,3}(?:[.,]\d+)?"
_COORDINATES = re.compile(rf"^\s*({_NUMBER})\s*[,; ]\s*({_NUMBER})\s*$")


@dataclass(frozen=True)
class Match:
    label: str
    kind: str
    point: Point
    district: int | None

    def as_dict(self) -> dict:
        return {
            "label": self.label,
            "kind": self.kind,
            "district": self.district,
            "geometry": {"type": "Point", "coordinates": [round(self.point.x, 6), round(self.point.y, 6)]},
        }


def normalize(text: str) -> str:
    """Lower case, accents and punctuation removed, spaces collapsed: "Place de l'Hôtel-de-Ville" → "place de l hotel de ville"."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain).split())


def parse_coordinates(text: str) -> Point | None:
    """Two numbers, as "lon,lat" (the API's order) or "lat, lon" (what maps copy): Paris tells which is which."""
    found = _COORDINATES.match(text or "")
    if not found:
        return None
    a, b = (float(v.replace(",", ".")) for v in found.groups())
    lon, lat = (b, a) if abs(a) > 40 >= abs(b) else (a, b)
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return None
    return Point(lon, lat, srid=4326)


def _district_number(point: Point) -> int | None:
    district = district_of_point(point.x, point.y)
    return district.number if district else None


def _from_gazetteer(text: str, limit: int) -> list[Match]:
    wanted = normalize(text)
    if len(wanted) < MIN_QUERY:
        return []
    places = (
        Place.objects.annotate(similarity=TrigramWordSimilarity(wanted, "normalized"))
        .filter(Q(normalized__contains=wanted) | Q(similarity__gte=0.45))
        .select_related("district")
        .order_by("-similarity", "kind", "name")[:limit]
    )
    return [
        Match(label=p.name, kind=p.kind, point=p.point, district=p.district.number if p.district else None)
        for p in places
    ]


def _ban_features(url: str, params: dict) -> list:
    query = urllib.parse.urlencode(params)
    try:
        with urllib.request.urlopen(f"{url}?{query}", timeout=settings.GEOCODER_TIMEOUT) as response:  # noqa: S310 - URL from settings
            return json.load(response).get("features", [])
    except (OSError, ValueError, AttributeError) as error:
        logger.warning("Geocoder %s unavailable (%s); using the local gazetteer", url, error)
        return []


def _from_ban(text: str, limit: int) -> list[Match]:
    url = getattr(settings, "GEOCODER_URL", "")
    if not url:
        return []
    features = _ban_features(url, {"q": f"{text} Paris" if "paris" not in normalize(text) else text, "limit": limit})
    return _ban_matches(features)


def _ban_matches(features: list) -> list[Match]:
    matches = []
    for feature in features:
        try:
            lon, lat = feature["geometry"]["coordinates"][:2]
            point = Point(float(lon), float(lat), srid=4326)
            label = str(feature["properties"]["label"])[:200]
        except (KeyError, TypeError, ValueError, IndexError):
            continue
        if is_in_paris(point):
            kind = str(feature["properties"].get("type", "address"))
            matches.append(Match(label=label, kind=kind, point=point, district=_district_number(point)))
    return matches


def geocode(text: str, limit: int = 5) -> list[Match]:
    """Places of Paris matching `text`, best first (at most `limit`); [] when nothing in Paris matches."""
    text = (text or "").strip()[:MAX_QUERY]
    point = parse_coordinates(text)
    if point is not None:
        if not is_in_paris(point):
            return []
        return [
            Match(
                label=f"{point.y:.5f}, {point.x:.5f}", kind="coordinates", point=point, district=_district_number(point)
            )
        ]
    return (_from_ban(text, limit) or _from_gazetteer(text, limit))[:limit]


def first_point(text: str) -> Point | None:
    matches = geocode(text, limit=1)
    return matches[0].point if matches else None


REVERSE_RADIUS_M = 300


def reverse(point: Point) -> Match | None:
    """Words for a point chosen on a map: the address (BAN), else "near" the closest known place, else the
    arrondissement; None outside Paris."""
    if point.srid is None:
        point.srid = 4326
    district = _district_number(point)
    if district is None:
        return None
    url = getattr(settings, "GEOCODER_URL", "")
    if url and "/search" in url:
        reverse_url = url.replace("/search", "/reverse", 1)
        found = _ban_matches(_ban_features(reverse_url, {"lon": point.x, "lat": point.y, "limit": 1}))
        if found:
            return found[0]
    nearest = (
        Place.objects.filter(point__dwithin=(point, D(m=REVERSE_RADIUS_M)))
        .exclude(kind__in=(Place.Kind.ARRONDISSEMENT, Place.Kind.QUARTIER))
        .annotate(distance=Distance("point", point))
        .order_by("distance")
        .first()
    )
    suffix = "er" if district == 1 else "e"
    if nearest is not None:
        label = _("Near %(place)s (Paris %(district)s)") % {"place": nearest.name, "district": f"{district}{suffix}"}
    else:
        label = _("A point in Paris %(district)s") % {"district": f"{district}{suffix}"}
    return Match(label=label, kind="point", point=point, district=district)
