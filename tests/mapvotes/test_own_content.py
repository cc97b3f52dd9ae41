"""A resident's own content: edit or withdraw my proposal, edit or delete my comment, reply to a comment."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from core.models import Notification
from mapvotes import services
from mapvotes.models import Comment, Proposal, ProposalRevision, TimelineEvent
from tests.conftest import client_for
from tests.factories import UserFactory

from .factories import CommentFactory, ProposalFactory, VoteFactory

pytestmark = pytest.mark.django_db

LONG_TEXT = (
    "Sécuriser le passage des vélos devant l'école élémentaire de la rue, avec une piste séparée par des "
    "bordures, un plateau surélevé au carrefour et des arceaux de stationnement devant la grille."
)


@pytest.fixture
def author(db):
    return UserFactory(email="autrice@example.org", display_name="Inès Autrice")


@pytest.fixture
def mine(author):
    return ProposalFactory(author=author, title="Piste cyclable rue de Rivoli", description=LONG_TEXT)


@pytest.fixture
def voter(db):
    return UserFactory(email="votant@example.org")


def logged(user):
    client = Client()
    client.force_login(user)
    return client


def _user(request, who, author):
    if who == "anonymous":
        return AnonymousUser()
    if who == "author":
        return author
    return request.getfixturevalue(who)


# --- permissions: a matrix per rule ---------------------------------------------------------------------

WHO = ["anonymous", "resident", "author", "team_member"]


@pytest.mark.parametrize(
    ("who", "allowed"), [("anonymous", False), ("resident", False), ("author", True), ("team_member", False)]
)
@pytest.mark.parametrize("perm", ["change_proposal", "withdraw_proposal"])
def test_only_the_author_may_change_or_withdraw_an_open_proposal(request, author, mine, who, allowed, perm):
    assert _user(request, who, author).has_perm(f"mapvotes.{perm}", mine) is allowed


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize(
    "state",
    [{"status": "under_study"}, {"status": "retained"}, {"status": "withdrawn"}, {"is_hidden": True}],
)
def test_nobody_changes_a_proposal_once_decided_withdrawn_or_hidden(request, author, who, state):
    proposal = ProposalFactory(author=author, **state)
    user = _user(request, who, author)
    assert not user.has_perm("mapvotes.change_proposal", proposal)
    assert not user.has_perm("mapvotes.withdraw_proposal", proposal)


@pytest.mark.parametrize(
    ("who", "edit", "delete"),
    [
        ("anonymous", False, False),
        ("resident", False, False),
        ("author", True, True),
        ("team_member", False, False),  # the team hides; it does not rewrite residents' words
    ],
)
def test_comment_permission_matrix(request, author, mine, who, edit, delete):
    comment = CommentFactory(proposal=mine, author=author)
    user = _user(request, who, author)
    assert user.has_perm("mapvotes.change_comment", comment) is edit
    assert user.has_perm("mapvotes.delete_comment", comment) is delete


def test_author_may_delete_but_not_edit_a_hidden_comment_and_nothing_once_deleted(author, mine):
    hidden = CommentFactory(proposal=mine, author=author, is_hidden=True, hidden_reason="Hors sujet")
    assert not author.has_perm("mapvotes.change_comment", hidden)
    assert author.has_perm("mapvotes.delete_comment", hidden)
    services.delete_comment(author, hidden)
    hidden.refresh_from_db()
    assert not author.has_perm("mapvotes.delete_comment", hidden)


# --- editing a proposal ---------------------------------------------------------------------------------


def test_edit_keeps_the_previous_version_and_shows_it_in_the_history(author, mine):
    services.edit_proposal(author, mine, title="Piste cyclable protégée rue de Rivoli", theme="environnement")
    mine.refresh_from_db()
    assert mine.title == "Piste cyclable protégée rue de Rivoli" and mine.theme.slug == "environnement"
    revision = ProposalRevision.objects.get(proposal=mine)
    assert revision.title == "Piste cyclable rue de Rivoli" and revision.description == LONG_TEXT
    assert revision.theme.slug == "mobilite" and revision.editor == author
    event = mine.timeline.get(kind=TimelineEvent.Kind.EDITED)
    assert event.revision == revision and event.actor_label == author.public_name


def test_edit_changing_nothing_keeps_no_revision(author, mine):
    services.edit_proposal(author, mine, title=mine.title, description=mine.description)
    assert not ProposalRevision.objects.filter(proposal=mine).exists()


def test_edited_words_are_found_by_search(author, mine):
    from mapvotes import selectors

    services.edit_proposal(author, mine, title="Fontaine à boire place des Vosges")
    filters = selectors.parse_filters({"q": "fontaine"})
    assert list(selectors.filtered(filters).values_list("pk", flat=True)) == [mine.pk]


@pytest.mark.parametrize(
    ("change", "substantial"),
    [
        ({"title": "Une tout autre idée"}, True),
        ({"description": "Planter des arbres le long du quai, sans rapport avec les vélos."}, True),
        ({"description": LONG_TEXT.replace("élémentaire", "maternelle")}, False),  # a small fix
        ({"theme": "environnement"}, False),
    ],
)
def test_voters_are_told_of_a_substantial_change_only(
    author, mine, voter, django_capture_on_commit_callbacks, change, substantial
):
    VoteFactory(user=voter, proposal=mine)
    VoteFactory(user=author, proposal=mine)  # the author is not told of their own change
    with django_capture_on_commit_callbacks(execute=True):
        services.edit_proposal(author, mine, **change)
    notes = Notification.objects.filter(kind="mapvotes.edited")
    assert notes.filter(recipient=voter).exists() is substantial
    assert not notes.filter(recipient=author).exists()
    assert ProposalRevision.objects.get(proposal=mine).substantial is substantial
    if substantial:
        assert "modifiée par son auteur" in notes.get().title


def test_substantial_threshold():
    assert services.is_substantial_change("a", "x" * 100, "A ", "x" * 100) is False  # same title, case and spaces
    assert services.is_substantial_change("a", "x" * 100, "b", "x" * 100) is True
    assert services.is_substantial_change("a", "x" * 100, "a", "x" * 95 + "yyyyy") is False
    assert services.is_substantial_change("a", "x" * 100, "a", "y" * 100) is True


@pytest.mark.parametrize("who", ["resident", "team_member"])
def test_others_cannot_edit_in_french(request, mine, who):
    with pytest.raises(PermissionDenied, match="Seul l’auteur|Seule l’autrice|Seul l'auteur"):
        services.edit_proposal(request.getfixturevalue(who), mine, title="Piraté")
    mine.refresh_from_db()
    assert mine.title == "Piste cyclable rue de Rivoli"


def test_no_edit_once_the_team_decided(author, mine, team_member):
    services.change_status(team_member, mine, "under_study")
    with pytest.raises(PermissionDenied, match="statut"):
        services.edit_proposal(author, mine, title="Trop tard")


def test_edit_validates_like_creation(author, mine):
    with pytest.raises(ValidationError) as error:
        services.edit_proposal(author, mine, title="   ", theme="inconnu")
    assert set(error.value.message_dict) == {"title", "theme"}


# --- withdrawing ----------------------------------------------------------------------------------------


def test_withdraw_freezes_votes_and_tells_voters(author, mine, voter, django_capture_on_commit_callbacks):
    VoteFactory(user=voter, proposal=mine)
    services.recount(mine.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw_proposal(author, mine, "La mairie l'a déjà programmé.")
    mine.refresh_from_db()
    assert mine.status == Proposal.Status.WITHDRAWN and mine.status_reason == "La mairie l'a déjà programmé."
    assert mine.timeline.filter(kind=TimelineEvent.Kind.WITHDRAWN).exists()
    assert Notification.objects.filter(recipient=voter, kind="mapvotes.withdrawn").exists()
    other = UserFactory(email="tard@example.org")
    with pytest.raises(ValidationError, match="retirée par son auteur"):
        services.cast_vote(other, mine.pk, "for")
    with pytest.raises(ValidationError, match="retirée par son auteur"):
        services.withdraw_vote(voter, mine.pk)  # frozen both ways
    mine.refresh_from_db()
    assert (mine.votes_for, mine.votes_against) == (1, 0)


def test_withdraw_needs_a_reason(author, mine):
    with pytest.raises(ValidationError) as error:
        services.withdraw_proposal(author, mine, "  ")
    assert "reason" in error.value.message_dict


# --- comments -------------------------------------------------------------------------------------------


def test_edit_comment_marks_it_edited(author, mine):
    comment = CommentFactory(proposal=mine, author=author)
    assert comment.edited_at is None
    services.edit_comment(author, comment, "Finalement : très bonne idée.")
    comment.refresh_from_db()
    assert comment.body == "Finalement : très bonne idée." and comment.edited_at is not None


def test_delete_comment_keeps_the_row_and_its_replies(author, mine, resident):
    comment = services.add_comment(author, mine.pk, "Première remarque")
    reply = services.add_comment(resident, mine.pk, "Je réponds", parent=comment.pk)
    services.delete_comment(author, comment)
    comment.refresh_from_db()
    mine.refresh_from_db()
    assert comment.is_deleted and comment.body == ""
    assert Comment.objects.get(pk=reply.pk).parent_id == comment.pk
    assert mine.comments_count == 1  # the reply
    services.recount(mine.pk)
    mine.refresh_from_db()
    assert mine.comments_count == 1


def test_others_cannot_edit_or_delete_a_comment(author, mine, resident, team_member):
    comment = CommentFactory(proposal=mine, author=author)
    for user in (resident, team_member):
        with pytest.raises(PermissionDenied, match="commentaire"):
            services.edit_comment(user, comment, "Réécrit")
        with pytest.raises(PermissionDenied, match="commentaire"):
            services.delete_comment(user, comment)


def test_reply_to_a_reply_joins_its_thread_and_reading_order(author, mine, resident):
    from mapvotes import selectors

    first = services.add_comment(author, mine.pk, "Premier")
    second = services.add_comment(resident, mine.pk, "Deuxième")
    reply = services.add_comment(resident, mine.pk, "Réponse au premier", parent=first.pk)
    deeper = services.add_comment(author, mine.pk, "Réponse à la réponse", parent=reply.pk)
    assert deeper.parent_id == first.pk  # one level only
    order = [c.pk for c in selectors.comments(mine)]
    assert order == [first.pk, reply.pk, deeper.pk, second.pk]
    threads = selectors.comment_threads(mine)
    assert [t.pk for t in threads] == [first.pk, second.pk]
    assert [r.pk for r in threads[0].thread_replies] == [reply.pk, deeper.pk]


def test_reply_refused_to_a_comment_elsewhere_or_deleted(author, mine, resident):
    elsewhere = CommentFactory(author=resident)
    with pytest.raises(ValidationError) as error:
        services.add_comment(author, mine.pk, "Ici", parent=elsewhere.pk)
    assert "parent" in error.value.message_dict
    gone = services.add_comment(resident, mine.pk, "Bientôt supprimé")
    services.delete_comment(resident, gone)
    with pytest.raises(ValidationError, match="supprimé"):
        services.add_comment(author, mine.pk, "Trop tard", parent=gone.pk)
    with pytest.raises(ValidationError):
        services.add_comment(author, mine.pk, "N'importe quoi", parent="abc")


def test_hiding_still_works_on_replies_and_deleted_comments(author, mine, resident, team_member):
    top = services.add_comment(author, mine.pk, "Premier")
    reply = services.add_comment(resident, mine.pk, "Réponse", parent=top.pk)
    services.set_hidden(team_member, reply, True, "Hors sujet")
    services.delete_comment(author, top)
    services.set_hidden(team_member, top, True, "Doublon")
    mine.refresh_from_db()
    assert mine.comments_count == 0
    services.set_hidden(team_member, reply, False)
    mine.refresh_from_db()
    assert mine.comments_count == 1


# --- API ------------------------------------------------------------------------------------------------


def test_api_patch_proposal_by_author(author, mine):
    response = client_for(author).patch(f"/api/v1/map/proposals/{mine.pk}/", {"title": "Nouveau titre"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["properties"]["title"] == "Nouveau titre"
    revisions = client_for(author).get(f"/api/v1/map/proposals/{mine.pk}/revisions/").json()
    assert [r["title"] for r in revisions] == ["Piste cyclable rue de Rivoli"]


@pytest.mark.parametrize("who", ["resident", "team_member"])
def test_api_patch_by_others_is_403_in_french(request, mine, who):
    response = client_for(request.getfixturevalue(who)).patch(
        f"/api/v1/map/proposals/{mine.pk}/", {"title": "Piraté"}, format="json"
    )
    assert response.status_code == 403
    assert "auteur" in response.json()["detail"]


def test_api_patch_anonymous_and_bad_bodies(api_client, author, mine):
    assert api_client.patch(f"/api/v1/map/proposals/{mine.pk}/", {"title": "x"}, format="json").status_code in (
        401,
        403,
    )
    client = client_for(author)
    response = client.patch(f"/api/v1/map/proposals/{mine.pk}/", ["x"], format="json")
    assert response.status_code == 400 and "errors" in response.json()
    response = client.patch(f"/api/v1/map/proposals/{mine.pk}/", {"title": 12}, format="json")
    assert response.status_code == 400 and "title" in response.json()["errors"]
    assert client.patch("/api/v1/map/proposals/999999/", {"title": "x"}, format="json").status_code == 404


def test_api_withdraw(author, mine, resident):
    url = f"/api/v1/map/proposals/{mine.pk}/withdraw/"
    assert client_for(resident).post(url, {"reason": "x"}, format="json").status_code == 403
    response = client_for(author).post(url, {"reason": "Déjà fait par la mairie"}, format="json")
    assert response.status_code == 200
    assert response.json()["properties"]["status"] == "withdrawn"
    vote = client_for(resident).put(f"/api/v1/map/proposals/{mine.pk}/vote/", {"value": "for"}, format="json")
    assert vote.status_code == 400 and "retirée" in str(vote.json())


def test_api_comment_edit_delete_reply(author, mine, resident):
    base = f"/api/v1/map/proposals/{mine.pk}/comments/"
    created = client_for(author).post(base, {"body": "Premier"}, format="json").json()
    reply = client_for(resident).post(base, {"body": "Réponse", "parent": created["id"]}, format="json")
    assert reply.status_code == 201 and reply.json()["parent"] == created["id"]
    url = f"{base}{created['id']}/"
    assert client_for(resident).patch(url, {"body": "Piraté"}, format="json").status_code == 403
    assert client_for(resident).delete(url).status_code == 403
    edited = client_for(author).patch(url, {"body": "Premier, corrigé"}, format="json").json()
    assert edited["body"] == "Premier, corrigé" and edited["edited_at"]
    deleted = client_for(author).delete(url)
    assert deleted.status_code == 200
    assert deleted.json()["is_deleted"] and deleted.json()["body"] == "supprimé par son auteur"
    listing = client_for(resident).get(base).json()["results"]
    assert [c["id"] for c in listing] == [created["id"], reply.json()["id"]]
    assert client_for(author).patch(url, {"body": "Revenu"}, format="json").status_code == 403
    bad = client_for(author).post(base, {"body": "x", "parent": 999999}, format="json")
    assert bad.status_code == 400 and "parent" in bad.json()["errors"]
    assert (
        client_for(author).patch(f"/api/v1/map/proposals/{mine.pk}/comments/999999/", {}, format="json").status_code
        == 404
    )


def test_api_comment_of_another_proposal_is_404(author, mine):
    comment = CommentFactory(author=author)  # on another proposal
    url = f"/api/v1/map/proposals/{mine.pk}/comments/{comment.pk}/"
    assert client_for(author).patch(url, {"body": "x"}, format="json").status_code == 404


# --- pages ----------------------------------------------------------------------------------------------


def test_author_edits_through_the_page_and_history_says_so(author, mine):
    client = logged(author)
    page = client.get(mine.get_absolute_url()).content.decode()
    assert "Modifier ma proposition" in page and "Retirer ma proposition" in page
    form = client.get(f"/carte/propositions/{mine.pk}/modifier/").content.decode()
    assert 'for="id_title"' in form and "Piste cyclable rue de Rivoli" in form
    response = client.post(
        f"/carte/propositions/{mine.pk}/modifier/",
        {"title": "Piste protégée rue de Rivoli", "description": LONG_TEXT, "theme": "mobilite"},
    )
    assert response.status_code == 302
    page = client.get(mine.get_absolute_url()).content.decode()
    assert "Piste protégée rue de Rivoli" in page
    assert "Modifiée par son auteur" in page and "Voir la version précédente" in page
    assert "Piste cyclable rue de Rivoli" in page  # the previous title, in the history


def test_edit_page_keeps_errors_in_the_form(author, mine):
    response = logged(author).post(
        f"/carte/propositions/{mine.pk}/modifier/", {"title": "", "description": LONG_TEXT, "theme": "mobilite"}
    )
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


def test_others_get_403_pages_and_see_no_buttons(resident, mine):
    client = logged(resident)
    page = client.get(mine.get_absolute_url()).content.decode()
    assert "Modifier ma proposition" not in page
    assert client.get(f"/carte/propositions/{mine.pk}/modifier/").status_code == 403
    assert client.post(f"/carte/propositions/{mine.pk}/retirer/", {"reason": "x"}).status_code == 403
    mine.refresh_from_db()
    assert mine.status == "published"


def test_withdraw_page(author, mine, resident):
    client = logged(author)
    form = client.get(f"/carte/propositions/{mine.pk}/retirer/").content.decode()
    assert '<button type="submit"' in form and 'for="id_reason"' in form
    assert client.post(f"/carte/propositions/{mine.pk}/retirer/", {"reason": ""}).status_code == 200
    response = client.post(f"/carte/propositions/{mine.pk}/retirer/", {"reason": "Projet déjà voté au budget."})
    assert response.status_code == 302
    page = logged(resident).get(mine.get_absolute_url()).content.decode()
    assert "Retirée par son auteur" in page and "Projet déjà voté au budget." in page
    assert 'name="value" value="for"' not in page  # no vote buttons on a frozen proposal


def test_comment_pages_edit_delete_reply(author, mine, resident):
    comment = CommentFactory(proposal=mine, author=author, body="Ma remarque")
    client = logged(author)
    page = client.get(mine.get_absolute_url()).content.decode()
    assert f'href="/carte/commentaires/{comment.pk}/modifier/"' in page
    assert f'action="/carte/commentaires/{comment.pk}/supprimer/"' in page
    assert (
        client.post(f"/carte/commentaires/{comment.pk}/modifier/", {"body": "Ma remarque, précisée"}).status_code == 302
    )
    other = logged(resident)
    page = other.get(mine.get_absolute_url()).content.decode()
    assert "Ma remarque, précisée" in page and "modifié" in page
    assert f'href="/carte/commentaires/{comment.pk}/modifier/"' not in page
    assert other.get(f"/carte/commentaires/{comment.pk}/modifier/").status_code == 403
    response = other.post(f"/carte/propositions/{mine.pk}/commentaires/", {"body": "Je réponds", "parent": comment.pk})
    assert response.status_code == 302
    reply = Comment.objects.get(body="Je réponds")
    assert reply.parent_id == comment.pk
    other.post(f"/carte/commentaires/{comment.pk}/supprimer/")  # not theirs: refused
    assert not Comment.objects.get(pk=comment.pk).is_deleted
    client.post(f"/carte/commentaires/{comment.pk}/supprimer/")
    page = other.get(mine.get_absolute_url()).content.decode()
    assert "Commentaire supprimé par son auteur" in page and "Ma remarque" not in page
    assert 'class="comments replies"' in page and "Je réponds" in page
    assert page.index("Commentaire supprimé par son auteur") < page.index("Je réponds")


def test_hidden_comment_still_shows_the_team_reason(author, mine, team_member, resident):
    comment = services.add_comment(resident, mine.pk, "Propos déplacés")
    services.set_hidden(team_member, comment, True, "Propos injurieux")
    page = logged(author).get(mine.get_absolute_url()).content.decode()
    assert "Propos injurieux" in page and "Propos déplacés" not in page
    assert "Propos déplacés" in logged(team_member).get(mine.get_absolute_url()).content.decode()


# --- replies tell the author of the comment answered ----------------------------------------------------


def test_a_reply_tells_the_parent_author_in_their_language(mine, resident):
    from core import follows
    from core.models import NotificationSetting

    english = UserFactory(email="reader@example.org", display_name="Ann Reader", preferred_language="en")
    follows.follow(english, mine)
    comment = services.add_comment(english, mine.pk, "Great idea")
    reply = services.add_comment(resident, mine.pk, "Merci !", parent=comment.pk)
    told = Notification.objects.get(recipient=english)  # once, though a follower too
    assert told.kind == "comment.reply"
    assert told.title == "Camille Habitante replied to your comment on “Piste cyclable rue de Rivoli”"
    assert told.url == f"{mine.get_absolute_url()}#commentaire-{reply.pk}"
    page = logged(english).get("/notifications/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Camille Habitante a répondu à votre commentaire sur" in page
    services.add_comment(english, mine.pk, "Je précise", parent=comment.pk)  # to oneself: nobody is told
    assert Notification.objects.filter(kind="comment.reply").count() == 1
    NotificationSetting.objects.create(user=english, category="comments", channel="none")
    services.add_comment(resident, mine.pk, "Encore moi", parent=comment.pk)
    assert Notification.objects.filter(kind="comment.reply").count() == 1


def test_comment_lists_with_replies_make_no_query_per_comment(mine, resident):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    people = [resident] + [UserFactory() for _ in range(4)]

    def threads(count):
        for n in range(count):
            top = services.add_comment(people[n % 5], mine.pk, f"Commentaire {n}")
            for m in range(2):
                services.add_comment(people[(n + m + 1) % 5], mine.pk, f"Réponse {n}.{m}", parent=top.pk)

    def counts():
        result = []
        for client, url in ((Client(), f"/api/v1/map/proposals/{mine.pk}/comments/"), (logged(resident), None)):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url or mine.get_absolute_url()).status_code == 200
            result.append(len(queries))
        return result

    threads(2)
    few = counts()
    threads(10)
    assert counts() == few
