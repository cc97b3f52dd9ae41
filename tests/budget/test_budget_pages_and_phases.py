"""What the budget's pages show and in how many queries: a project's page (its pictures, public log and merged
projects), the ballot page before an arrondissement is chosen, the paper ballots page, and the refusals of a
picture that is not one (issue 19: survivors of a mutation run of budget's selectors and services)."""

import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from PIL import Image

from budget import selectors, services
from budget.models import PaperCount, Project, ProjectNote, ProjectPhoto
from tests.factories import ResidentFactory, TeamUserFactory

from .conftest import make_campaign, make_project
from .test_team import _png, _team_client

pytestmark = pytest.mark.django_db


def _page(client, url):
    """The page's text, with the thousands separators removed, and the number of queries it took."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    text = response.content.decode()
    for separator in ("\u202f", "\xa0"):
        text = text.replace(separator, " ")
    return text, len(queries)


# --- a project's page -----------------------------------------------------------------------------------------


def _merge(campaign, into, title, author=None):
    merged = make_project(campaign, "paris", 10_000, title)
    Project.objects.filter(pk=merged.pk).update(status="merged", merged_into=into, author=author)
    return merged


@pytest.fixture
def pages(team_member):
    """Two projects each with a merged project proposed by a resident: one with nothing else, one with a public log
    and pictures, and a third with three merged projects."""
    campaign = make_campaign(phase="study")
    bare = make_project(campaign, "paris", 100_000, "Un kiosque")
    _merge(campaign, bare, "Un kiosque à musique", ResidentFactory(display_name="Alix"))
    full = make_project(campaign, "paris", 200_000, "Des bancs")
    _merge(campaign, full, "Des bancs place Léon-Blum", ResidentFactory(display_name="Bastien"))
    ProjectNote.objects.create(project=full, text="Visite sur place\navec l'autrice.", author=team_member)
    ProjectNote.objects.create(project=full, text="Bancs posés.", kind="delivery", author=team_member)
    services.add_photo(team_member, full, _png(), "Le chantier")
    services.add_photo(team_member, full, _png())
    many = make_project(campaign, "paris", 300_000, "Des arbres")
    for name in ("Chloé", "Dara"):
        _merge(campaign, many, f"Des arbres ({name})", ResidentFactory(display_name=name))
    _merge(campaign, many, "Des arbres (sans auteur)")
    return bare, full, many


def test_a_projects_page_shows_its_log_pictures_and_merged_projects_in_the_same_queries(pages):
    bare, full, many = pages
    client = Client()
    client.get(bare.get_absolute_url())  # what is read once and cached (content types)
    bare_page, bare_queries = _page(client, bare.get_absolute_url())
    full_page, full_queries = _page(client, full.get_absolute_url())
    many_page, many_queries = _page(client, many.get_absolute_url())
    assert full_queries == bare_queries == many_queries

    assert "Journal public" not in bare_page and "<figure>" not in bare_page
    log = full_page.split("<h2>Journal public</h2>")[1].split("</ol>")[0]
    entries = re.findall(r'<li><span class="meta">[^<]* · ([^<]*)</span><br>(.*?)</li>', log)
    assert entries == [("Co-construction", "Visite sur place<br>avec l&#x27;autrice."), ("Réalisation", "Bancs posés.")]
    figures = re.findall(r'<figure><img src="[^"]+\.jpg" alt="([^"]*)"[^>]*>(.*?)</figure>', full_page)
    assert figures == [
        ("Le chantier", "<figcaption>Le chantier</figcaption>"),
        ("Photo du projet « Des bancs »", ""),
    ]
    merged = many_page.split("<h2>Projets regroupés dans celui-ci</h2>")[1].split("</ul>")[0]
    assert re.findall(r"<li><a [^>]*>([^<]*)</a>([^<]*)</li>", merged) == [
        ("Des arbres (Chloé)", " — proposé par Chloé"),
        ("Des arbres (Dara)", " — proposé par Dara"),
        ("Des arbres (sans auteur)", ""),
    ]
    assert "proposé par Bastien" in full_page and "Des bancs place Léon-Blum" in full_page


def test_a_merged_projects_page_links_the_project_it_joined(pages):
    bare, _full, _many = pages
    merged = Project.objects.get(merged_into=bare)
    alone = make_project(bare.campaign, "paris", 1_000, "Seul")
    client = Client()
    client.get(alone.get_absolute_url())  # what is read once and cached
    _alone_page, alone_queries = _page(client, alone.get_absolute_url())
    page, queries = _page(client, merged.get_absolute_url())
    assert queries == alone_queries
    joined = re.search(r"<dt>Regroupé avec</dt><dd><a href=\"([^\"]+)\">([^<]+)</a></dd>", page)
    assert joined.groups() == (bare.get_absolute_url(), "Un kiosque")
    assert "Journal public" not in page


# --- the ballot page before an arrondissement is chosen ---------------------------------------------------------


@pytest.fixture
def ballot_campaign():
    campaign = make_campaign(phase="vote")
    make_project(campaign, "paris", 300_000, "Des arbres")
    make_project(campaign, "paris", 100_000, "Bancs")
    make_project(campaign, "paris", 50_000, "Refusé", status="inadmissible")
    make_project(campaign, "paris", 50_000, "Pas encore étudié", status="submitted")
    make_project(campaign, 1, 50_000, "Kiosque du Louvre")
    make_project(campaign, 2, 70_000, "Jardin de la Bourse")
    return campaign


def _legends_and_titles(page):
    legends = re.findall(r"<legend>([^<]*)</legend>", page)
    titles = re.findall(r'<label for="p\d+">([^<]*) — ', page)
    return legends, titles


def test_the_ballot_page_shows_only_all_of_paris_until_an_arrondissement_is_chosen(ballot_campaign):
    url = f"/budget-participatif/{ballot_campaign.year}/vote/"
    page, _queries = _page(Client(), url)
    assert _legends_and_titles(page) == (["Tout Paris — enveloppe de 1 000 000 €"], ["Bancs", "Des arbres"])
    assert "Reste dans l'enveloppe : 1 000 000 €" in page

    page, _queries = _page(Client(), url + "?arrondissement=1")
    assert _legends_and_titles(page) == (
        ["1er arrondissement — enveloppe de 300 000 €", "Tout Paris — enveloppe de 1 000 000 €"],
        ["Kiosque du Louvre", "Bancs", "Des arbres"],
    )


def test_the_ballot_scopes_without_an_arrondissement_are_paris_alone_with_what_is_left(ballot_campaign):
    bancs = Project.objects.get(title="Bancs")
    kiosque = Project.objects.get(title="Kiosque du Louvre")
    scopes = selectors.scopes_with_projects(ballot_campaign, None, {bancs.pk, kiosque.pk})
    assert [(s.district_id, [p.title for p in s.open_projects], s.left, s.chosen_count) for s in scopes] == [
        (None, ["Bancs", "Des arbres"], 900_000, 1)
    ]
    scopes = selectors.scopes_with_projects(ballot_campaign, 1, {bancs.pk, kiosque.pk})
    assert [(s.district and s.district.number, [p.title for p in s.open_projects], s.left, s.chosen_count)
            for s in scopes] == [(1, ["Kiosque du Louvre"], 250_000, 1), (None, ["Bancs", "Des arbres"], 900_000, 1)]  # fmt: skip


# --- the paper ballots page -----------------------------------------------------------------------------------


def test_the_paper_page_lists_each_count_by_place_then_project_in_the_same_queries(team_member):
    campaign = make_campaign(phase="vote")
    second = TeamUserFactory(email="agent2@paris.fr", display_name="Agent Deux")
    zoo = make_project(campaign, "paris", 10_000, "Zoo")
    bancs = make_project(campaign, "paris", 10_000, "Bancs")
    arbres = make_project(campaign, "paris", 10_000, "Arbres")
    client = _team_client(team_member)
    url = f"/budget-participatif/{campaign.year}/bulletins-papier/"
    services.validate_paper_count(second, services.enter_paper_count(team_member, zoo, "Mairie du 4e", 12))
    client.get(url)  # what is read once and cached
    _page_one, one_count = _page(client, url)
    services.enter_paper_count(second, bancs, "Mairie du 11e", 7)
    services.enter_paper_count(team_member, arbres, "Mairie du 11e", 3)
    page, three_counts = _page(client, url)
    assert three_counts == one_count

    rows = re.findall(r'<tr><th scope="row">([^<]*)</th><td>([^<]*)</td><td>(\d+)</td><td>([^<]*) · [^<]*</td>\s*'
                      r"<td>(.*?)</td></tr>", page)  # fmt: skip
    assert [row[:4] for row in rows] == [
        ("Mairie du 11e", "Arbres", "3", team_member.public_name),
        ("Mairie du 11e", "Bancs", "7", "Agent Deux"),
        ("Mairie du 4e", "Zoo", "12", team_member.public_name),
    ]
    assert rows[0][4] == "En attente d'un second agent"
    count = PaperCount.objects.get(project=bancs)
    assert f'name="count" value="{count.pk}"' in rows[1][4]
    assert 'Valider<span class="visually-hidden">&nbsp;: Mairie du 11e, Bancs</span>' in rows[1][4]
    assert rows[2][4].startswith("Agent Deux · ")


# --- a picture that is not one --------------------------------------------------------------------------------


def _bmp():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, format="BMP")
    return SimpleUploadedFile("photo.bmp", buffer.getvalue(), content_type="image/bmp")


@pytest.mark.parametrize(
    ("upload", "sentence"),
    [
        (lambda: SimpleUploadedFile("photo.jpg", b"pas une image", content_type="image/jpeg"),
         "Ce fichier n'est pas une image."),
        (_bmp, "Envoyez une image JPEG, PNG, WebP ou GIF."),
        (lambda: SimpleUploadedFile("photo.jpg", b"0" * (5 * 1024 * 1024 + 1), content_type="image/jpeg"),
         "L'image doit peser 5 Mo au maximum."),
    ],
)  # fmt: skip
def test_a_picture_that_is_not_one_is_refused_on_the_photo_field_and_shown_on_the_page(team_member, upload, sentence):
    campaign = make_campaign(phase="study")
    project = make_project(campaign, "paris", 100_000, "Des bancs")
    with translation.override("fr"), pytest.raises(ValidationError) as error:
        services.add_photo(team_member, project, upload(), "Le chantier")
    assert error.value.message_dict == {"photo": [sentence]}
    response = _team_client(team_member).post(
        f"/budget-participatif/projets/{project.pk}/equipe/", {"action": "photo", "photo": upload()}
    )
    assert response.status_code == 400
    assert sentence.replace("'", "&#x27;") in response.content.decode()
    assert not ProjectPhoto.objects.exists()
