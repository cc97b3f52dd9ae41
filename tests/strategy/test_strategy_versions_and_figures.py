"""What readers and API clients see of the versions and figures of the strategy: the diff between two versions, the
home page's figures, what a personal-data export holds, and the live messages of a new or removed contribution
(received with a deadline, so that a message that never comes fails the test instead of hanging it)."""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.utils import timezone, translation

from core.spaces import spaces
from strategy import selectors, services
from strategy.models import Contribution
from tests.conftest import client_for
from tests.factories import district
from tests.polling import received
from tests.strategy.factories import ContributionFactory, SectionFactory

DIFF = "/api/v1/strategy/diff/"


# --- The diff between two versions --------------------------------------------------------------------------------


def test_the_diff_api_gives_each_changed_or_added_section_with_its_word_counts(v1, sections, team_member, api_client):
    services.edit_section(
        sections[0],
        team_member,
        "Le Plan vélo prévoit un réseau sûr de pistes cyclables.",
        sections[0].revision,
        title="Une ville cyclable",
    )
    SectionFactory(chapter=sections[0].chapter, slug="mobilite-bancs", title="Des bancs partout", body="Un banc.")
    services.publish_version(team_member, "Vélo et bancs.")
    response = api_client.get(f"{DIFF}?from=1&to=2")
    assert response.status_code == 200
    assert response.json() == {
        "from": 1,
        "to": 2,
        "sections": [  # the unchanged section is left out
            {
                "slug": "mobilite-velo",
                "title": "Une ville cyclable",
                "old_title": "Une ville 100 % cyclable",
                "state": "changed",
                "insertions": 1,
                "deletions": 1,
                "html": "Le Plan vélo prévoit un réseau "
                '<del><span class="visually-hidden">[supprimé\xa0:] </span>continu '
                '<span class="visually-hidden"> [fin de la suppression]</span></del>'
                '<ins><span class="visually-hidden">[ajouté\xa0:] </span>sûr '
                '<span class="visually-hidden"> [fin de l&#x27;ajout]</span></ins>de pistes cyclables.',
            },
            {
                "slug": "mobilite-bancs",
                "title": "Des bancs partout",
                "old_title": "",
                "state": "added",
                "insertions": 2,
                "deletions": 0,
                "html": '<ins><span class="visually-hidden">[ajouté\xa0:] </span>Un banc.'
                '<span class="visually-hidden"> [fin de l&#x27;ajout]</span></ins>',
            },
        ],
    }


