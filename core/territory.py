"""Loading the arrondissements and quartiers: from the Ville de Paris open-data exports, or an approximation.

The approximation (Voronoi cells of hand-placed seeds, clipped to a rough outline of Paris) exists so that
the demo and the tests run without any external file; it is documented as approximate in the README.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Polygon
from django.db import connection, transaction
from django.utils.translation import gettext as _

from .models import CityBoundary, District, Quartier

ARRONDISSEMENT_KEYS = {"c_ar", "c_arinsee", "l_ar", "l_aroff"}
QUARTIER_KEYS = {"c_qu", "c_quinsee", "l_qu", "c_ar"}

ARRONDISSEMENT_NAMES = [
    "Louvre",
    "Bourse",
    "Temple",
    "Hôtel-de-Ville",
    "Panthéon",
    "Luxembourg",
    "Palais-Bourbon",
    "Élysée",
    "Opéra",
    "Entrepôt",
    "Popincourt",
    "Reuilly",
    "Gobelins",
    "Observatoire",
    "Vaugirard",
    "Passy",
    "Batignolles-Monceau",
    "Butte-Montmartre",
    "Buttes-Chaumont",
    "Ménilmontant",
]
QUARTIER_NAMES = [
    "Saint-Germain-l'Auxerrois",
    "Halles",
    "Palais-Royal",
    "Place-Vendôme",
    "Gaillon",
    "Vivienne",
    "Mail",
    "Bonne-Nouvelle",
    "Arts-et-Métiers",
    "Enfants-Rouges",
    "Archives",
    "Sainte-Avoie",
    "Saint-Merri",
    "Saint-Gervais",
    "Arsenal",
    "Notre-Dame",
    "Saint-Victor",
    "Jardin-des-Plantes",
    "Val-de-Grâce",
    "Sorbonne",
    "Monnaie",
    "Odéon",
    "Notre-Dame-des-Champs",
    "Saint-Germain-des-Prés",
    "Saint-Thomas-d'Aquin",
    "Invalides",
    "École-Militaire",
    "Gros-Caillou",
    "Champs-Élysées",
    "Faubourg-du-Roule",
    "Madeleine",
    "Europe",
    "Saint-Georges",
    "Chaussée-d'Antin",
    "Faubourg-Montmartre",
    "Rochechouart",
    "Saint-Vincent-de-Paul",
    "Porte-Saint-Denis",
    "Porte-Saint-Martin",
    "Hôpital-Saint-Louis",
    "Folie-Méricourt",
    "Saint-Ambroise",
    "Roquette",
    "Sainte-Marguerite",
    "Bel-Air",
    "Picpus",
    "Bercy",
    "Quinze-Vingts",
    "Salpêtrière",
    "Gare",
    "Maison-Blanche",
    "Croulebarbe",
    "Montparnasse",
    "Parc-de-Montsouris",
    "Petit-Montrouge",
    "Plaisance",
    "Saint-Lambert",
    "Necker",
    "Grenelle",
    "Javel",
    "Auteuil",
    "Muette",
    "Porte-Dauphine",
    "Chaillot",
    "Ternes",
    "Plaine de Monceaux",
    "Batignolles",
    "Épinettes",
    "Grandes-Carrières",
    "Clignancourt",
    "Goutte-d'Or",
    "Chapelle",
    "Villette",
    "Pont-de-Flandre",
    "Amérique",
    "Combat",
    "Belleville",
    "Saint-Fargeau",
    "Père-Lachaise",
    "Charonne",
]

# Hand-placed seeds (lon, lat), one per arrondissement, and a rough outline of the city (woods included).
APPROX_SEEDS = [
    (2.3364, 48.8625),
    (2.3428, 48.8683),
    (2.3600, 48.8630),
    (2.3576, 48.8543),
    (2.3507, 48.8445),
    (2.3329, 48.8491),
    (2.3122, 48.8562),
    (2.3125, 48.8727),
    (2.3375, 48.8770),
    (2.3608, 48.8761),
    (2.3800, 48.8591),
    (2.4000, 48.8390),
    (2.3622, 48.8283),
    (2.3265, 48.8292),
    (2.2928, 48.8401),
    (2.2700, 48.8600),
    (2.3067, 48.8873),
    (2.3482, 48.8925),
    (2.3848, 48.8871),
    (2.4011, 48.8634),
]
APPROX_OUTLINE = [
    (2.2795, 48.8786),
    (2.2920, 48.8850),
    (2.3190, 48.9000),
    (2.3440, 48.9015),
    (2.3700, 48.9016),
    (2.3895, 48.9010),
    (2.3990, 48.8950),
    (2.4100, 48.8790),
    (2.4135, 48.8710),
    (2.4160, 48.8500),
    (2.4120, 48.8340),
    (2.4400, 48.8450),
    (2.4690, 48.8390),
    (2.4650, 48.8190),
    (2.4380, 48.8170),
    (2.4100, 48.8260),
    (2.3900, 48.8260),
    (2.3650, 48.8160),
    (2.3450, 48.8160),
    (2.3200, 48.8170),
    (2.2950, 48.8270),
    (2.2730, 48.8330),
    (2.2630, 48.8380),
    (2.2520, 48.8390),
    (2.2280, 48.8450),
    (2.2240, 48.8560),
    (2.2330, 48.8690),
    (2.2550, 48.8780),
    (2.2795, 48.8786),
]


class BoundaryFileError(ValueError):
    pass


def district_name(number: int) -> str:
    """ "12e arrondissement", "1er arrondissement" (never the open data's "12ème Ardt")."""
    return f"{number}{'er' if number == 1 else 'e'} arrondissement"


def district_label(district) -> str:
    """ "12e arr." / "1er arr." from a District, a number or a numeric string; "" when there is none."""
    number = getattr(district, "number", district)
    try:
        number = int(number)
    except (TypeError, ValueError):
        return ""
    if not 1 <= number <= 20:
        return ""
    # The French abbreviation is kept in English too: it is how Paris names its arrondissements.
    return f"{number}{'er' if number == 1 else 'e'}\u00a0arr."


def _multipolygon(geometry: dict | GEOSGeometry) -> MultiPolygon:
    geom = geometry if isinstance(geometry, GEOSGeometry) else GEOSGeometry(json.dumps(geometry), srid=4326)
    if geom.srid is None:
        geom.srid = 4326
    if not geom.valid:
        geom = geom.buffer(0)
    if isinstance(geom, Polygon):
        geom = MultiPolygon(geom, srid=4326)
    if geom.geom_type != "MultiPolygon":
        raise BoundaryFileError(
            _("A feature has a %(type)s geometry; polygons were expected.") % {"type": geom.geom_type}
        )
    return geom


def read_boundary_file(path: str | Path) -> tuple[str, list[dict]]:
    """Return ("arrondissements"|"quartiers", features) or raise BoundaryFileError with a clear message."""
    try:
        with open(path, encoding="utf-8-sig") as fh:
            data = json.load(fh)
    except FileNotFoundError:
        raise BoundaryFileError(_("File not found: %(path)s") % {"path": path}) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BoundaryFileError(_("This file is not GeoJSON: %(error)s") % {"error": exc}) from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not data.get("features"):
        raise BoundaryFileError(_("This file is not a GeoJSON FeatureCollection of Paris boundaries."))
    keys = set((data["features"][0].get("properties") or {}).keys())
    if keys >= ARRONDISSEMENT_KEYS and "c_qu" not in keys:
        kind, expected = "arrondissements", 20
    elif keys >= QUARTIER_KEYS:
        kind, expected = "quartiers", 80
    else:
        raise BoundaryFileError(
            _(
                "Unrecognised file: expected the Ville de Paris export of arrondissements "
                "(c_ar, c_arinsee, l_ar, l_aroff) or of quartiers (c_qu, c_quinsee, l_qu, c_ar)."
            )
        )
    features = data["features"]
    if len(features) != expected:
        raise BoundaryFileError(
            _("Expected %(expected)s %(kind)s, found %(found)s.")
            % {"expected": expected, "kind": kind, "found": len(features)}
        )
    return kind, features


@transaction.atomic
def load_file(path: str | Path) -> tuple[str, int, int]:
    """Import an official export; update in place when run again. Returns (kind, created, updated)."""
    kind, features = read_boundary_file(path)
    created = updated = 0
    for feature in features:
        props = feature.get("properties") or {}
        if not feature.get("geometry"):
            raise BoundaryFileError(_("A feature has no geometry."))
        geometry = _multipolygon(feature["geometry"])
        if kind == "arrondissements":
            number = int(props["c_ar"])
            _obj, was_created = District.objects.update_or_create(
                number=number,
                defaults={
                    "insee": str(props["c_arinsee"]),
                    # The open data says "12ème Ardt": we store the French form, the official one stays beside it.
                    "name": district_name(number),
                    "official_name": str(props["l_aroff"]).strip(),
                    "geometry": geometry,
                    "approximate": False,
                },
            )
        else:
            district = District.objects.filter(number=int(props["c_ar"])).first()
            if district is None:
                raise BoundaryFileError(_("Load the arrondissements before the quartiers."))
            _obj, was_created = Quartier.objects.update_or_create(
                number=int(props["c_qu"]),
                defaults={
                    "insee": str(props["c_quinsee"]),
                    "name": str(props["l_qu"]).strip(),
                    "district": district,
                    "geometry": geometry,
                    "approximate": False,
                },
            )
        created += was_created
        updated += not was_created
    if kind == "arrondissements":
        refresh_city_boundary()
    return kind, created, updated


def refresh_city_boundary() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT ST_AsEWKB(ST_Multi(ST_Union(geometry))) FROM core_district")
        row = cursor.fetchone()
    if row and row[0]:
        outline = GEOSGeometry(memoryview(bytes(row[0])))
        CityBoundary.objects.update_or_create(name="paris", defaults={"geometry": _multipolygon(outline)})


def _voronoi_cells(seeds: list[tuple[float, float]], clip: GEOSGeometry) -> list[GEOSGeometry]:
    """One cell per seed (in seed order), clipped to `clip`, computed by PostGIS."""
    points = ",".join(f"ST_MakePoint({x},{y})" for x, y in seeds)
    # only floats of our own constants are interpolated
    sql = f"""
        WITH seeds AS (SELECT n, geom FROM unnest(ARRAY[{points}]) WITH ORDINALITY AS s(geom, n)),
             cells AS (SELECT (ST_Dump(ST_VoronoiPolygons(ST_Collect(geom), 0, ST_GeomFromEWKB(%s)))).geom AS cell FROM seeds)
        SELECT seeds.n, ST_AsEWKB(ST_Multi(ST_CollectionExtract(ST_Intersection(ST_SetSRID(cells.cell, 4326), ST_GeomFromEWKB(%s)), 3)))
        FROM seeds JOIN cells ON ST_Within(seeds.geom, cells.cell) ORDER BY seeds.n
    """  # noqa: S608
    clip_ewkb = bytes(clip.ewkb)
    with connection.cursor() as cursor:
        cursor.execute(sql, [clip_ewkb, clip_ewkb])
        rows = cursor.fetchall()
    return [GEOSGeometry(memoryview(bytes(r[1]))) for r in rows]


@transaction.atomic
def load_approximate() -> None:
    """Generate approximate arrondissements and quartiers (unless official ones are already loaded)."""
    if District.objects.filter(approximate=False).exists():
        return
    outline = Polygon(APPROX_OUTLINE, srid=4326)
    for number, cell in enumerate(_voronoi_cells(APPROX_SEEDS, outline), start=1):
        District.objects.update_or_create(
            number=number,
            defaults={
                "insee": f"751{number:02d}",
                "name": district_name(number),
                "official_name": ARRONDISSEMENT_NAMES[number - 1],
                "geometry": _multipolygon(cell),
                "approximate": True,
            },
        )
    refresh_city_boundary()
    for district in District.objects.all():
        c = district.geometry.point_on_surface
        # four seeds around an inner point, spread in proportion to the cell's size
        d = (district.geometry.area**0.5) / 4
        seeds = [(c.x - d, c.y + d), (c.x + d, c.y + d), (c.x - d, c.y - d), (c.x + d, c.y - d)]
        for k, cell in enumerate(_voronoi_cells(seeds, district.geometry), start=1):
            number = (district.number - 1) * 4 + k
            if cell.empty:
                continue
            Quartier.objects.update_or_create(
                number=number,
                defaults={
                    "insee": f"751{district.number:02d}{k:02d}",
                    "name": QUARTIER_NAMES[number - 1],
                    "district": district,
                    "geometry": _multipolygon(cell),
                    "approximate": True,
                },
            )


# --- objects whose arrondissement/quartier is stored -------------------------------------------------------------
# Each app registers the models that keep the arrondissement (and quartier) computed from their geometry at write
# time; when the boundaries change (official ones replacing the approximations, or a new export), `relocate_all()`
# recomputes them in one UPDATE per model, with the same probe as core.geo.locate (the geometry's point on surface),
# then calls the model's `relocated` hook if rows changed (e.g. strategy's dashboard figures start afresh).


@dataclass(frozen=True)
class Located:
    model: type
    geometry: str
    district: str = "district"
    quartier: str | None = None
    relocated: Callable[[], None] | None = None


LOCATED: list[Located] = []


def register_located(
    model,
    geometry: str,
    district: str = "district",
    quartier: str | None = None,
    relocated: Callable[[], None] | None = None,
) -> None:
    if not any(item.model is model for item in LOCATED):
        LOCATED.append(Located(model, geometry, district, quartier, relocated))


def relocate_all() -> dict[str, int]:
    """Recompute the stored arrondissement/quartier of every registered object; returns the rows changed per model."""
    changed = {}
    with connection.cursor() as cursor:
        for item in LOCATED:
            meta = item.model._meta
            geometry = meta.get_field(item.geometry).column
            probe = f"ST_PointOnSurface(t.{geometry}::geometry)"
            total = 0
            for field, table in ((item.district, "core_district"), (item.quartier, "core_quartier")):
                if not field:
                    continue
                column = meta.get_field(field).column
                cursor.execute(
                    f"UPDATE {meta.db_table} t SET {column} = a.id FROM {table} a "  # noqa: S608 - names from model meta
                    f"WHERE t.{geometry} IS NOT NULL AND ST_Covers(a.geometry, {probe}) "
                    f"AND t.{column} IS DISTINCT FROM a.id"
                )
                total += cursor.rowcount
            changed[meta.label] = total
    for item in LOCATED:
        if item.relocated is not None and changed[item.model._meta.label]:
            item.relocated()
    return changed
