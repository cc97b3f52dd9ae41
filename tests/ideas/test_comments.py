"""Comments on ideas: edit or delete my own comment ("modifié" / "supprimé par son auteur"), reply to a comment (its
author is told, within their notification settings); the team still hides; lists without a query per reply."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core.models import Notification, NotificationSetting
from ideas import selectors, services
from ideas.models import Comment
from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def author(db):
    return UserFactory(email="commentatrice@example.org", display_name="Inès Commentatrice")


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


# --- permissions ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "edit", "delete"),
    [
        ("anonymous", False, False),
        ("resident", False, False),
        ("holder", False, False),  # the idea's holder does not rewrite what others wrote
        ("author", True, True),
        ("team_member", False, False),  # the team hides; it does not rewrite residents' words
    ],
)
def test_comment_permission_matrix(request, idea, author, who, edit, delete):
    comment = services.add_comment(author, idea, "Très bonne idée")
    user = _user(request, who, author)
    assert user.has_perm("ideas.change_comment", comment) is edit
    assert user.has_perm("ideas.delete_comment", comment) is delete


def test_author_may_delete_but_not_edit_a_hidden_comment_and_nothing_once_deleted(idea, author, team_member):
    comment = services.add_comment(author, idea, "Hors sujet peut-être")
    services.set_hidden(team_member, comment, True, "Hors sujet")
    comment.refresh_from_db()
    assert comment.is_hidden
    assert not author.has_perm("ideas.change_comment", comment)
    with pytest.raises(PermissionDenied, match="masqué"):
        services.edit_comment(author, comment, "Réécrit")
    services.delete_comment(author, comment)
    comment.refresh_from_db()
    assert comment.is_deleted and comment.body == ""
    assert not author.has_perm("ideas.delete_comment", comment)


def test_others_cannot_edit_or_delete_a_comment(idea, author, resident, team_member, holder):
    comment = services.add_comment(author, idea, "Ma remarque")
    for user in (resident, team_member, holder):
        with pytest.raises(PermissionDenied, match="auteur"):
            services.edit_comment(user, comment, "Réécrit")
        with pytest.raises(PermissionDenied, match="auteur"):
            services.delete_comment(user, comment)
    comment.refresh_from_db()
    assert comment.body == "Ma remarque" and comment.edited_at is None and not comment.is_deleted


# --- services -------------------------------------------------------------------------------------------


def test_edit_marks_it_edited_and_validates(idea, author):
    comment = services.add_comment(author, idea, "Premier jet")
    services.edit_comment(author, comment, "Premier jet")  # nothing changed: not marked
    comment.refresh_from_db()
    assert comment.edited_at is None
    services.edit_comment(author, comment, "  Version corrigée  ")
    comment.refresh_from_db()
    assert comment.body == "Version corrigée" and comment.edited_at is not None
    for bad in ("", "   ", "x" * 3001, 42):
        with pytest.raises(ValidationError) as error:
            services.edit_comment(author, comment, bad)
        assert "body" in error.value.message_dict


def test_reply_to_a_reply_joins_its_thread_and_reading_order(idea, author, resident):
    first = services.add_comment(author, idea, "Premier")
    second = services.add_comment(resident, idea, "Deuxième")
    reply = services.add_comment(resident, idea, "Réponse au premier", parent=first.pk)
    deeper = services.add_comment(author, idea, "Réponse à la réponse", parent=reply.pk)
    assert deeper.parent_id == first.pk  # one level only
    assert [c.pk for c in selectors.comments_of(idea)] == [first.pk, reply.pk, deeper.pk, second.pk]
    threads = selectors.comment_threads(idea)
    assert [t.pk for t in threads] == [first.pk, second.pk]
    assert [r.pk for r in threads[0].thread_replies] == [reply.pk, deeper.pk]


def test_reply_refused_to_a_comment_elsewhere_deleted_or_hidden(idea, holder, author, resident, team_member):
    from tests.ideas.factories import make_idea

    elsewhere = services.add_comment(author, make_idea(holder, title="Autre idée"), "Ailleurs")
    with pytest.raises(ValidationError) as error:
        services.add_comment(resident, idea, "Ici", parent=elsewhere.pk)
    assert "parent" in error.value.message_dict
    gone = services.add_comment(author, idea, "Bientôt supprimé")
    services.delete_comment(author, gone)
    with pytest.raises(ValidationError, match="supprimé"):
        services.add_comment(resident, idea, "Trop tard", parent=gone.pk)
    hidden = services.add_comment(author, idea, "Bientôt masqué")
    services.set_hidden(team_member, hidden, True, "Hors sujet")
    with pytest.raises(ValidationError, match="masqué"):
        services.add_comment(resident, idea, "Trop tard", parent=hidden.pk)
    with pytest.raises(ValidationError):
        services.add_comment(resident, idea, "N'importe quoi", parent="abc")


def test_deleted_comment_keeps_its_replies(idea, author, resident):
    comment = services.add_comment(author, idea, "Première remarque")
    reply = services.add_comment(resident, idea, "Je réponds", parent=comment.pk)
    services.delete_comment(author, comment)
    assert Comment.objects.get(pk=reply.pk).parent_id == comment.pk
    assert Comment.objects.get(pk=comment.pk).body == ""


# --- the author of the comment answered is told ---------------------------------------------------------


def test_a_reply_tells_the_parent_author_in_their_language(idea, holder, resident):
    english = UserFactory(email="reader@example.org", display_name="Ann Reader", preferred_language="en")
    comment = services.add_comment(english, idea, "Great idea")
    services.add_comment(resident, idea, "Merci !", parent=comment.pk)
    told = Notification.objects.get(recipient=english, kind="comment.reply")
    assert told.message["title"]["key"] == "{name} replied to your comment on “{title}”"
    assert told.title == "Camille Habitante replied to your comment on “Toits solaires partagés”"
    assert told.url.endswith(f"#commentaire-{Comment.objects.get(body='Merci !').pk}")
    page = logged(english).get("/notifications/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Camille Habitante a répondu à votre commentaire sur" in page
    # The holder hears of a new comment once, and the replier of nothing.
    assert Notification.objects.filter(recipient=holder, kind="ideas.comment").count() == 2
    assert not Notification.objects.filter(recipient=resident).exists()


def test_replying_to_oneself_tells_nobody_and_settings_are_respected(idea, author, resident):
    comment = services.add_comment(author, idea, "Premier")
    services.add_comment(author, idea, "Je précise", parent=comment.pk)
    assert not Notification.objects.filter(kind="comment.reply").exists()
    NotificationSetting.objects.create(user=author, category="comments", channel="none")
    services.add_comment(resident, idea, "Réponse", parent=comment.pk)
    assert not Notification.objects.filter(kind="comment.reply").exists()


def test_the_parent_author_following_the_idea_is_told_once(idea, author, resident):
    from core import follows

    follows.follow(author, idea)
    comment = services.add_comment(author, idea, "Premier")
    services.add_comment(resident, idea, "Réponse", parent=comment.pk)
    assert list(Notification.objects.filter(recipient=author).values_list("kind", flat=True)) == ["comment.reply"]


# --- API ------------------------------------------------------------------------------------------------


def test_api_comment_edit_delete_reply(idea, author, resident):
    base = f"/api/v1/ideas/{idea.pk}/comments/"
    created = client_for(author).post(base, {"body": "Premier"}, format="json").json()
    reply = client_for(resident).post(base, {"body": "Réponse", "parent": created["id"]}, format="json")
    assert reply.status_code == 201 and reply.json()["parent"] == created["id"]
    url = f"{base}{created['id']}/"
    refused = client_for(resident).patch(url, {"body": "Piraté"}, format="json")
    assert refused.status_code == 403 and "auteur" in refused.json()["detail"]
    assert client_for(resident).delete(url).status_code == 403
    assert Client().patch(url, {"body": "x"}, content_type="application/json").status_code in (401, 403)
    edited = client_for(author).patch(url, {"body": "Premier, corrigé"}, format="json").json()
    assert edited["body"] == "Premier, corrigé" and edited["edited_at"]
    empty = client_for(author).patch(url, {"body": ""}, format="json")
    assert empty.status_code == 400 and "body" in empty.json()["errors"]
    deleted = client_for(author).delete(url)
    assert deleted.status_code == 200
    assert deleted.json()["is_deleted"] and deleted.json()["body"] == "supprimé par son auteur"
    listing = client_for(resident).get(base).json()["results"]
    assert [c["id"] for c in listing] == [created["id"], reply.json()["id"]]
    again = client_for(author).patch(url, {"body": "Revenu"}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 403 and again.json()["detail"] == "This comment was deleted."
    bad = client_for(author).post(base, {"body": "x", "parent": 999999}, format="json")
    assert bad.status_code == 400 and "parent" in bad.json()["errors"]
    junk = client_for(author).post(base, {"body": "x", "parent": "abc"}, format="json")
    assert junk.status_code == 400 and "parent" in junk.json()["errors"]
    assert client_for(author).patch(f"{base}999999/", {"body": "x"}, format="json").status_code == 404


def test_api_comment_of_another_idea_is_404(idea, holder, author):
    from tests.ideas.factories import make_idea

    other = services.add_comment(author, make_idea(holder, title="Autre idée"), "Ailleurs")
    url = f"/api/v1/ideas/{idea.pk}/comments/{other.pk}/"
    assert client_for(author).patch(url, {"body": "x"}, format="json").status_code == 404


def _comments_with_replies(idea, people, threads):
    for n in range(threads):
        top = services.add_comment(people[n % len(people)], idea, f"Commentaire {n}")
        for m in range(2):
            services.add_comment(people[(n + m + 1) % len(people)], idea, f"Réponse {n}.{m}", parent=top.pk)


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_comment_lists_make_no_query_per_comment_or_reply(idea, author, resident, holder):
    people = [author, resident, holder] + [UserFactory() for _ in range(5)]
    _comments_with_replies(idea, people, 2)
    api, page = Client(), logged(resident)
    few = (_count(api, f"/api/v1/ideas/{idea.pk}/comments/"), _count(page, idea.get_absolute_url()))
    _comments_with_replies(idea, people, 10)
    many = (_count(api, f"/api/v1/ideas/{idea.pk}/comments/"), _count(page, idea.get_absolute_url()))
    assert many == few


# --- pages ----------------------------------------------------------------------------------------------


def test_comment_pages_edit_delete_reply(idea, author, resident):
    comment = services.add_comment(author, idea, "Ma remarque")
    client = logged(author)
    page = client.get(idea.get_absolute_url()).content.decode()
    assert f'href="/idees/commentaires/{comment.pk}/modifier/"' in page
    assert f'action="/idees/commentaires/{comment.pk}/supprimer/"' in page
    form = client.get(f"/idees/commentaires/{comment.pk}/modifier/").content.decode()
    assert "Modifier mon commentaire" in form and "Ma remarque" in form
    assert client.post(f"/idees/commentaires/{comment.pk}/modifier/", {"body": ""}).status_code == 200
    response = client.post(f"/idees/commentaires/{comment.pk}/modifier/", {"body": "Ma remarque, précisée"})
    assert response.status_code == 302
    other = logged(resident)
    page = other.get(idea.get_absolute_url()).content.decode()
    assert "Ma remarque, précisée" in page and "modifié" in page
    assert f'href="/idees/commentaires/{comment.pk}/modifier/"' not in page
    assert other.get(f"/idees/commentaires/{comment.pk}/modifier/").status_code == 403
    response = other.post(f"/idees/{idea.pk}/commentaires/", {"body": "Je réponds", "parent": comment.pk})
    assert response.status_code == 302
    assert Comment.objects.get(body="Je réponds").parent_id == comment.pk
    other.post(f"/idees/commentaires/{comment.pk}/supprimer/")  # not theirs: refused
    assert not Comment.objects.get(pk=comment.pk).is_deleted
    client.post(f"/idees/commentaires/{comment.pk}/supprimer/")
    page = other.get(idea.get_absolute_url()).content.decode()
    assert "Commentaire supprimé par son auteur" in page and "Ma remarque" not in page
    assert 'class="comments replies"' in page and "Je réponds" in page
    assert page.index("Commentaire supprimé par son auteur") < page.index("Je réponds")


def test_hidden_comment_shows_the_team_reason_and_no_edit_button(idea, author, team_member):
    comment = services.add_comment(author, idea, "Propos déplacés")
    services.set_hidden(team_member, comment, True, "Propos injurieux")
    page = logged(author).get(idea.get_absolute_url()).content.decode()
    assert "Propos injurieux" in page and "Propos déplacés" not in page
    assert f"/idees/commentaires/{comment.pk}/modifier/" not in page
    assert f"/idees/commentaires/{comment.pk}/supprimer/" in page  # one's words can still go
    assert logged(author).get(f"/idees/commentaires/{comment.pk}/modifier/").status_code == 403
