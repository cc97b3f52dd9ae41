"""The one answer to "where is this?": which arrondissement/quartier contains a geometry, and is it in Paris.

Every app calls `locate()` at write time and stores the result; nothing recomputes it per request.
"""

import json
from dataclasses import dataclass

from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import GEOSException, GEOSGeometry, Point
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

from .models import CityBoundary, District, Quartier

MAX_VERTICES = 500


@dataclass(frozen=True)
class Location:
    district: District
    quartier: Quartier | None


class OutsideParis(ValidationError):
    def __init__(self):
        super().__init__(
            _("This place is outside Paris. Choose a place inside the city's limits."), code="outside_paris"
        )


class InvalidGeoJSON(ValueError):
    """Raised by `geometry_from_geojson` with a translated sentence for the user."""


def geometry_from_geojson(raw, allowed_types=("Point", "LineString", "Polygon")) -> GEOSGeometry:
    """GeoJSON (a mapping or its text) → GEOS geometry in SRID 4326; anything else raises InvalidGeoJSON."""
    try:
        data = json.loads(raw) if isinstance(raw, str | bytes) else raw
    except ValueError:
        raise InvalidGeoJSON(_("This is not a valid GeoJSON geometry.")) from None
    if not isinstance(data, dict) or data.get("type") not in allowed_types:
        raise InvalidGeoJSON(_("Use a GeoJSON geometry of type %(types)s.") % {"types": ", ".join(allowed_types)})
    try:
        geometry = GEOSGeometry(json.dumps(data), srid=4326)
    except (ValueError, TypeError, GEOSException, GDALException):
        raise InvalidGeoJSON(_("This is not a valid GeoJSON geometry.")) from None
    if geometry.empty:
        raise InvalidGeoJSON(_("This is not a valid GeoJSON geometry."))
    geometry.srid = 4326
    return geometry


def _probe(geometry: GEOSGeometry) -> Point:
    if geometry.geom_type == "Point":
        return geometry
    return geometry.point_on_surface


def is_in_paris(geometry: GEOSGeometry) -> bool:
    if geometry.srid is None:
        geometry.srid = 4326
    if geometry.geom_type == "Point":
        return District.objects.filter(geometry__covers=geometry).exists()
    return CityBoundary.objects.filter(name="paris", geometry__covers=geometry).exists()


def locate(geometry: GEOSGeometry) -> Location:
    """Return the arrondissement and quartier of `geometry`, or raise OutsideParis."""
    if geometry.srid is None:
        geometry.srid = 4326
    point = geometry.geom_type == "Point"
    # A point is in Paris when an arrondissement covers it: the lookup below answers both (one query, not two).
    if not point and not is_in_paris(geometry):
        raise OutsideParis()
    probe = _probe(geometry)
    district = District.objects.filter(geometry__covers=probe).first()
    if district is None and not point:  # a shape in Paris whose inner point falls on a border: the largest overlap
        district = District.objects.filter(geometry__intersects=geometry).first()
    if district is None:
        raise OutsideParis()
    quartier = Quartier.objects.filter(geometry__covers=probe).first()
    return Location(district=district, quartier=quartier)


def district_of_point(lon: float, lat: float) -> District | None:
    return District.objects.filter(geometry__covers=Point(lon, lat, srid=4326)).first()


@deconstructible
class GeometryValidator:
    """Valid, simple, not too detailed, and inside Paris: used by model fields, forms and serializers alike."""

    allowed_types = ("Point", "LineString", "Polygon")

    def __init__(self, allowed_types=None, max_vertices=MAX_VERTICES, require_in_paris=True):
        if allowed_types:
            self.allowed_types = tuple(allowed_types)
        self.max_vertices = max_vertices
        self.require_in_paris = require_in_paris

    def __call__(self, geometry):
        if geometry is None:
            return
        if geometry.geom_type not in self.allowed_types:
            raise ValidationError(
                _("Unsupported geometry type %(type)s: use a point, a line or a polygon."),
                code="geometry_type",
                params={"type": geometry.geom_type},
            )
        if geometry.num_coords > self.max_vertices:
            raise ValidationError(
                _("This shape has too many points (%(count)s); the maximum is %(max)s."),
                code="too_many_vertices",
                params={"count": geometry.num_coords, "max": self.max_vertices},
            )
        if geometry.empty or not geometry.valid:
            raise ValidationError(
                _("This shape is not valid (it may cross itself): %(reason)s."),
                code="invalid_geometry",
                params={"reason": geometry.valid_reason if not geometry.empty else _("empty")},
            )
        if geometry.geom_type == "LineString" and geometry.length == 0:
            raise ValidationError(_("A line needs two distinct points."), code="invalid_geometry")
        if self.require_in_paris and not is_in_paris(geometry):
            raise OutsideParis()

    def __eq__(self, other):
        return (
            isinstance(other, GeometryValidator)
            and self.allowed_types == other.allowed_types
            and self.max_vertices == other.max_vertices
            and self.require_in_paris == other.require_in_paris
        )
