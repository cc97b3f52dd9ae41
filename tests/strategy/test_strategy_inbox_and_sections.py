"""What the strategy answers, third part: the frame of the arrondissement map, the inbox filters and its search order,
the groups of similar contributions, the comments under a section, the inbox copy of a source object, who may edit a
section and how long its text may be, the live inbox messages, the bulk sync's assignments and the notices of an
integration (each test pins a behaviour a mutation-testing run showed no other test held)."""

import dataclasses
import datetime
import logging
from io import StringIO

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib.auth.models import AnonymousUser
from django.contrib.gis.db.models import Extent
from django.contrib.gis.db.models.functions import Transform
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import QueryDict
from django.test import Client
from django.utils import timezone

from core import contributions as registry
from core.models import District, Notification, Theme
from strategy import selectors, services
from strategy.models import Contribution, SectionComment
from strategy.similarity import Reason
from tests.conftest import client_for
from tests.factories import TeamUserFactory, UserFactory, district, theme
from tests.polling import received
from tests.strategy.factories import ContributionFactory

CONTRIBUTIONS = "/api/v1/strategy/contributions/"
VIEWBOX_KEY = "strategy:district-viewbox:v1"


# --- The arrondissement map ---------------------------------------------------------------------------------------


@pytest.fixture
def no_cached_viewbox():
    cache.delete(VIEWBOX_KEY)
    yield
    cache.delete(VIEWBOX_KEY)


def test_the_dashboard_map_frames_every_arrondissement_with_200_metres_around_once_read(
    db, no_cached_viewbox, django_assert_num_queries
):
    """In Lambert-93 metres, y flipped as in the SVG paths; the frame is read once, then from the cache."""
    box = District.objects.annotate(l93=Transform("geometry", 2154)).aggregate(box=Extent("l93"))["box"]
    xmin, ymin, xmax, ymax = box
    expected = f"{xmin - 200:.0f} {-ymax - 200:.0f} {xmax - xmin + 400:.0f} {ymax - ymin + 400:.0f}"
    assert 10_000 < xmax - xmin < 20_000  # Paris is some 18 km wide, in metres
    html = Client().get("/strategie/tableau-de-bord/").content.decode()
    assert f'<svg class="choropleth" viewBox="{expected}"' in html
    with django_assert_num_queries(0):
        assert selectors.district_viewbox() == expected


def test_without_arrondissements_the_map_has_a_unit_frame(db, no_cached_viewbox):
    District.objects.all().delete()
    assert selectors.district_viewbox() == "0 0 100 100"


# --- The inbox ----------------------------------------------------------------------------------------------------


def test_the_inbox_orders_by_relevance_only_with_a_search(team_member):
    """sort=relevance puts the contribution that matches more of the searched words before a newer one that
    matches fewer; without a search it is the default order, newest first."""
    now = timezone.now()
    both = ContributionFactory(
        title="Une piste cyclable",
        text="Le long du canal.",
        support=1,
        created_at=now - datetime.timedelta(days=5),
    )
    one = ContributionFactory(title="Idée pour mon école", text="Une piste sûre.", support=0, created_at=now)
    unrelated = ContributionFactory(
        title="Bancs publics", text="", support=9, created_at=now - datetime.timedelta(days=1)
    )
    client = client_for(team_member)

    def ids(query):
        response = client.get(f"{CONTRIBUTIONS}?{query}")
        assert response.status_code == 200, response.content
        return [r["id"] for r in response.json()["results"]]

    assert ids("q=piste or canal&sort=relevance") == [both.pk, one.pk]
    assert ids("q=piste or canal") == ids("q=piste or canal&sort=recent") == [one.pk, both.pk]
    assert ids("q=piste or canal&sort=oldest") == [both.pk, one.pk]
    assert ids("sort=relevance") == ids("sort=") == [one.pk, unrelated.pk, both.pk]
    assert ids("sort=support") == [unrelated.pk, both.pk, one.pk]


