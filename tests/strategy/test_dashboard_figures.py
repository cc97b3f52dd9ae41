"""The dashboard figures are cached, yet every change to the inbox shows in them at once."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from strategy import selectors, services


def by_key(rows):
    return {key: n for key, _label, n in rows}


def test_dashboard_figures_are_computed_once_then_served_from_the_cache(make_contribution):
    make_contribution()
    first = selectors.dashboard_figures()
    with CaptureQueriesContext(connection) as queries:
        again = selectors.dashboard_figures()
    assert again == first
    assert not any("GROUPING SETS" in q["sql"] for q in queries.captured_queries)


def test_a_new_contribution_changes_the_dashboard_figures_at_once(team_member):
    before = selectors.dashboard_figures()
    services.add_offline_contribution(
        team_member,
        title="Des bancs à l'ombre place des Fêtes",
        text="Atelier du 19e.",
        theme="mobilite",
        district=19,
        event="Atelier de quartier",
        event_date=timezone.localdate() - datetime.timedelta(days=1),
    )
    after = selectors.dashboard_figures()
    assert after["total"] == before["total"] + 1
    assert by_key(after["by_source"])["offline"] == by_key(before["by_source"])["offline"] + 1
    assert by_key(after["by_status"])["new"] == by_key(before["by_status"])["new"] + 1
    assert by_key(after["by_theme"])["mobilite"] == by_key(before["by_theme"]).get("mobilite", 0) + 1
    assert by_key(after["by_district"])[19] == by_key(before["by_district"])[19] + 1


def test_triage_moves_a_contribution_between_statuses_on_the_dashboard_at_once(contribution, team_member):
    before = by_key(selectors.dashboard_figures()["by_status"])
    services.triage(contribution, team_member, status="retained")
    after = by_key(selectors.dashboard_figures()["by_status"])
    assert after["new"] == before["new"] - 1
    assert after["retained"] == before["retained"] + 1


def test_publishing_shows_linked_contributions_as_integrated_at_once(contribution, sections, team_member):
    services.triage(contribution, team_member, sections=["mobilite-velo"])
    before = by_key(selectors.dashboard_figures()["by_status"])
    services.publish_version(team_member, "Première version.")
    after = by_key(selectors.dashboard_figures()["by_status"])
    assert after["integrated"] == before["integrated"] + 1
    assert after["retained"] == before["retained"] - 1


def test_a_contribution_removed_by_its_source_leaves_the_dashboard_at_once(make_contribution):
    row = make_contribution(source="idea", source_id=4242, event="")
    before = selectors.dashboard_figures()["total"]
    services.remove_contribution("idea", 4242)
    assert selectors.dashboard_figures()["total"] == before - 1
    assert not type(row).objects.filter(pk=row.pk).exists()
