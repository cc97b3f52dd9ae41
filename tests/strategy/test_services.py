"""Business rules of the strategy: publication, triage, offline entry, assignment, merge, audit."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core import contributions as registry
from core.models import AuditLog, Notification
from serving.rest import Conflict
from strategy import services
from strategy.models import Contribution, ContributionSection, SectionComment, SectionVersion, Version
from tests.factories import UserFactory, district, theme
from tests.strategy.factories import ContributionFactory


def test_publish_snapshots_every_section_with_sanitised_html(sections, team_member):
    sections[0].body = "**Vélo** partout <script>alert(1)</script>"
    sections[0].save()
    version = services.publish_version(team_member, "Première version.")
    assert version.number == 1
    snapshot = SectionVersion.objects.get(version=version, slug="mobilite-velo")
    assert "<strong>Vélo</strong>" in snapshot.body_html
    assert "<script>" not in snapshot.body_html
    assert SectionVersion.objects.filter(version=version).count() == 2


def test_publish_refuses_when_nothing_changed(v1, team_member):
    with pytest.raises(ValidationError) as exc:
        services.publish_version(team_member, "Rien de neuf.")
    assert "summary" in exc.value.message_dict
    assert Version.objects.count() == 1


def test_publish_refuses_an_empty_summary(sections, team_member):
    with pytest.raises(ValidationError) as exc:
        services.publish_version(team_member, "   ")
    assert "summary" in exc.value.message_dict
    assert not Version.objects.exists()


def test_publish_is_team_only(sections, resident):
    with pytest.raises(PermissionDenied):
        services.publish_version(resident, "Tentative.")
    assert not Version.objects.exists()


def test_published_version_is_immutable(v1):
    v1.summary = "Réécrite"
    with pytest.raises(ValidationError):
        v1.save()


def test_version_numbers_are_unique_in_the_database(v1):
    with pytest.raises(IntegrityError), transaction.atomic():
        Version.objects.bulk_create([Version(number=1, summary="doublon")])


def test_publish_marks_linked_contributions_integrated_and_notifies_author(
    v1, sections, team_member, resident, django_capture_on_commit_callbacks
):
    contribution = ContributionFactory(author=resident, title="Arceaux devant les écoles")
    untouched = ContributionFactory(title="Autre sujet")
    services.triage(contribution, team_member, sections=["mobilite-velo"])
    contribution.refresh_from_db()
    assert contribution.status == "retained"
    services.edit_section(sections[0], team_member, "Des arceaux devant les écoles.", sections[0].revision)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        v2 = services.publish_version(team_member, "Stationnement vélo près des écoles.")
    contribution.refresh_from_db()
    untouched.refresh_from_db()
    assert contribution.status == "integrated"
    assert untouched.status == "new"
    assert ContributionSection.objects.get(contribution=contribution).version == v2
    notification = Notification.objects.get(recipient=resident, kind="strategy.integrated")
    assert "version 2" in notification.title
    assert notification.url == contribution.get_absolute_url()
    assert [m.to for m in mail.outbox] == [[resident.email]]
    assert AuditLog.objects.filter(action="strategy.publish_version").count() == 2


def test_links_made_after_a_version_wait_for_the_next_one(v1, sections, team_member):
    c = ContributionFactory()
    services.triage(c, team_member, sections=["mobilite-velo"])
    services.edit_section(sections[0], team_member, "Nouveau texte.", sections[0].revision)
    v2 = services.publish_version(team_member, "v2")
    later = ContributionFactory()
    services.triage(later, team_member, sections=["mobilite-velo"])
    assert ContributionSection.objects.get(contribution=later).version is None
    assert ContributionSection.objects.get(contribution=c).version == v2


def test_rejecting_requires_a_public_reason(contribution, team_member):
    with pytest.raises(ValidationError) as exc:
        services.triage(contribution, team_member, status="rejected")
    assert "public_reason" in exc.value.message_dict
    contribution.refresh_from_db()
    assert contribution.status == "new"
    services.triage(contribution, team_member, status="rejected", public_reason="Hors compétence de la Ville.")
    contribution.refresh_from_db()
    assert contribution.status == "rejected"
    assert AuditLog.objects.filter(action="strategy.triage", reason="Hors compétence de la Ville.").exists()


def test_database_refuses_a_rejection_without_reason(contribution):
    with pytest.raises(IntegrityError), transaction.atomic():
        Contribution.objects.filter(pk=contribution.pk).update(status="rejected", public_reason="")


def test_duplicate_needs_the_original(make_contribution, team_member):
    a, b = make_contribution(), make_contribution()
    with pytest.raises(ValidationError) as exc:
        services.triage(b, team_member, status="duplicate")
    assert "duplicate_of" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.triage(b, team_member, status="duplicate", duplicate_of=b.pk)
    services.triage(b, team_member, status="duplicate", duplicate_of=a.pk)
    b.refresh_from_db()
    assert b.duplicate_of == a


def test_linking_to_an_unknown_section_is_refused_and_nothing_changes(contribution, sections, team_member):
    with pytest.raises(ValidationError) as exc:
        services.triage(contribution, team_member, status="reviewing", sections=["mobilite-velo", "n-existe-pas"])
    assert "n-existe-pas" in str(exc.value.message_dict["sections"])
    contribution.refresh_from_db()
    assert contribution.status == "new"
    assert not ContributionSection.objects.exists()


def test_integrated_status_cannot_be_set_by_hand(contribution, team_member):
    with pytest.raises(ValidationError) as exc:
        services.triage(contribution, team_member, status="integrated")
    assert "status" in exc.value.message_dict


def test_bulk_triage_is_all_or_nothing(make_contribution, team_member):
    a, b = make_contribution(), make_contribution()
    assert services.bulk_triage([a.pk, b.pk], team_member, status="reviewing") == 2
    assert set(Contribution.objects.values_list("status", flat=True)) == {"reviewing"}
    with pytest.raises(ValidationError):
        services.bulk_triage([a.pk, b.pk], team_member, status="rejected")
    assert set(Contribution.objects.values_list("status", flat=True)) == {"reviewing"}


def test_offline_contribution_keeps_provenance_and_goes_to_the_referent(referent, team_member):
    c = services.add_offline_contribution(
        team_member,
        title="Sécuriser la place de la République",
        text="Conflits vélos-bus.",
        theme="mobilite",
        district=10,
        event="Marche exploratoire",
        event_date=timezone.localdate(),
        participants=19,
    )
    assert (c.source, c.event, c.participants, c.district.number) == ("offline", "Marche exploratoire", 19, 10)
    assert c.assigned_to == referent


def test_offline_contribution_rejects_future_dates_and_missing_event(team_member):
    with pytest.raises(ValidationError) as exc:
        services.add_offline_contribution(
            team_member,
            title="x",
            text="",
            event="",
            event_date=timezone.localdate() + timezone.timedelta(days=3),
        )
    assert {"event", "event_date"} <= set(exc.value.message_dict)
    assert not Contribution.objects.exists()


def test_merge_makes_the_others_duplicates_and_moves_links(make_contribution, sections, team_member):
    keep, other = make_contribution(), make_contribution()
    services.triage(other, team_member, sections=["mobilite-velo"])
    services.merge(keep, [other], team_member)
    other.refresh_from_db()
    assert other.status == "duplicate" and other.duplicate_of == keep
    assert ContributionSection.objects.filter(contribution=keep, section__slug="mobilite-velo").exists()


def test_similar_groups_find_close_titles_and_nearby_places(team_member):
    from strategy.selectors import similar_groups
    from tests.factories import HOTEL_DE_VILLE, REPUBLIQUE

    a = ContributionFactory(title="Plus d'arceaux vélo devant les écoles")
    b = ContributionFactory(title="Plus d'arceaux vélos devant l'école", source="offline")
    c = ContributionFactory(
        title="Banc public pour se reposer", text="Un banc pour se reposer.", location=HOTEL_DE_VILLE
    )
    d = ContributionFactory(title="Un banc à l'ombre", text="Se reposer sur un banc.", location=HOTEL_DE_VILLE.clone())
    lone = ContributionFactory(
        title="Bibliothèque ouverte le dimanche",
        text="Pour les étudiants.",
        theme=theme("culture"),
        location=REPUBLIQUE,
    )
    groups = [{x.pk for x in g} for g in similar_groups()]
    assert {a.pk, b.pk} in groups
    assert {c.pk, d.pk} in groups
    assert all(lone.pk not in g for g in groups)


def test_comment_is_a_contribution_and_hiding_it_leaves_the_inbox(sections, resident, referent):
    comment = services.add_comment(sections[0], resident, "Et près des écoles !", quote="près des gares")
    c = Contribution.objects.get(source="comment", source_id=comment.pk)
    assert c.author == resident
    assert c.assigned_to == referent  # theme of the section
    assert "près des gares" in c.text
    comment.is_hidden = True
    comment.save()
    c.refresh_from_db()
    assert not c.is_public
    comment.delete()
    assert not Contribution.objects.filter(source="comment").exists()


def test_unverified_accounts_cannot_comment(sections, unverified):
    with pytest.raises(PermissionDenied):
        services.add_comment(sections[0], unverified, "Bonjour")
    assert not SectionComment.objects.exists()


def test_stale_revision_is_a_conflict_and_keeps_the_text(sections, team_member):
    section = sections[0]
    services.edit_section(section, team_member, "Texte A", 1)
    with pytest.raises(Conflict):
        services.edit_section(section, team_member, "Texte B", 1)
    section.refresh_from_db()
    assert (section.body, section.revision) == ("Texte A", 2)


def test_outcome_provider_reports_status_version_and_sections_in_one_query(
    v1, sections, team_member, django_assert_num_queries
):
    c = ContributionFactory(source="comment", source_id=4242)
    other = ContributionFactory(source="comment", source_id=4243)
    services.triage(c, team_member, sections=["mobilite-velo", "mobilite-rues-enfants"])
    services.triage(other, team_member, status="rejected", public_reason="Déjà réalisé.")
    services.edit_section(sections[0], team_member, "Changé.", sections[0].revision)
    services.publish_version(team_member, "v2")
    with django_assert_num_queries(1):
        found = registry.outcomes("comment", [4242, 4243, 9999])
    assert found[4242].status == "integrated"
    assert found[4242].version == 2
    assert found[4242].sections == ("mobilite-velo",)  # the other section did not change in v2: its link waits
    assert found[4242].version_url == "/strategie/versions/2/"
    assert registry.outcome_fields(found[4242]) == {
        "strategy_status": "integrated",
        "strategy_version": 2,
        "strategy_sections": ["mobilite-velo"],
        "strategy_section_titles": ["Une ville 100 % cyclable"],
    }
    assert found[4243].public_reason == "Déjà réalisé."
    assert registry.outcome_fields(found[4243])["strategy_reason"] == "Déjà réalisé."
    assert 9999 not in found
    assert registry.outcome("comment", 9999).status == "new"


def test_district_stored_from_the_source(team_member):
    c = ContributionFactory(district=district(11))
    assert c.district.number == 11
    assert UserFactory  # factories importable