def test_a_diff_between_unknown_versions_names_each_one_in_french(v1, api_client):
    missing = "Cette version n'existe pas."
    response = api_client.get(f"{DIFF}?from=7&to=1")
    assert response.status_code == 404
    assert response.json() == {"detail": missing, "errors": {"from": [missing]}}
    both = api_client.get(f"{DIFF}?from=7&to=8")
    assert both.json() == {"detail": missing, "errors": {"from": [missing], "to": [missing]}}
    malformed = api_client.get(f"{DIFF}?from=abc&to=1")
    assert malformed.status_code == 400
    assert malformed.json() == {"detail": "Certaines données sont invalides.", "errors": {"from": [missing]}}
    english = api_client.get(f"{DIFF}?from=7&to=1", HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["errors"] == {"from": ["This version does not exist."]}


# --- The home page ------------------------------------------------------------------------------------------------


def strategy_figures():
    (space,) = [s for s in spaces() if s.key == "strategy"]
    return [str(f) for f in space.figures()]


def test_the_home_page_says_no_version_yet_and_counts_public_contributions(db):
    assert strategy_figures() == ["aucune version publiée pour l&#x27;instant", "<strong>0</strong> contribution"]
    ContributionFactory()
    ContributionFactory(is_public=False)
    assert strategy_figures() == ["aucune version publiée pour l&#x27;instant", "<strong>1</strong> contribution"]


def test_the_home_page_names_the_version_in_force_and_counts_contributions(v1, sections, team_member):
    ContributionFactory()
    ContributionFactory()
    ContributionFactory(is_public=False)
    services.edit_section(sections[0], team_member, "Un réseau continu.", sections[0].revision)
    services.publish_version(team_member, "Deux.")
    assert strategy_figures() == ["version <strong>2</strong> en vigueur", "<strong>2</strong> contributions"]
    with translation.override("en"):
        assert strategy_figures() == ["version <strong>2</strong> in force", "<strong>2</strong> contributions"]


# --- Personal data ------------------------------------------------------------------------------------------------


def test_the_export_holds_the_accounts_comments_contributions_and_assignments(
    sections, resident, team_member, django_assert_num_queries
):
    first = services.add_comment(sections[1], resident, "Et devant les crèches ?", quote="fermées aux voitures")
    second = services.add_comment(sections[0], resident, "Des pistes larges, SVP.")
    services.add_comment(sections[0], team_member, "Merci pour vos retours.")
    ContributionFactory(author=resident, title="Atelier du 11e", status="retained")
    ContributionFactory(assigned_to=resident)
    ContributionFactory(assigned_to=resident)
    ContributionFactory(assigned_to=team_member)
    with django_assert_num_queries(3):  # one per part, however many comments (their sections come with them)
        exported = selectors.export_personal_data(resident)
    assert exported == {
        "section_comments": [  # oldest first
            {
                "section": "mobilite-rues-enfants",
                "quote": "fermées aux voitures",
                "body": "Et devant les crèches ?",
                "created_at": first.created_at.isoformat(),
            },
            {
                "section": "mobilite-velo",
                "quote": "",
                "body": "Des pistes larges, SVP.",
                "created_at": second.created_at.isoformat(),
            },
        ],
        "offline_and_synced_contributions": [  # newest first
            {"source": "offline", "source_id": None, "title": "Atelier du 11e", "status": "retained"},
            {
                "source": "comment",
                "source_id": second.pk,
                "title": "Une ville 100 % cyclable — Des pistes larges, SVP.",
                "status": "new",
            },
            {
                "source": "comment",
                "source_id": first.pk,
                "title": "Des rues aux écoles — Et devant les crèches ?",
                "status": "new",
            },
        ],
        "assigned_contributions": 2,
    }
    assert client_for(resident).get("/api/v1/me/export/").json()["strategy"] == {
        **exported,
        "annotations": [],
        "annotation_replies": [],
        "annotation_supports": [],
    }


# --- Live messages of the inbox -----------------------------------------------------------------------------------


def receive_all(groups, action):
    """Run `action` with its commit callbacks, then the one message each group received, within two seconds."""
    layer = get_channel_layer()
    channels = {group: async_to_sync(layer.new_channel)() for group in groups}
    for group, channel in channels.items():
        async_to_sync(layer.group_add)(group, channel)

    try:
        action()
        return {group: received(layer, channel, timeout=2)["message"] for group, channel in channels.items()}
    finally:
        for group, channel in channels.items():
            async_to_sync(layer.group_discard)(group, channel)


def test_a_new_contribution_is_announced_live_as_committed(team_member, django_capture_on_commit_callbacks):
    """The whole row to the team, the counts only to the public, as they are at commit (here placed in the 11th
    after its first save, in the same transaction, as a source does)."""

    def add():
        with django_capture_on_commit_callbacks(execute=True):
            c = services.add_offline_contribution(
                team_member,
                title="Des arceaux rue Oberkampf",
                text="",
                theme="mobilite",
                district=4,
                event="Atelier du 11e",
                event_date=timezone.localdate(),
                participants=12,
            )
            Contribution.objects.filter(pk=c.pk).update(district=district(11))

    messages = receive_all([services.INBOX_GROUP, services.PUBLIC_GROUP], add)
    c = Contribution.objects.get(title="Des arceaux rue Oberkampf")
    assert messages == {
        services.INBOX_GROUP: {
            "type": "contribution.created",
            "id": c.pk,
            "source": "offline",
            "source_id": None,
            "title": "Des arceaux rue Oberkampf",
            "theme": "mobilite",
            "district": 11,
            "status": "new",
            "support": 12,
            "url": f"/strategie/contributions/{c.pk}/",
        },
        services.PUBLIC_GROUP: {
            "type": "figures.changed",
            "change": "contribution.created",
            "source": "offline",
            "district": 11,
        },
    }


def test_a_removed_contribution_is_announced_live(db, django_capture_on_commit_callbacks):
    c = ContributionFactory(source="comment", source_id=41, title="Plus de bancs", district=district(4), support=3)

    def remove():
        with django_capture_on_commit_callbacks(execute=True):
            services.remove_contribution("comment", 41)

    messages = receive_all([services.INBOX_GROUP, services.PUBLIC_GROUP], remove)
    assert not Contribution.objects.filter(pk=c.pk).exists()
    assert messages == {
        services.INBOX_GROUP: {
            "type": "contribution.removed",
            "id": c.pk,
            "source": "comment",
            "source_id": 41,
            "title": "Plus de bancs",
            "theme": "mobilite",
            "district": 4,
            "status": "new",
            "support": 3,
            "url": f"/strategie/contributions/{c.pk}/",
        },
        services.PUBLIC_GROUP: {
            "type": "figures.changed",
            "change": "contribution.removed",
            "source": "comment",
            "district": 4,
        },
    }


def test_a_failing_live_announcement_leaves_the_new_contribution_saved_and_logged(
    team_member, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    """The announcement runs after the commit: its failure is logged, never raised to the one who saved the row."""

    def down(group, message):
        raise RuntimeError("channel layer down")

    monkeypatch.setattr(services, "publish", down)
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        c = services.add_offline_contribution(
            team_member, title="Un banc", text="", event="Courrier", event_date=timezone.localdate()
        )
    assert Contribution.objects.filter(pk=c.pk, title="Un banc").exists()
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and errors[0].endswith(".<locals>.send in on_commit() (channel layer down).")