def test_a_search_by_relevance_puts_a_title_match_before_a_text_match(team_member):
    in_title = ContributionFactory(title="Une piste cyclable", text="")
    in_text = ContributionFactory(title="Idée pour mon école", text="Une piste sûre.")
    response = client_for(team_member).get(f"{CONTRIBUTIONS}?q=piste&sort=relevance")
    assert [r["id"] for r in response.json()["results"]] == [in_title.pk, in_text.pk]


def test_every_bad_inbox_filter_is_named_with_its_reason_in_french(team_member):
    response = client_for(team_member).get(
        f"{CONTRIBUTIONS}?source=fax&status=perdu&district=0&date_from=hier&date_to=2026-13-01"
        "&min_support=-2&sort=populaire"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "source": ["Source inconnue."],
        "status": ["Statut inconnu."],
        "district": ["L'arrondissement est un nombre de 1 à 20."],
        "date_from": ["Indiquez une date au format AAAA-MM-JJ."],
        "date_to": ["Indiquez une date au format AAAA-MM-JJ."],
        "min_support": ["Le soutien minimal est un nombre entier."],
        "sort": ["Ordre de tri inconnu."],
    }


def test_the_inbox_filters_read_from_the_query_string(db):
    params = QueryDict(mutable=True)
    params.update(
        {
            "source": " comment ",
            "theme": " mobilite ",
            "district": " 20 ",
            "status": " reviewing ",
            "q": "  " + "v" * 250,
            "date_from": "2026-01-15",
            "date_to": "2026-02-01",
            "min_support": "0",
            "assigned": "me",
            "sort": "support",
        }
    )
    assert selectors.parse_filters(params) == selectors.InboxFilters(
        source="comment",
        theme="mobilite",
        district=20,
        status="reviewing",
        q="v" * 200,
        date_from=datetime.date(2026, 1, 15),
        date_to=datetime.date(2026, 2, 1),
        min_support=0,
        assigned="me",
        sort="support",
    )
    assert selectors.parse_filters(QueryDict("district=1&assigned=moi&sort=relevance")) == selectors.InboxFilters(
        district=1, sort="relevance"
    )
    assert selectors.parse_filters(QueryDict("")) == selectors.InboxFilters()


# --- Similar contributions ----------------------------------------------------------------------------------------


def _words(n, count):
    """`count` made-up words (6 letters, none a stopword, each its own stem) that only group `n` uses."""
    return [f"zq{chr(97 + n // 26)}{chr(97 + n % 26)}{'bcd'[k]}t" for k in range(count)]


def test_the_similar_page_shows_at_most_30_groups_the_largest_first(db):
    """31 groups: a trio created last comes first, then the pairs oldest first; the 31st group is left out.
    Each group says which words its members share; triaged or hidden look-alikes are not suggested."""
    pairs = []
    for n in range(30):
        title = " ".join(_words(n, 3))
        pairs.append([ContributionFactory(title=title, text="") for _ in range(2)])
    ContributionFactory(title=" ".join(_words(0, 3)), text="", status="retained")
    ContributionFactory(title=" ".join(_words(1, 3)), text="", is_public=False)
    trio_words = _words(30, 3)
    trio = [ContributionFactory(title=" ".join(trio_words), text="") for _ in range(3)]
    groups = selectors.similar_groups()
    assert len(groups) == 30
    assert [list(g) for g in groups] == [trio, *pairs[:29]]
    why = Reason(tuple(sorted(trio_words)), None)
    a, b, c = trio
    assert groups[0].reasons == [(b, a, why), (c, a, why), (c, b, why)]  # the newer of each pair first
    assert groups[1].reasons == [(pairs[0][1], pairs[0][0], Reason(tuple(sorted(_words(0, 3))), None))]


# --- Comments under a section -------------------------------------------------------------------------------------


