"""What the strategy answers, word for word and figure for figure: the sentences the team and contributors read, the
dashboard's counts, the inbox filters, the latest changes of a version, notifications, live messages and the audit
log (each test pins a behaviour a mutation-testing run showed no other test held)."""

import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core import follows
from core.models import AuditLog, Notification
from mapvotes import services as map_services
from serving.rest import Conflict
from strategy import selectors, services
from strategy.models import Section
from tests.conftest import client_for
from tests.factories import TeamUserFactory, UserFactory, district
from tests.mapvotes.factories import ProposalFactory
from tests.polling import received
from tests.strategy.factories import ContributionFactory

PARIS = ZoneInfo("Europe/Paris")
CONTRIBUTIONS = "/api/v1/strategy/contributions/"


def by_key(rows):
    return {key: n for key, _label, n in rows}


def browser_for(user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def count_queries(call):
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries.captured_queries)


# --- The dashboard ------------------------------------------------------------------------------------------------


def test_the_dashboard_counts_this_months_contributions_per_source(db):
    """The month × source chart shows the real counts of each source, not zeros."""
    ContributionFactory()
    ContributionFactory()
    ContributionFactory(source="comment", source_id=1, event="")
    last_month = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    ContributionFactory(created_at=datetime.datetime.combine(last_month, datetime.time(12), tzinfo=PARIS))
    by_month = selectors.dashboard_figures()["by_month"]
    assert [month for month, _rows in by_month] == [last_month.replace(day=1), timezone.localdate().replace(day=1)]
    previous, this = (by_key(rows) for _month, rows in by_month)
    assert (this["offline"], this["comment"], this["idea"]) == (2, 1, 0)
    assert (previous["offline"], previous["comment"]) == (1, 0)
    assert sum(this.values()) + sum(previous.values()) == selectors.dashboard_figures()["total"] == 4


def test_the_dashboard_names_each_arrondissement_without_one_query_per_arrondissement(
    db, django_assert_max_num_queries
):
    """Twenty arrondissements, a handful of queries: each row reads its number and label from the one query."""
    ContributionFactory(district=district(11))
    ContributionFactory(district=district(1))
    with django_assert_max_num_queries(8):
        rows = selectors.dashboard_figures()["by_district"]
    assert [number for number, _label, _n in rows] == list(range(1, 21))
    assert rows[0] == (1, "1er\u00a0arr.", 1)
    assert rows[10] == (11, "11e\u00a0arr.", 1)
    assert rows[18] == (19, "19e\u00a0arr.", 0)


def test_a_triaged_contribution_tells_the_public_dashboard_live(
    contribution, team_member, django_capture_on_commit_callbacks
):
    """The public figures channel receives a "figures.changed" event naming the change, the source and the
    arrondissement (no title, no author)."""
    contribution.district = district(11)
    contribution.save(update_fields=["district"])
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(services.PUBLIC_GROUP, channel)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.triage(contribution, team_member, status="reviewing")
        message = received(layer, channel)["message"]
    finally:
        async_to_sync(layer.group_discard)(services.PUBLIC_GROUP, channel)
    assert message == {"type": "figures.changed", "change": "contribution.updated", "source": "offline", "district": 11}


# --- The inbox ----------------------------------------------------------------------------------------------------


@pytest.mark.filterwarnings("error::RuntimeWarning")  # a naive datetime in a query is a RuntimeWarning from Django
def test_the_inbox_dates_are_days_in_paris(team_member):
    """date_from=15 January starts at midnight in Paris (23:00 UTC the day before): a contribution made at 00:30
    that night is in, one made at 23:30 the evening before is out; date_to ends at midnight in Paris likewise."""
    night = ContributionFactory(created_at=datetime.datetime(2026, 1, 15, 0, 30, tzinfo=PARIS))
    evening = ContributionFactory(created_at=datetime.datetime(2026, 1, 14, 23, 30, tzinfo=PARIS))
    late = ContributionFactory(created_at=datetime.datetime(2026, 1, 15, 23, 30, tzinfo=PARIS))
    ContributionFactory(created_at=datetime.datetime(2026, 1, 16, 0, 30, tzinfo=PARIS))
    client = client_for(team_member)

    def ids(query):
        response = client.get(f"{CONTRIBUTIONS}?{query}")
        assert response.status_code == 200
        return {r["id"] for r in response.json()["results"]}

    assert ids("date_from=2026-01-15&date_to=2026-01-15") == {night.pk, late.pk}
    assert ids("date_to=2026-01-14") == {evening.pk}


