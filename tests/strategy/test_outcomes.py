"""Outcomes that never overstate: a version integrates only what it changed or what the team confirms."""

import re

import pytest
from django.core.exceptions import ValidationError

from core import contributions as registry
from strategy import selectors, services
from strategy.models import Contribution, ContributionSection
from tests.conftest import client_for
from tests.strategy.factories import ContributionFactory


def _edit(section, user, body):
    section.refresh_from_db()
    services.edit_section(section, user, body, section.revision)


def _linked(team_member, slug, **kwargs):
    c = ContributionFactory(**kwargs)
    services.triage(c, team_member, sections=[slug])
    c.refresh_from_db()
    return c


def test_a_contribution_linked_to_an_unchanged_section_is_not_integrated(v1, sections, team_member):
    on_a = _linked(team_member, "mobilite-rues-enfants")
    on_b = _linked(team_member, "mobilite-velo")
    _edit(sections[0], team_member, "Seule la section vélo change.")
    services.publish_version(team_member, "v2")
    on_a.refresh_from_db()
    on_b.refresh_from_db()
    assert on_a.status == "retained"
    assert on_b.status == "integrated"
    assert ContributionSection.objects.get(contribution=on_a).version is None  # it waits for a change of its section


def test_the_version_that_integrated_a_contribution_never_moves(v1, sections, team_member):
    c = _linked(team_member, "mobilite-velo", source="comment", source_id=77)
    _edit(sections[1], team_member, "Autre section.")
    services.publish_version(team_member, "v2")
    assert registry.outcome("comment", 77).status == "retained"
    _edit(sections[0], team_member, "La section de la contribution change.")
    services.publish_version(team_member, "v3")
    _edit(sections[0], team_member, "Elle change encore.")
    services.triage(c, team_member, sections=["mobilite-velo", "mobilite-rues-enfants"])
    _edit(sections[1], team_member, "Et l'autre aussi.")
    services.publish_version(team_member, "v4")
    outcome = registry.outcome("comment", 77)
    assert outcome.status == "integrated"
    assert outcome.version == 3
    assert outcome.version_url == "/strategie/versions/3/"


def test_the_team_confirms_a_contribution_of_an_unchanged_section(v1, sections, team_member):
    kept = _linked(team_member, "mobilite-rues-enfants")
    confirmed = _linked(team_member, "mobilite-rues-enfants")
    _edit(sections[0], team_member, "Vélo.")
    services.publish_version(team_member, "v2", confirm=[confirmed.pk])
    assert Contribution.objects.get(pk=kept.pk).status == "retained"
    assert Contribution.objects.get(pk=confirmed.pk).status == "integrated"


def test_confirming_a_contribution_without_a_waiting_link_is_refused(v1, sections, team_member):
    loose = ContributionFactory()
    _edit(sections[0], team_member, "Vélo.")
    with pytest.raises(ValidationError) as exc:
        services.publish_version(team_member, "v2", confirm=[loose.pk, 999999])
    assert "confirm" in exc.value.message_dict
    assert selectors.current_version().number == 1


def test_publish_api_accepts_confirm_and_refuses_unknown_ids_in_french(v1, sections, team_member):
    c = _linked(team_member, "mobilite-rues-enfants")
    _edit(sections[0], team_member, "Vélo.")
    client = client_for(team_member)
    for bad in (["x"], [12345678], "3"):
        response = client.post("/api/v1/strategy/versions/", {"summary": "v2", "confirm": bad}, format="json")
        assert response.status_code == 400, bad
        assert response.json()["errors"]["confirm"]
    refused = client.post("/api/v1/strategy/versions/", {"summary": "v2", "confirm": [12345678]}, format="json")
    assert "aucun lien en attente" in refused.json()["errors"]["confirm"][0]
    ok = client.post("/api/v1/strategy/versions/", {"summary": "v2", "confirm": [c.pk]}, format="json")
    assert ok.status_code == 201
    assert Contribution.objects.get(pk=c.pk).status == "integrated"


def test_publish_page_lists_what_will_be_integrated_and_asks_for_the_rest(v1, sections, team_member, client):
    will = _linked(team_member, "mobilite-velo", title="Arceaux devant les écoles")
    waits = _linked(team_member, "mobilite-rues-enfants", title="Rue aux enfants rue Vaugirard")
    _edit(sections[0], team_member, "Vélo.")
    client.force_login(team_member)
    html = client.get("/strategie/equipe/brouillon/").content.decode()
    assert "1 contribution sera marquée comme intégrée" in html
    assert "Arceaux devant les écoles" in html and "section modifiée\u00a0: Une ville 100 % cyclable" in html
    assert f'name="confirm" value="{waits.pk}"' in html
    assert "checked" not in html.split(f'value="{waits.pk}"')[1].split(">")[0]
    response = client.post("/strategie/equipe/brouillon/", {"summary": "v2"})
    assert response.status_code == 302
    assert Contribution.objects.get(pk=will.pk).status == "integrated"
    assert Contribution.objects.get(pk=waits.pk).status == "retained"


def test_publish_with_many_links_takes_a_constant_number_of_queries(
    v1, sections, team_member, django_assert_max_num_queries
):
    Contribution.objects.bulk_create(
        [Contribution(source="offline", title=f"Atelier {i}", status="retained") for i in range(300)]
    )
    ContributionSection.objects.bulk_create(
        ContributionSection(contribution=c, section=sections[i % 2]) for i, c in enumerate(Contribution.objects.all())
    )
    _edit(sections[0], team_member, "Vélo.")
    with django_assert_max_num_queries(40):
        services.publish_version(team_member, "v2")
    assert Contribution.objects.filter(status="integrated").count() == 150


def _outcome_text(html):
    block = html.split('class="strategy-outcome"')[1].split("</div>")[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", block.split(">", 1)[1])).strip()


def test_outcome_line_names_the_section_and_never_repeats_a_word(v1, sections, team_member, client):
    c = _linked(team_member, "mobilite-velo", public_reason="Repris dans le Plan vélo.")
    _edit(sections[0], team_member, "Vélo.")
    services.publish_version(team_member, "v2")
    html = client.get(f"/strategie/contributions/{c.pk}/").content.decode()
    text = _outcome_text(html)
    assert "intégré dans la version 2, section « Une ville 100 % cyclable »" in text
    assert "Repris dans le Plan vélo." in text
    words = text.lower().split()
    assert not [w for a, w in zip(words, words[1:], strict=False) if a == w and w.isalpha()], text


def test_outcome_shows_the_reason_of_a_retained_one_and_links_the_duplicate(sections, team_member, client):
    kept = ContributionFactory(title="Rue aux écoles")
    retained = ContributionFactory(source="comment", source_id=501)
    services.triage(retained, team_member, status="retained", public_reason="Sera étudié avec la voirie.")
    double = ContributionFactory(source="comment", source_id=502)
    services.triage(double, team_member, status="duplicate", duplicate_of=kept)
    assert registry.outcome("comment", 501).public_reason == "Sera étudié avec la voirie."
    duplicate = registry.outcome("comment", 502)
    assert duplicate.duplicate_url == f"/strategie/contributions/{kept.pk}/"
    html = client.get(f"/strategie/contributions/{double.pk}/").content.decode()
    assert f'href="/strategie/contributions/{kept.pk}/">Rue aux écoles</a>' in html
    html = client.get(f"/strategie/contributions/{retained.pk}/").content.decode()
    assert "Sera étudié avec la voirie." in _outcome_text(html)
