"""The all-Paris map reads its clusters from a summary kept by triggers: it must answer what grouping live would."""

import random
from urllib.parse import urlencode

import pytest
from django.contrib.gis.geos import LineString, Point
from django.db import connection
from django.db.models import Sum
from django.http import QueryDict

from core.models import Theme
from mapvotes import selectors, services
from mapvotes.models import CELL_ZOOMS, ClusterCell, Proposal
from tests.factories import MONTMARTRE, REPUBLIQUE

from .factories import ProposalFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/map/proposals/"
PARIS = "2.22,48.81,2.47,48.91"
EVERYTHING = selectors.parse_filters(QueryDict(""))


def _scatter(n, seed=3):
    rng = random.Random(seed)
    return [
        ProposalFactory(geometry=Point(2.30 + rng.random() * 0.1, 48.84 + rng.random() * 0.04, srid=4326))
        for _ in range(n)
    ]


def _as_set(cells):
    return {(c["gx"], c["gy"], c["n"], round(c["x"], 6), round(c["y"], 6), c["n"] == 1 and c["one"]) for c in cells}


def _assert_summary_matches_live(bbox=PARIS):
    polygon = selectors.parse_bbox(bbox)
    for zoom in CELL_ZOOMS:
        live = selectors.live_cells(selectors.filtered(EVERYTHING), zoom, polygon)
        assert _as_set(selectors.summarised_cells(zoom, polygon)) == _as_set(live), f"zoom {zoom}"


def _cluster_counts(api_client, zoom=12, bbox=PARIS):
    data = api_client.get(URL, {"bbox": bbox, "zoom": zoom}).json()
    return sorted(f["properties"]["count"] if f["properties"].get("cluster") else 1 for f in data["features"])


def test_summarised_clusters_equal_the_live_grouping_at_every_zoom():
    _scatter(60)
    ProposalFactory(geometry=LineString((2.35, 48.85), (2.36, 48.855), srid=4326))  # its representative point
    ProposalFactory(geometry=MONTMARTRE.clone())
    _assert_summary_matches_live()
    _assert_summary_matches_live("2.33,48.845,2.36,48.86")  # a viewport that cuts cells: whole cells, both ways


def test_the_map_reads_the_summary_unfiltered_or_by_theme_and_status_and_other_filters_group_live(
    api_client, django_assert_max_num_queries
):
    _scatter(20)
    cells = ClusterCell.objects.filter(zoom=11, n__gt=0).count()
    with connection.cursor() as cursor:  # summary counts that the live grouping would not give
        cursor.execute("UPDATE mapvotes_clustercell SET n = n + 1000 WHERE zoom = 11")

    assert sum(_cluster_counts(api_client, zoom=11)) == 20 + 1000 * cells
    by_theme = api_client.get(URL, {"bbox": PARIS, "zoom": 11, "theme": "mobilite", "status": "published"}).json()
    assert sum(f["properties"].get("count", 1) for f in by_theme["features"]) == 20 + 1000 * cells
    with django_assert_max_num_queries(3):
        api_client.get(URL, {"bbox": PARIS, "zoom": 11, "period": "30d"})
    data = api_client.get(URL, {"bbox": PARIS, "zoom": 11, "period": "30d"}).json()
    assert sum(f["properties"].get("count", 1) for f in data["features"]) == 20


def test_clusters_by_theme_and_status_equal_the_live_grouping_and_follow_changes(team_member):
    proposals = _scatter(30)
    for proposal in proposals[:12]:
        proposal.theme = Theme.objects.exclude(slug="mobilite").order_by("pk").first()
        proposal.save(update_fields=["theme"])
    services.change_status(team_member, proposals[20], "under_study")
    Proposal.objects.filter(pk__in=[p.pk for p in proposals[25:]]).update(status="retained")
    other = proposals[0].theme.slug
    polygon = selectors.parse_bbox(PARIS)
    for query in ({"theme": "mobilite"}, {"theme": f"{other},mobilite"}, {"status": "retained"},
                  {"theme": "mobilite", "status": "under_study"}):  # fmt: skip
        filters = selectors.parse_filters(QueryDict(urlencode(query)))
        for zoom in (0, 11, 14, 16):
            live = selectors.live_cells(selectors.filtered(filters), zoom, polygon)
            assert _as_set(selectors.summarised_cells(zoom, polygon, filters)) == _as_set(live), (query, zoom)
    _assert_summary_matches_live()


def test_a_new_proposal_is_in_the_clusters_at_once(api_client, resident):
    _scatter(10)
    before = sum(_cluster_counts(api_client))
    services.create_proposal(
        resident, title="Un banc", description="Pour se reposer.", theme="mobilite", geometry=REPUBLIQUE.clone()
    )
    assert sum(_cluster_counts(api_client)) == before + 1
    _assert_summary_matches_live()


def test_a_hidden_proposal_leaves_the_clusters_and_comes_back_when_restored(api_client, team_member):
    proposals = _scatter(10)
    services.set_hidden(team_member, proposals[0], True, "Hors charte")
    assert sum(_cluster_counts(api_client)) == 9
    _assert_summary_matches_live()
    services.set_hidden(team_member, Proposal.objects.get(pk=proposals[0].pk), False, "Conforme")
    assert sum(_cluster_counts(api_client)) == 10
    _assert_summary_matches_live()


def test_a_merged_proposal_leaves_the_clusters(api_client, team_member):
    kept, duplicate, *_ = _scatter(10)
    services.merge_proposals(team_member, duplicate, kept, "Même demande")
    assert sum(_cluster_counts(api_client)) == 9
    _assert_summary_matches_live()


def test_a_lone_proposal_in_its_cell_is_shown_as_itself(api_client):
    _scatter(5)
    lone = ProposalFactory(geometry=MONTMARTRE.clone())
    data = api_client.get(URL, {"bbox": PARIS, "zoom": 14}).json()
    singles = [f for f in data["features"] if not f["properties"].get("cluster")]
    assert lone.pk in [f["id"] for f in singles]
    assert next(f for f in singles if f["id"] == lone.pk)["properties"]["title"] == lone.title


def test_bulk_writes_outside_the_services_keep_the_summary_true():
    proposals = _scatter(30)
    Proposal.objects.filter(pk__in=[p.pk for p in proposals[:10]]).update(is_hidden=True)
    Proposal.objects.filter(pk=proposals[10].pk).update(point=Point(2.29, 48.87, srid=4326))
    Proposal.objects.filter(pk__in=[p.pk for p in proposals[20:]]).delete()
    _assert_summary_matches_live()
    assert ClusterCell.objects.filter(zoom=0).aggregate(n=Sum("n"))["n"] == 10


def test_votes_leave_the_summary_alone(resident):
    proposal = ProposalFactory()
    before = list(ClusterCell.objects.order_by("zoom", "gx", "gy", "theme_id").values_list("zoom", "gx", "gy", "n"))
    services.cast_vote(resident, proposal.pk, "for")
    after = list(ClusterCell.objects.order_by("zoom", "gx", "gy", "theme_id").values_list("zoom", "gx", "gy", "n"))
    assert before == after