def test_assigned_me_shows_only_the_contributions_assigned_to_me(referent, team_member):
    mine = ContributionFactory(assigned_to=team_member)
    hers = ContributionFactory(assigned_to=referent)
    nobodys = ContributionFactory(assigned_to=None)
    client = client_for(team_member)

    def ids(query):
        return {r["id"] for r in client.get(f"{CONTRIBUTIONS}?{query}").json()["results"]}

    assert ids("assigned=me") == {mine.pk}
    assert ids("") == ids("assigned=") == ids("assigned=moi") == {mine.pk, hers.pk, nobodys.pk}


@pytest.mark.parametrize("value", ["0", "21", "onze", "-3"])
def test_a_bad_arrondissement_filter_is_refused_in_french(team_member, value):
    response = client_for(team_member).get(f"{CONTRIBUTIONS}?district={value}")
    assert response.status_code == 400
    assert response.json()["errors"]["district"] == ["L'arrondissement est un nombre de 1 à 20."]


# --- The latest changes of a published version --------------------------------------------------------------------


def test_the_latest_changes_list_a_section_whose_text_changed_under_the_same_title(v1, sections, team_member):
    services.edit_section(sections[1], team_member, "Les rues des écoles deviennent piétonnes.", sections[1].revision)
    services.publish_version(team_member, "Rues aux écoles.")
    changes = selectors.latest_changes()
    assert (changes.version.number, changes.previous.number) == (2, 1)
    assert [s.slug for s in changes.changed] == ["mobilite-rues-enfants"]
    assert (changes.added, changes.removed) == ([], [])


def test_the_latest_changes_compare_only_the_last_two_versions(v1, sections, team_member):
    """A section changed in version 2 and left alone in version 3 is not listed as changed by version 3."""
    services.edit_section(sections[0], team_member, "Un réseau cyclable continu.", sections[0].revision)
    services.publish_version(team_member, "Vélo.")
    services.edit_section(sections[1], team_member, "Des rues piétonnes.", sections[1].revision)
    services.publish_version(team_member, "Écoles.")
    changes = selectors.latest_changes()
    assert (changes.version.number, changes.previous.number) == (3, 2)
    assert [s.slug for s in changes.changed] == ["mobilite-rues-enfants"]


# --- Publication --------------------------------------------------------------------------------------------------


def test_the_publication_preview_of_an_unchanged_draft_costs_two_queries(v1, django_assert_num_queries):
    """Nothing changed since version 1: no changed section to list, and no query to list them."""
    with django_assert_num_queries(2):
        changed, integrated, unchanged = selectors.publication_preview(v1)
    assert (changed, integrated, unchanged) == ([], [], [])


def test_the_author_of_an_integrated_contribution_reads_the_summary_of_the_version(v1, sections, team_member, resident):
    c = ContributionFactory(author=resident, title="Arceaux devant les écoles")
    services.triage(c, team_member, sections=["mobilite-velo"])
    services.edit_section(sections[0], team_member, "Des arceaux devant les écoles.", sections[0].revision)
    services.publish_version(team_member, "Stationnement vélo près des écoles.")
    notification = Notification.objects.get(recipient=resident, kind="strategy.integrated")
    assert notification.title == (
        "Votre contribution «\u00a0Arceaux devant les écoles\u00a0» est intégrée dans la version 2 de la stratégie"
    )
    assert notification.body == (
        "La version 2 de «\u00a0Paris intelligente et durable\u00a0» a été publiée\u00a0: "
        "Stationnement vélo près des écoles."
    )


def test_only_the_followers_of_a_section_that_changed_are_told_of_a_new_version(v1, sections, team_member):
    velo_fan = UserFactory(email="velo@example.org")
    school_parent = UserFactory(email="parent@example.org")
    follows.follow(velo_fan, sections[0])
    follows.follow(school_parent, sections[1])
    services.edit_section(sections[0], team_member, "Un réseau cyclable continu.", sections[0].revision)
    services.publish_version(team_member, "Réseau cyclable.")
    told = Notification.objects.filter(kind="follow.version")
    assert [(n.recipient, n.title) for n in told] == [
        (velo_fan, "«\u00a0Une ville 100 % cyclable\u00a0» change dans la version 2 de la stratégie")
    ]


# --- Triage and editing -------------------------------------------------------------------------------------------


def test_linking_unknown_sections_names_them_in_french(contribution, sections, team_member):
    with pytest.raises(ValidationError) as exc:
        services.triage(contribution, team_member, sections=["mobilite-velo", "n-existe-pas", "ni-celle-ci"])
    assert exc.value.message_dict == {"sections": ["Ces sections n'existent pas\u00a0: n-existe-pas, ni-celle-ci."]}