def test_a_section_page_lists_only_its_own_visible_comments(sections, resident):
    shown = services.add_comment(sections[0], resident, "Et près des gares !", quote="un réseau continu")
    hidden = services.add_comment(sections[0], resident, "Propos déplacés")
    SectionComment.objects.filter(pk=hidden.pk).update(is_hidden=True)
    services.add_comment(sections[1], resident, "Et les rues aux écoles ?")
    html = Client().get("/strategie/sections/mobilite-velo/").content.decode()
    assert html.count('<li id="commentaire-') == 1
    assert f'<li id="commentaire-{shown.pk}">' in html
    assert "<blockquote>un réseau continu</blockquote>" in html and "<p>Et près des gares !</p>" in html
    assert "Camille Habitante" in html
    assert "Propos déplacés" not in html and "rues aux écoles ?" not in html
    assert list(selectors.visible_comments("mobilite-velo")) == [shown]


def test_a_comment_is_saved_trimmed_and_its_limits_are_told_in_french(sections, resident):
    comment = services.add_comment(sections[0], resident, "  Et près des gares !  ", quote="  un réseau continu ")
    assert (comment.body, comment.quote, comment.author, comment.section) == (
        "Et près des gares !",
        "un réseau continu",
        resident,
        sections[0],
    )
    at_most = services.add_comment(sections[0], resident, "b" * 5000, quote="q" * 1000)
    assert (len(at_most.body), len(at_most.quote)) == (5000, 1000)

    def refusal(body, quote=""):
        with pytest.raises(ValidationError) as exc:
            services.add_comment(sections[0], resident, body, quote=quote)
        return exc.value.message_dict

    assert refusal("   ") == {"body": ["Écrivez votre commentaire."]}
    assert refusal("b" * 5001) == {"body": ["Un commentaire ne doit pas dépasser 5 000 caractères."]}
    assert refusal("Bien.", quote="q" * 1001) == {"quote": ["Le passage cité ne doit pas dépasser 1 000 caractères."]}
    assert refusal(None, quote="q" * 1001) == {
        "body": ["Écrivez votre commentaire."],
        "quote": ["Le passage cité ne doit pas dépasser 1 000 caractères."],
    }
    assert SectionComment.objects.count() == 2


def test_who_may_not_comment_is_told_why(sections, unverified):
    for user, reason in [
        (unverified, "Confirmez d'abord votre adresse e-mail\u00a0: seuls les comptes vérifiés peuvent participer."),
        (AnonymousUser(), "Vous devez vous connecter pour faire cela."),
    ]:
        with pytest.raises(PermissionDenied) as exc:
            services.add_comment(sections[0], user, "Bonjour")
        assert str(exc.value) == reason
    assert not SectionComment.objects.exists()


# --- The inbox copy of a source object ----------------------------------------------------------------------------


def _data(**overrides):
    return registry.ContributionData(
        **{
            "source": "idea",
            "source_id": 4242,
            "title": "Des toits végétalisés",
            "text": "Sur les écoles.",
            "url": "/idees/4242/",
            "created_at": datetime.datetime(2026, 1, 15, 10, 0, tzinfo=datetime.UTC),
            **overrides,
        }
    )


def test_the_inbox_copy_keeps_what_the_source_says(resident):
    c = services.upsert_contribution(
        _data(theme="energie", district=12, support=7, author_id=resident.pk, url="/idees/4242/")
    )
    c.refresh_from_db()
    assert (c.source, c.source_id, c.title, c.text, c.url) == (
        "idea",
        4242,
        "Des toits végétalisés",
        "Sur les écoles.",
        "/idees/4242/",
    )
    assert (c.theme, c.district, c.support, c.author, c.is_public) == (
        theme("energie"),
        district(12),
        7,
        resident,
        True,
    )
    assert c.created_at == datetime.datetime(2026, 1, 15, 10, 0, tzinfo=datetime.UTC)


