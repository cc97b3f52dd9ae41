"""Consultations on the draft: opening them, annotations anchored to paragraphs, supports, replies, amendments."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from core import follows
from core.models import Notification
from serving.rest import Conflict
from strategy import consultations, services
from strategy.models import Annotation, Contribution, ContributionSection
from tests.conftest import client_for
from tests.factories import MembershipFactory, UnverifiedUserFactory, UserFactory
from tests.strategy.factories import ChapterFactory, SectionFactory

BODY = (
    "Le Plan vélo prévoit un réseau continu de pistes cyclables.\n\n"
    "Les rues scolaires sont fermées aux voitures aux heures d'entrée. Elles deviennent des cours.\n\n"
    "Chaque arrondissement aura un parking vélo sécurisé."
)


@pytest.fixture
def section(db, referent):
    return SectionFactory(chapter=ChapterFactory(), slug="mobilite-velo", title="Une ville cyclable", body=BODY)


@pytest.fixture
def consultation(section, team_member):
    now = timezone.now()
    return consultations.open_consultation(
        team_member,
        title="Consultation d'automne",
        starts_at=now - datetime.timedelta(hours=1),
        ends_at=now + datetime.timedelta(days=30),
        sections=[section.slug],
        questions={section.slug: "Faut-il aller plus loin ?"},
    )


def _annotate(section, user, **kwargs):
    data = {"quote": "Chaque arrondissement aura un parking vélo sécurisé.", "body": "Oui !"} | kwargs
    return consultations.annotate(section, user, **data)


def test_paragraphs_are_blocks_separated_by_blank_lines():
    paras = consultations.paragraphs("Un.\n\n\nDeux\nsuite.\n  \nTrois.")
    assert [p.text for p in paras] == ["Un.", "Deux\nsuite.", "Trois."]
    assert [p.index for p in paras] == [0, 1, 2]


def test_only_the_team_opens_a_consultation_and_followers_are_told(section, resident, team_member):
    follows.follow(resident, section)
    with pytest.raises(PermissionDenied):
        consultations.open_consultation(
            resident, title="x", starts_at=timezone.now(), ends_at=timezone.now() + datetime.timedelta(days=1)
        )
    with pytest.raises(ValidationError) as e:
        consultations.open_consultation(
            team_member, title="x", starts_at=timezone.now(), ends_at=timezone.now() - datetime.timedelta(days=1)
        )
    assert "ends_at" in e.value.message_dict
    now = timezone.now()
    consultations.open_consultation(
        team_member, title="Avis", starts_at=now, ends_at=now + datetime.timedelta(days=3), sections=[section.slug]
    )
    assert Notification.objects.filter(recipient=resident, kind="follow.news").count() == 1


def test_annotation_outside_a_consultation_is_refused(section, resident):
    with pytest.raises(PermissionDenied, match="aucune consultation"):
        _annotate(section, resident)


def test_unverified_accounts_cannot_annotate_but_organisation_members_can(section, consultation):
    with pytest.raises(PermissionDenied):
        _annotate(section, UnverifiedUserFactory())
    member = MembershipFactory(user=UnverifiedUserFactory(email="asso@example.org")).user
    assert _annotate(section, member).pk


def test_an_annotation_is_a_contribution_assigned_to_the_theme_referent(section, consultation, resident, referent):
    annotation = _annotate(section, resident, kind="amendment", replacement="Chaque quartier aura un parking vélo.")
    assert annotation.paragraph == 2
    c = Contribution.objects.get(source="annotation", source_id=annotation.pk)
    assert c.assigned_to == referent
    assert c.author == resident
    assert "Chaque quartier" in c.text


def test_a_quote_not_in_the_text_and_an_amendment_without_text_are_refused(section, consultation, resident):
    with pytest.raises(ValidationError) as e:
        _annotate(section, resident, quote="Ce passage n'existe pas.")
    assert "quote" in e.value.message_dict
    with pytest.raises(ValidationError) as e:
        _annotate(section, resident, kind="amendment", replacement="")
    assert "replacement" in e.value.message_dict


def test_a_sentence_is_anchored_to_its_paragraph(section, consultation, resident):
    a = _annotate(section, resident, quote="Elles deviennent des cours.")
    assert a.paragraph == 1


def test_annotations_follow_their_paragraph_when_other_paragraphs_change(section, consultation, resident, referent):
    kept = _annotate(section, resident)
    changed = _annotate(section, resident, quote="Le Plan vélo prévoit un réseau continu de pistes cyclables.")
    new_body = "Un nouveau paragraphe d'introduction.\n\n" + BODY.replace("réseau continu", "réseau express")
    services.edit_section(section, referent, new_body, section.revision)
    section.refresh_from_db()
    rows = consultations.annotated_paragraphs(section)
    kept.refresh_from_db()
    changed.refresh_from_db()
    assert (kept.paragraph, kept.is_outdated) == (3, False)
    assert (changed.paragraph, changed.is_outdated) == (1, True)
    assert [a.pk for a in rows[3].annotations] == [kept.pk]


def test_support_once_per_account_and_withdraw(section, consultation, resident):
    a = _annotate(section, resident)
    other = UserFactory()
    assert consultations.support(other, a) is True
    assert consultations.support(other, a) is False
    a.refresh_from_db()
    assert a.supporters_count == 1
    assert consultations.unsupport(other, a) is True
    a.refresh_from_db()
    assert a.supporters_count == 0


def test_reply(section, consultation, resident):
    a = _annotate(section, resident)
    r = consultations.reply(UserFactory(), a, "  D'accord.  ")
    assert r.body == "D'accord."
    with pytest.raises(ValidationError):
        consultations.reply(resident, a, " ")


def test_accepting_an_amendment_edits_the_draft_and_links_the_contribution(
    section, consultation, resident, referent, team_member
):
    a = _annotate(section, resident, kind="amendment", replacement="Chaque quartier aura un parking vélo.")
    consultations.accept_amendment(referent, a, section.revision)
    section.refresh_from_db()
    assert "Chaque quartier aura un parking vélo." in section.body
    assert "Le Plan vélo prévoit" in section.body
    c = Contribution.objects.get(source="annotation", source_id=a.pk)
    assert c.status == "retained"
    assert ContributionSection.objects.filter(contribution=c, section=section, version__isnull=True).exists()
    version = services.publish_version(team_member, "Amendements de la consultation.")
    c.refresh_from_db()
    assert c.status == "integrated"
    assert c.links.get().version == version


def test_accepting_on_a_stale_revision_is_a_conflict_and_changes_nothing(section, consultation, resident, referent):
    a = _annotate(section, resident, kind="amendment", replacement="Autre texte.")
    stale = section.revision
    services.edit_section(section, referent, BODY + "\n\nUn ajout.", stale)
    with pytest.raises(Conflict):
        consultations.accept_amendment(referent, a, stale)
    a.refresh_from_db()
    assert a.accepted_at is None
    assert not ContributionSection.objects.exists()


def test_page_lists_paragraphs_with_their_annotations_and_a_form(client, section, consultation, resident):
    a = _annotate(section, resident)
    client.force_login(resident)
    response = client.get(reverse("strategy:consultation-section", args=[section.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('name="paragraph"') == 3
    assert f'id="annotation-{a.pk}"' in html
    assert "Faut-il aller plus loin ?" in html


def test_page_form_annotates_a_paragraph_without_javascript(client, section, consultation, resident):
    client.force_login(resident)
    url = reverse("strategy:consultation-section", args=[section.slug])
    response = client.post(url, {"paragraph": "1", "quote": "", "kind": "comment", "stance": "for", "body": "Bien."})
    assert response.status_code == 302
    a = Annotation.objects.get()
    assert (a.paragraph, a.stance) == (1, "for")
    assert a.quote.startswith("Les rues scolaires")
    bad = client.post(url, {"paragraph": "1", "kind": "amendment", "stance": "for", "body": ""})
    assert bad.status_code == 400


def test_page_query_count_does_not_grow_with_annotations(
    client, section, consultation, resident, django_assert_max_num_queries
):
    for i in range(3):
        _annotate(section, UserFactory(), body=f"Avis {i}")
    url = reverse("strategy:consultation-section", args=[section.slug])
    client.get(url)
    with django_assert_max_num_queries(12) as first:
        client.get(url)
    for i in range(10):
        a = _annotate(section, UserFactory(), body=f"Encore {i}")
        consultations.reply(resident, a, "Réponse")
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(url)


def test_api_annotations(section, consultation, resident, api_client):
    url = reverse("api-strategy-annotations", args=[section.slug])
    assert api_client.post(url, {"quote": "x", "body": "y"}, format="json").status_code in (401, 403)
    client = client_for(resident)
    response = client.post(
        url,
        {"quote": "Chaque arrondissement aura un parking vélo sécurisé.", "body": "Oui", "kind": "comment"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["paragraph"] == 2
    listed = client.get(url).json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == response.json()["id"]
    assert client.get(url, {"paragraph": "1"}).json()["count"] == 0
    assert client.get(url, {"paragraph": "x"}).status_code == 400
    bad = client.post(url, {"quote": "absent", "body": "y"}, format="json")
    assert bad.status_code == 400


def test_api_refuses_outside_a_consultation_with_a_message(section, resident):
    response = client_for(resident).post(
        reverse("api-strategy-annotations", args=[section.slug]), {"quote": "x", "body": "y"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["detail"]


def test_team_page_opens_and_closes_a_consultation(client, section, team_member):
    client.force_login(team_member)
    url = reverse("strategy:consultations")
    assert client.get(url).status_code == 200
    today = timezone.localdate()
    response = client.post(
        url,
        {
            "title": "Printemps",
            "starts_at": today.isoformat(),
            "ends_at": (today + datetime.timedelta(days=10)).isoformat(),
            "sections": [section.slug],
        },
    )
    assert response.status_code == 302
    assert consultations.consultation_item(section) is not None
    c = section.consultations.get()
    client.post(reverse("strategy:consultation-close", args=[c.pk]))
    assert consultations.consultation_item(section) is None


def test_home_page_announces_an_open_consultation(client, consultation):
    html = client.get("/").content.decode()
    assert "Consultation d&#x27;automne" in html
    assert reverse("strategy:consultation-section", args=["mobilite-velo"]) in html


def test_section_page_shows_the_most_supported_annotations_and_links_to_all(client, section, consultation, monkeypatch):
    monkeypatch.setattr(consultations, "PER_PARAGRAPH", 2)
    monkeypatch.setattr(consultations, "PARAGRAPH_PAGE", 2)
    made = [_annotate(section, UserFactory(), body=f"Avis {i}") for i in range(5)]
    Annotation.objects.filter(pk=made[3].pk).update(supporters_count=9)
    url = reverse("strategy:consultation-section", args=[section.slug])
    html = client.get(url).content.decode()
    assert f'id="annotation-{made[3].pk}"' in html and f'id="annotation-{made[4].pk}"' not in html
    assert "?paragraphe=2#paragraphe-2" in html
    first = client.get(url, {"paragraphe": "2"}).content.decode()
    assert first.count('class="annotation"') == 2 and "page=2" in first
    last = client.get(url, {"paragraphe": "2", "page": "3"}).content.decode()
    assert last.count('class="annotation"') == 1


def test_a_reworded_paragraph_keeps_its_annotations_by_their_words():
    old = "Premier paragraphe sur les pistes.\n\nLes rues scolaires sont fermées aux voitures aux heures d'entrée."
    para = consultations.paragraphs(old)[1]
    new = (
        "Un ajout au début.\n\nPremier paragraphe sur les pistes.\n\n"
        "Les rues scolaires sont fermées aux voitures aux heures d'entrée et de sortie."
    )
    anchorer = consultations.Anchorer(new)
    assert anchorer.place(para.fingerprint, para.text, 1) == (2, True)
    first = consultations.paragraphs(old)[0]
    assert anchorer.place(first.fingerprint, first.text, 0) == (1, False)
    gone = consultations.Anchorer("Tout a été réécrit.\n\nRien ne reste.")
    assert gone.place(para.fingerprint, para.text, 1) == (1, True)


def test_accepted_amendments_are_credited_in_the_notes_of_the_version_that_integrates_them(
    client, api_client, section, consultation, resident, referent, team_member
):
    resident.display_name = "Léa Martin"
    resident.save(update_fields=["display_name"])
    accepted = _annotate(section, resident, kind="amendment", replacement="Chaque quartier aura un parking vélo.")
    _annotate(
        section, UserFactory(display_name="Paul Refusé"), kind="amendment", replacement="Rien.", quote="Le Plan vélo"
    )  # proposed, never accepted: not credited
    consultations.accept_amendment(referent, accepted, section.revision)
    version = services.publish_version(team_member, "Amendements de la consultation.")
    page = client.get(reverse("strategy:version", args=[version.number])).content.decode()
    notes = page[page.index('id="summary-title"') : page.index('class="chapter"')]
    assert "Amendement d’habitant·es retenu dans cette version" in notes
    assert "Dans «\u00a0Une ville cyclable\u00a0»\u00a0:" in notes
    assert "Chaque quartier aura un parking vélo." in notes and "proposé par Léa Martin" in notes
    assert "Paul Refusé" not in page
    markdown = client.get(reverse("strategy:export-md", args=[version.number])).content.decode()
    assert (
        "«\u00a0Chaque arrondissement aura un parking vélo sécurisé.\u00a0» → «\u00a0Chaque quartier aura un parking "
        "vélo.\u00a0»"
    ) in markdown
    assert "proposé par Léa Martin" in markdown
    api = api_client.get(f"/api/v1/strategy/versions/{version.number}/").json()
    assert api["amendments"] == [
        {
            "section": "Une ville cyclable",
            "quote": "Chaque arrondissement aura un parking vélo sécurisé.",
            "replacement": "Chaque quartier aura un parking vélo.",
            "author": "Léa Martin",
        }
    ]
    # The next version does not credit it again.
    section.refresh_from_db()
    services.edit_section(section, referent, section.body + "\n\nUn ajout.", section.revision)
    later = services.publish_version(team_member, "Un ajout.")
    assert "Léa Martin" not in client.get(reverse("strategy:version", args=[later.number])).content.decode()


def test_a_sentence_chosen_in_the_list_anchors_the_annotation_to_it(client, section, consultation, resident):
    client.force_login(resident)
    url = reverse("strategy:consultation-section", args=[section.slug])
    html = client.get(url).content.decode()
    # The second paragraph has two sentences: the form lists them (the keyboard and no-script way to choose one).
    assert 'id="sentence-1"' in html and 'id="sentence-0"' not in html
    assert "Phrase 2\u00a0: Elles deviennent des cours." in html
    assert "data-sentences=" in html and "strategy/js/annotate.mjs" in html
    response = client.post(
        url, {"paragraph": "1", "sentence": "1", "quote": "", "kind": "comment", "stance": "for", "body": "Oui."}
    )
    assert response.status_code == 302
    a = Annotation.objects.get()
    assert (a.paragraph, a.quote) == (1, "Elles deviennent des cours.")
    bad = client.post(url, {"paragraph": "1", "sentence": "7", "kind": "comment", "stance": "for", "body": "Non."})
    assert bad.status_code == 400
    assert "Phrase inconnue" in bad.content.decode() and Annotation.objects.count() == 1


def test_api_annotates_a_sentence_by_its_number(section, consultation, resident, api_client):
    api_client.force_authenticate(resident)
    url = reverse("api-strategy-annotations", args=[section.slug])
    response = api_client.post(url, {"paragraph": 1, "sentence": 0, "body": "Bien."}, format="json")
    assert response.status_code == 201
    assert response.json()["quote"] == "Les rues scolaires sont fermées aux voitures aux heures d'entrée."
    assert api_client.post(url, {"paragraph": 1, "sentence": 9, "body": "x"}, format="json").status_code == 400


def test_the_page_of_an_integrated_amendment_shows_what_the_version_changed(
    client, section, consultation, resident, referent, team_member
):
    services.publish_version(team_member, "Première version.")
    a = _annotate(section, resident, kind="amendment", replacement="Chaque quartier aura un parking vélo.")
    consultations.accept_amendment(referent, a, section.revision)
    services.publish_version(team_member, "Amendements.")
    c = Contribution.objects.get(source="annotation", source_id=a.pk)
    html = client.get(reverse("strategy:contribution", args=[c.pk])).content.decode()
    assert "intégré dans la version 2" in html
    assert "Ce que la version 2 a changé (par rapport à la version 1)" in html
    assert '<ins><span class="visually-hidden">[ajouté\u00a0:] </span>quartier' in html
    assert "?from=1&amp;to=2" in html


@pytest.mark.parametrize("junk", ["abc", "-1", "1.5", "99999999999999999999999", " ", "١"])
def test_a_junk_sentence_number_is_a_clear_400_that_saves_nothing(client, section, consultation, resident, junk):
    client.force_login(resident)
    url = reverse("strategy:consultation-section", args=[section.slug])
    response = client.post(url, {"paragraph": "1", "sentence": junk, "kind": "comment", "body": "Oui."})
    if junk == " ":  # blank: no sentence chosen, the whole paragraph
        assert response.status_code == 302
        return
    assert response.status_code == 400 and "Phrase inconnue" in response.content.decode()
    assert not Annotation.objects.exists()
