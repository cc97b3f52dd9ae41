from django.core.cache import cache

from .models import District, Theme


def themes():
    return list(Theme.objects.all())


def districts_geojson_cached(serialize) -> dict:
    """Districts change only when load_districts runs; serialise once (5,000+ vertices) and cache."""
    key = f"districts-geojson-{District.objects.count()}-{District.objects.filter(approximate=False).count()}"
    data = cache.get(key)
    if data is None:
        data = serialize(District.objects.all())
        cache.set(key, data, 3600)
    return data