def test_the_inbox_copy_is_cut_to_size_and_fills_what_the_source_left_out(db):
    before = timezone.now()
    c = services.upsert_contribution(
        _data(
            source_id=4343,
            title="T" * 310,
            text=None,
            url="/idees/" + "u" * 400,
            created_at=None,
            theme="inconnu",
            district=42,
            support=-3,
        )
    )
    c.refresh_from_db()
    assert c.title == "T" * 299 + "…"
    assert c.url == ("/idees/" + "u" * 400)[:300]
    assert (c.text, c.theme, c.district, c.support, c.author) == ("", None, None, 0, None)
    assert before <= c.created_at <= timezone.now()
    no_link = services.upsert_contribution(_data(source_id=4444, url=None, theme=None, district=None))
    no_link.refresh_from_db()
    assert no_link.url == ""
    assert services.upsert_contribution(_data(source_id=4545, public=False)) is None


# --- Who may edit a section, and how long its text may be ---------------------------------------------------------


def test_a_refused_section_edit_says_why_in_french(sections, resident):
    with pytest.raises(PermissionDenied) as exc:
        services.edit_section(sections[0], resident, "Piraté", 1)
    assert str(exc.value) == "Seule l'équipe de la mission peut modifier la stratégie."
    energy = TeamUserFactory(email="referent-energie@paris.fr", display_name="Karim Benali")
    Theme.objects.filter(slug="energie").update(referent=energy)
    with pytest.raises(PermissionDenied) as exc:
        services.edit_section(sections[0], energy, "Piraté", 1)
    assert str(exc.value) == (
        "La section «\u00a0Une ville 100 % cyclable\u00a0» relève du thème «\u00a0Mobilité\u00a0»\u00a0: seul son "
        "référent (pas encore désigné) ou un coordinateur de la mission peut la modifier. Vous êtes référent d'un "
        "autre thème."
    )
    sections[0].refresh_from_db()
    assert (sections[0].body, sections[0].revision) == (
        "Le Plan vélo prévoit un réseau continu de pistes cyclables.",
        1,
    )


def test_a_section_text_may_have_100000_characters_not_one_more(sections, team_member):
    with pytest.raises(ValidationError) as exc:
        services.edit_section(sections[0], team_member, "x" * 100_001, 1)
    assert exc.value.message_dict == {"body": ["Le texte d'une section ne doit pas dépasser 100 000 caractères."]}
    section = services.edit_section(sections[0], team_member, "x" * 100_000, 1)
    assert (len(section.body), section.revision, section.updated_by) == (100_000, 2, team_member)


def test_a_section_edit_names_every_missing_part_and_trims_the_title(sections, team_member):
    with pytest.raises(ValidationError) as exc:
        services.edit_section(sections[0], team_member, None, "deux", title="   ")
    assert exc.value.message_dict == {
        "revision": ["Envoyez le numéro de révision que vous avez lu en dernier."],
        "body": ["Le texte de la section est obligatoire."],
        "title": ["Le titre ne peut pas être vide."],
    }
    section = services.edit_section(sections[0], team_member, "Un réseau continu.", "1", title="  " + "T" * 250)
    assert (section.title, section.body, section.revision) == ("T" * 200, "Un réseau continu.", 2)
    section = services.edit_section(sections[0], team_member, "Un réseau continu et sûr.", 2)
    assert (section.title, section.revision) == ("T" * 200, 3)


# --- Live inbox messages ------------------------------------------------------------------------------------------


def test_the_team_inbox_hears_each_triage_with_the_whole_row(team_member, django_capture_on_commit_callbacks):
    nowhere = ContributionFactory(title="Plus de bancs", theme=None, district=None, support=0)
    placed = ContributionFactory(title="Arceaux rue Oberkampf", district=district(11), support=4)
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(services.INBOX_GROUP, channel)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.triage(nowhere, team_member, status="reviewing")
            services.triage(placed, team_member, status="rejected", public_reason="Déjà prévu.")
        first = received(layer, channel)["message"]
        second = received(layer, channel)["message"]
    finally:
        async_to_sync(layer.group_discard)(services.INBOX_GROUP, channel)
    assert first == {
        "type": "contribution.updated",
        "id": nowhere.pk,
        "source": "offline",
        "source_id": None,
        "title": "Plus de bancs",
        "theme": None,
        "district": None,
        "status": "reviewing",
        "support": 0,
        "url": f"/strategie/contributions/{nowhere.pk}/",
    }
    assert second == {
        "type": "contribution.updated",
        "id": placed.pk,
        "source": "offline",
        "source_id": None,
        "title": "Arceaux rue Oberkampf",
        "theme": "mobilite",
        "district": 11,
        "status": "rejected",
        "support": 4,
        "url": f"/strategie/contributions/{placed.pk}/",
    }


