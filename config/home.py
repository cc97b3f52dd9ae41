"""The home page, the composition root of the site: it reads each space through that space's own selectors. It lives
beside config/urls.py, which knows every app too, so that core/ (the shared domain) knows no space
(tests/core/test_layers.py)."""

from django.conf import settings
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from core.spaces import spaces
from ideas.selectors import ideas_seeking_partners
from mapvotes.selectors import latest_proposals
from strategy.selectors import latest_changes
from volunteering import selectors as volunteering
from volunteering.forms import NearForm


def home(request):
    """What is happening: the latest proposals on a small map, missions near a typed place (or the volunteer's home),
    ideas looking for partners, the strategy's latest version and what it changed; then the four spaces."""
    near_form = NearForm(request.GET or None, auto_id="home-%s")
    typed = near_form.cleaned_data["near"] if near_form.is_bound and near_form.is_valid() else None
    place, near_source, search = None, "", {}
    if typed is not None:
        place, near_source, search = typed.point, "typed", {"near": typed.text}
    elif not near_form.errors and (home := volunteering.home_point(request.user)) is not None:
        place, near_source, search = home, "home", {"near": _("near my home")}
    if place is not None:  # the mission search opens on the same point, its words shown in its place field
        search.update(near_lon=f"{place.x:.6f}", near_lat=f"{place.y:.6f}", near_for=search["near"])
    proposals = latest_proposals()
    return render(
        request,
        "core/home.html",
        {
            "spaces": spaces(),
            "proposals": proposals,
            "proposals_geojson": {"type": "FeatureCollection", "features": proposals},
            "map_tiles_url": settings.MAP_TILES_URL,
            "near_form": near_form,
            "near_source": near_source,
            "missions": volunteering.missions_near(place) if place else volunteering.newest_missions(),
            "search_query": urlencode(search),
            "ideas": ideas_seeking_partners(),
            "strategy": latest_changes(),
        },
    )
