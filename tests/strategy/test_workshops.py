"""Offline workshops: recorded by the team, their contributions entered in bulk (rows or CSV), all or nothing."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from strategy import workshops
from strategy.models import Contribution


@pytest.fixture
def workshop(team_member):
    return workshops.record_workshop(
        team_member,
        title="Atelier mobilités",
        held_on=timezone.localdate() - datetime.timedelta(days=2),
        place="Mairie du 11e",
        participants="34",
        organiser="Mission ville intelligente",
    )


def test_only_the_team_records_a_workshop_with_its_facts(resident, team_member):
    with pytest.raises(PermissionDenied):
        workshops.record_workshop(resident, title="x", held_on=None, place="", participants=1, organiser="")
    with pytest.raises(ValidationError) as e:
        workshops.record_workshop(
            team_member,
            title="",
            held_on=timezone.localdate() + datetime.timedelta(days=1),
            place="",
            participants="zéro",
            organiser="",
        )
    assert set(e.value.message_dict) == {"title", "held_on", "place", "participants", "organiser"}


def test_rows_become_traced_offline_contributions(workshop, team_member, referent):
    rows = [
        {"title": "Plus de pistes", "text": "Rue de la Roquette", "theme": "mobilite", "district": "11"},
        {"title": "", "text": "", "theme": "", "district": ""},
        {"title": "Des bancs", "text": "", "theme": "", "district": ""},
    ]
    created = workshops.add_contributions(team_member, workshop, rows)
    assert len(created) == 2
    first = Contribution.objects.get(title="Plus de pistes")
    assert first.source == "offline"
    assert first.event == "Atelier mobilités — Mairie du 11e"
    assert first.participants == 34
    assert first.assigned_to == referent
    assert first.district.number == 11
    assert set(workshop.contributions.all()) == set(created)


def test_a_wrong_row_saves_nothing_and_names_its_line(workshop, team_member):
    rows = [
        {"title": "Bien", "theme": "mobilite"},
        {"title": "", "text": "sans titre"},
        {"title": "X", "district": "42"},
    ]
    with pytest.raises(workshops.RowErrors) as e:
        workshops.add_contributions(team_member, workshop, rows)
    assert [line for line, _err in e.value.errors] == [2, 3]
    assert not Contribution.objects.exists()


def test_csv_import_with_per_line_errors(workshop, team_member):
    good = "title;text;theme;district\nPlus de vélos;Texte;mobilite;4\nDes arbres;;;\n".encode()
    assert len(workshops.import_csv(team_member, workshop, SimpleUploadedFile("a.csv", good))) == 2
    bad = b"title,text,theme,district\nOk,,,\n,,inconnu,\n"
    with pytest.raises(workshops.RowErrors) as e:
        workshops.import_csv(team_member, workshop, SimpleUploadedFile("b.csv", bad))
    assert {line for line, _err in e.value.errors} == {3}
    with pytest.raises(workshops.RowErrors):
        workshops.import_csv(team_member, workshop, SimpleUploadedFile("c.csv", b"\xff\xfe nonsense"))
    with pytest.raises(workshops.RowErrors):
        workshops.import_csv(team_member, workshop, SimpleUploadedFile("d.csv", b"nom;texte\nx;y\n"))
    assert Contribution.objects.count() == 2


def test_workshop_pages(client, workshop, team_member, resident):
    client.force_login(resident)
    assert client.get(reverse("strategy:workshops")).status_code == 403
    client.force_login(team_member)
    assert client.get(reverse("strategy:workshops")).status_code == 200
    url = reverse("strategy:workshop", args=[workshop.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"title-0": "Une idée", "text-0": "", "theme-0": "", "district-0": "", "title-1": ""})
    assert response.status_code == 302
    bad = client.post(url, {"title-0": "", "text-0": "sans titre", "theme-0": "", "district-0": "99"})
    assert bad.status_code == 400
    assert "Ligne 1" in bad.content.decode() or "Line 1" in bad.content.decode()
    upload = SimpleUploadedFile("e.csv", b"title\nVia CSV\n", content_type="text/csv")
    assert client.post(url, {"csv": upload}).status_code == 302
    assert workshop.contributions.count() == 2
