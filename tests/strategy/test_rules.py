"""Who may edit which section, as a matrix: a section belongs to the referent of its theme."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from core.models import Theme
from strategy import services
from tests.conftest import client_for
from tests.factories import TeamUserFactory, UnverifiedUserFactory, UserFactory


@pytest.fixture
def people(db, referent):
    """`referent` (conftest) owns the mobility theme, hence the mobility sections."""
    other = TeamUserFactory(email="referent-energie@paris.fr", display_name="Karim Benali")
    Theme.objects.filter(slug="energie").update(referent=other)
    admin = TeamUserFactory(email="admin@paris.fr", is_superuser=True)
    Theme.objects.filter(slug="environnement").update(referent=admin)  # an admin who is also a referent
    return {
        "anonymous": AnonymousUser(),
        "unverified": UnverifiedUserFactory(),
        "resident": UserFactory(),
        "team member without referent role": TeamUserFactory(email="coordination@paris.fr"),
        "referent of the section's theme": referent,
        "referent of another theme": other,
        "administrator": admin,
    }


EDIT_SECTION_MATRIX = [
    ("anonymous", False, False),
    ("unverified", False, False),
    ("resident", False, False),
    ("team member without referent role", True, True),
    ("referent of the section's theme", True, True),
    ("referent of another theme", True, False),  # may read drafts, not edit another theme's section
    ("administrator", True, True),
]


@pytest.mark.parametrize(("who", "may_edit_some", "may_edit_this"), EDIT_SECTION_MATRIX)
def test_edit_section_permission_matrix(people, sections, who, may_edit_some, may_edit_this):
    user = people[who]
    assert user.has_perm("strategy.edit_section") is may_edit_some
    assert user.has_perm("strategy.edit_section", sections[0]) is may_edit_this


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("team member without referent role", 200),
        ("referent of the section's theme", 200),
        ("referent of another theme", 403),
        ("administrator", 200),
        ("resident", 403),
    ],
)
def test_editing_a_section_through_the_api_follows_the_matrix(people, sections, who, status):
    section = sections[0]
    response = client_for(people[who]).patch(
        f"/api/v1/strategy/sections/{section.slug}/",
        {"body": "Texte revu.", "revision": section.revision},
        format="json",
    )
    assert response.status_code == status, response.content
    section.refresh_from_db()
    assert (section.body == "Texte revu.") is (status == 200)


def test_a_referent_of_another_theme_is_told_whose_section_it_is(people, sections, client):
    other = people["referent of another theme"]
    response = client_for(other).patch(
        "/api/v1/strategy/sections/mobilite-velo/", {"body": "Piraté", "revision": 1}, format="json"
    )
    assert response.status_code == 403
    detail = response.json()["detail"]
    assert "Une ville 100 % cyclable" in detail and "Nadia Haddad" in detail and "référent" in detail
    english = client_for(other).patch(
        "/api/v1/strategy/sections/mobilite-velo/",
        {"body": "Piraté", "revision": 1},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "only its referent (Nadia Haddad)" in english.json()["detail"]
    with pytest.raises(PermissionDenied):
        services.edit_section(sections[0], other, "Piraté", 1)
    # The team page refuses too, with the same sentence, and reading the draft through the API stays open.
    client.force_login(other)
    page = client.get("/strategie/equipe/sections/mobilite-velo/")
    assert page.status_code == 403
    assert client_for(other).get("/api/v1/strategy/sections/mobilite-velo/").status_code == 200


def test_the_section_page_offers_the_edit_link_only_to_who_may_edit(people, sections, client):
    client.force_login(people["referent of another theme"])
    assert (
        "/strategie/equipe/sections/mobilite-velo/"
        not in client.get("/strategie/sections/mobilite-velo/").content.decode()
    )
    client.force_login(people["referent of the section's theme"])
    assert (
        "/strategie/equipe/sections/mobilite-velo/" in client.get("/strategie/sections/mobilite-velo/").content.decode()
    )
