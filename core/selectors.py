from django.contrib.gis.db.models import MultiPolygonField
from django.core.cache import cache
from django.db.models import F, Func

from .models import District

SIMPLIFY_DEGREES = 0.0002  # about 15 m: invisible at city zooms, a tenth of the vertices


def districts_geojson_cached(serialize, simplified=False) -> dict:
    """Districts change only when load_districts runs; serialise once (5,000+ vertices) and cache.

    `simplified` keeps the topology (shared borders stay shared) with far fewer vertices: the map's base layer."""
    key = f"districts-geojson-{District.objects.count()}-{District.objects.filter(approximate=False).count()}"
    key += "-simplified" if simplified else ""
    data = cache.get(key)
    if data is None:
        districts = District.objects.all()
        if simplified:
            districts = districts.annotate(
                simple=Func(
                    Func(F("geometry"), SIMPLIFY_DEGREES, function="ST_SimplifyPreserveTopology"),
                    function="ST_Multi",
                    output_field=MultiPolygonField(srid=4326),
                )
            )
            for district in districts:
                district.geometry = district.simple
        data = serialize(districts)
        cache.set(key, data, 3600)
    return data
