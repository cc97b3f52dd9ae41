import pytest
from django.core.management import call_command

from budget import services
from budget.models import Project
from tests.factories import ResidentFactory

from .conftest import make_campaign, make_project

pytestmark = pytest.mark.django_db


def test_campaigns_list_gives_the_phase(api_client):
    make_campaign(2026, phase="vote")
    make_campaign(2025, phase="delivery")
    data = api_client.get("/api/v1/budget/campaigns/").json()
    assert [(c["year"], c["phase"]) for c in data] == [(2026, "vote"), (2025, "delivery")]
    assert {"id", "year", "phase"} <= set(data[0])


def test_projects_geojson_with_contract_properties(api_client, campaign):
    p = make_project(campaign, 11, 1234, "Jardin")
    data = api_client.get("/api/v1/budget/projects/", {"edition": 2026, "scope": 11}).json()
    assert data["type"] == "FeatureCollection"
    props = data["features"][0]["properties"]
    assert props["id"] == p.pk and props["edition"] == 2026 and props["scope"] == 11 and props["cost"] == 1234
    assert {"title", "votes", "winner", "stage", "lead_direction"} <= set(props)
    assert props["votes"] is None  # results not out


def test_votes_shown_once_results_are_out(api_client, campaign, team_member):
    p = make_project(campaign, "paris", 10)
    services.cast_ballot(ResidentFactory(), campaign, [p.pk])
    services.compute_results(team_member, campaign)
    props = api_client.get("/api/v1/budget/projects/", {"winner": "true"}).json()["features"][0]["properties"]
    assert props["votes"] == 1 and props["winner"] is True and props["stage"] == "study" and props["scope"] == "paris"


@pytest.mark.parametrize(
    "params,field",
    [
        ({"scope": "21"}, "scope"),
        ({"edition": "x"}, "edition"),
        ({"status": "nope"}, "status"),
        ({"bbox": "a"}, "bbox"),
        ({"winner": "maybe"}, "winner"),
        ({"campaign": "x"}, "campaign"),
    ],
)
def test_bad_filters_are_400_with_the_field(api_client, params, field):
    response = api_client.get("/api/v1/budget/projects/", params)
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_bbox_filter(api_client, campaign):
    make_project(campaign, "paris")
    assert len(api_client.get("/api/v1/budget/projects/", {"bbox": "2.0,48.0,2.1,48.1"}).json()["features"]) == 0
    assert len(api_client.get("/api/v1/budget/projects/", {"bbox": "2.2,48.8,2.5,48.95"}).json()["features"]) == 1


def test_projects_list_query_count_is_constant(api_client, campaign, django_assert_max_num_queries):
    for n in range(1, 21):
        make_project(campaign, n)
    with django_assert_max_num_queries(1):
        assert len(api_client.get("/api/v1/budget/projects/").json()["features"]) == 20


def test_campaigns_list_query_count(api_client, django_assert_max_num_queries):
    make_campaign(2026)
    make_campaign(2025)
    with django_assert_max_num_queries(3):
        api_client.get("/api/v1/budget/campaigns/")


def test_schema_documents_the_budget_api(api_client):
    schema = api_client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "/api/v1/budget/projects/" in schema and "/api/v1/budget/campaigns/{id}/ballot/" in schema


def test_load_bp_projects_counts_loaded_and_unplaced(capsys):
    from io import StringIO

    out = StringIO()
    path = "tests/budget/fixtures/bp_projets_gagnants_sample.csv"
    call_command("load_bp_projects", path, stdout=out, stderr=StringIO())
    assert "4 projects loaded, 3 could not be placed" in out.getvalue()
    assert "1 rows skipped" in out.getvalue()
    placed = Project.objects.get(external_id="9001")
    assert placed.district.number == 11 and not placed.approximate_location and placed.stage == "open"
    assert placed.lead_direction.kind == "city_service"
    untitled = Project.objects.get(external_id="9002")
    assert untitled.title and untitled.scope.district is None and untitled.procedures_date is None
    assert Project.objects.get(external_id="9003").stage == "abandoned"
    assert Project.objects.get(external_id="9004").district.number == 16
    call_command("load_bp_projects", path, stdout=StringIO(), stderr=StringIO())
    assert Project.objects.count() == 4


def test_load_bp_projects_refuses_another_file(tmp_path):
    from django.core.management.base import CommandError

    other = tmp_path / "x.csv"
    other.write_text("a;b\n1;2\n")
    with pytest.raises(CommandError):
        call_command("load_bp_projects", str(other))


def test_results_csv_gives_totals_only(api_client, campaign, team_member):
    p = make_project(campaign, "paris", 10, "Bancs")
    voter = ResidentFactory(email="votant@example.org")
    services.cast_ballot(voter, campaign, [p.pk])
    url = f"/api/v1/budget/campaigns/{campaign.pk}/results.csv"
    assert api_client.get(url).status_code == 404
    services.compute_results(team_member, campaign)
    text = api_client.get(url).content.decode()
    assert f"paris,{p.pk},Bancs,10,1,True" in text
    assert "votant" not in text and str(voter.pk) not in text.split("\n", 1)[0]