@pytest.mark.parametrize("revision", [None, "", "deux"])
def test_an_edit_without_a_revision_number_is_refused_in_french(sections, team_member, revision):
    with pytest.raises(ValidationError) as exc:
        services.edit_section(sections[0], team_member, "Nouveau texte.", revision)
    assert exc.value.message_dict == {"revision": ["Envoyez le numéro de révision que vous avez lu en dernier."]}
    sections[0].refresh_from_db()
    assert sections[0].revision == 1


CONFLICT = (
    "Cette section a été modifiée par {who} pendant que vous la modifiiez (vous aviez la révision {mine}, elle est "
    "maintenant à la révision {theirs}). Votre texte n'a pas été enregistré\u00a0: copiez-le, rechargez la section "
    "et appliquez à nouveau vos changements."
)


def test_a_conflict_with_an_unknown_editor_says_someone_else(sections, team_member):
    with pytest.raises(Conflict) as exc:
        services.edit_section(sections[0], team_member, "Mon texte.", 0)
    assert str(exc.value.detail) == CONFLICT.format(who="quelqu'un d'autre", mine=0, theirs=1)


def test_a_conflict_with_a_named_editor_names_them_and_their_revision(sections, team_member):
    other = TeamUserFactory(email="collegue@paris.fr", display_name="Inès Collègue")
    services.edit_section(sections[0], other, "Son texte.", 1)
    with pytest.raises(Conflict) as exc:
        services.edit_section(sections[0], team_member, "Mon texte.", 1)
    assert str(exc.value.detail) == CONFLICT.format(who="Inès Collègue", mine=1, theirs=2)


def test_a_conflict_on_a_section_deleted_meanwhile_has_no_revision_to_give(sections, team_member):
    Section.objects.filter(pk=sections[0].pk).delete()
    with pytest.raises(Conflict) as exc:
        services.edit_section(sections[0], team_member, "Mon texte.", 1)
    assert str(exc.value.detail) == CONFLICT.format(who="quelqu'un d'autre", mine=1, theirs="?")


def test_each_edit_is_in_the_audit_log_with_its_new_revision(sections, team_member):
    services.edit_section(sections[0], team_member, "Premier jet.", 1)
    services.edit_section(sections[0], team_member, "Second jet.", 2)
    entries = AuditLog.objects.filter(action="strategy.edit_section").order_by("pk")
    assert [(e.actor, e.object_id, e.data) for e in entries] == [
        (team_member, str(sections[0].pk), {"revision": 2}),
        (team_member, str(sections[0].pk), {"revision": 3}),
    ]


# --- Pages whose query count must not grow with their rows ------------------------------------------------------


def test_the_section_page_costs_the_same_with_one_or_five_linked_contributions(sections, team_member):
    def page():
        assert browser_for().get("/strategie/sections/mobilite-velo/").status_code == 200

    services.triage(ContributionFactory(district=district(4)), team_member, sections=["mobilite-velo"])
    one = count_queries(page)
    for n in range(4):
        services.triage(ContributionFactory(district=district(5 + n)), team_member, sections=["mobilite-velo"])
    assert count_queries(page) == one


def test_the_similar_contributions_page_costs_the_same_with_two_or_six_contributions(team_member):
    def page():
        response = browser_for(team_member).get("/strategie/equipe/similaires/")
        assert response.status_code == 200
        return response

    def pair(n):
        for _ in range(2):
            ContributionFactory(
                title=f"Arceaux vélo devant l'école élémentaire numéro {n}",
                text=f"Des arceaux vélo devant l'école élémentaire numéro {n}.",
                district=district(10 + n),
            )

    pair(1)
    one = count_queries(page)
    pair(2)
    pair(3)
    assert count_queries(page) == one
    assert page().content.decode().count('name="primary"') == 6


# --- The periodic repair of support figures -----------------------------------------------------------------------


def test_the_support_repair_writes_what_it_changed_per_source(resident):
    proposal = ProposalFactory()
    map_services.cast_vote(resident, proposal.pk, "for")  # on-commit refresh never runs in this test transaction
    out = StringIO()
    call_command("sync_contributions", "--support", "--source", "map", stdout=out)
    assert out.getvalue().strip().endswith("Support figures refreshed — map: 1 changed")
    assert services.refresh_support(keys=["map", "idea"]) == {"map": 0, "idea": 0}