# --- Bulk sync ----------------------------------------------------------------------------------------------------


def test_a_sync_gives_the_unassigned_rows_of_its_own_source_only_to_their_referent(sections, resident):
    comment = services.add_comment(sections[0], resident, "Et près des gares !")  # nobody is referent yet
    offline = ContributionFactory(title="Laissée sans responsable")
    Contribution.objects.create(source="comment", source_id=999_999, title="Commentaire disparu")
    nadia = TeamUserFactory(email="referente@paris.fr", display_name="Nadia Haddad")
    Theme.objects.filter(slug="mobilite").update(referent=nadia)

    out = StringIO()
    assert services.sync_source(registry.get_source("comment"), stdout=out) == (1, 1)
    assert out.getvalue() == "  comment: 1 synchronised"
    synced = Contribution.objects.get(source="comment")
    assert (synced.source_id, synced.assigned_to) == (comment.pk, nadia)
    offline.refresh_from_db()
    assert offline.assigned_to is None


# --- Notices of an integration ------------------------------------------------------------------------------------


@pytest.fixture
def comment_followers():
    """Give the comment source a follower list for the test (the real one has none): call with a function."""
    real = registry.get_source("comment")

    def use(followers):
        registry.register(dataclasses.replace(real, followers=followers))

    yield use
    registry.register(real)


def _integrate_a_comment(sections, team_member, author, title=None):
    comment = services.add_comment(sections[0], author, "Et près des gares !")
    c = Contribution.objects.get(source="comment", source_id=comment.pk)
    if title is not None:
        Contribution.objects.filter(pk=c.pk).update(title=title)
    services.triage(c, team_member, sections=["mobilite-velo"])
    services.publish_version(team_member, "Première version.")
    return c


def test_followers_of_an_integrated_contribution_are_told_so(sections, team_member, resident, comment_followers):
    follower = UserFactory(email="suiveuse@example.org")
    comment_followers(lambda comment: [follower, None, resident])
    title = "Des arceaux " + "vélo " * 40
    c = _integrate_a_comment(sections, team_member, resident, title=title)
    told = {n.recipient: n for n in Notification.objects.filter(kind="strategy.integrated")}
    assert set(told) == {resident, follower}
    body = "La version 1 de «\u00a0Paris intelligente et durable\u00a0» a été publiée\u00a0: Première version."
    assert (told[follower].title, told[follower].body, told[follower].url) == (
        f"Une contribution que vous suivez, «\u00a0{title[:120]}\u00a0», est intégrée dans la version 1 de la "
        "stratégie",
        body,
        f"/strategie/contributions/{c.pk}/",
    )
    assert (told[resident].title, told[resident].body, told[resident].url) == (
        f"Votre contribution «\u00a0{title[:120]}\u00a0» est intégrée dans la version 1 de la stratégie",
        body,
        f"/strategie/contributions/{c.pk}/",
    )


def test_a_failing_follower_list_is_logged_and_the_author_still_told(
    sections, team_member, resident, comment_followers, caplog
):
    def broken(comment):
        raise RuntimeError("followers table unavailable")

    comment_followers(broken)
    with caplog.at_level(logging.WARNING, logger="strategy.services"):
        c = _integrate_a_comment(sections, team_member, resident)
    source_id = c.source_id
    assert [r.getMessage() for r in caplog.records if r.name == "strategy.services"] == [
        f"Followers of comment {source_id} unavailable"
    ]
    assert list(Notification.objects.filter(kind="strategy.integrated").values_list("recipient", flat=True)) == [
        resident.pk
    ]
    c.refresh_from_db()
    assert c.status == "integrated"
