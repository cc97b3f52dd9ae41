"""Role changes are in the audit log, whoever makes them: services, the create_account command, the admin site."""

from html.parser import HTMLParser

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from accounts import services
from accounts.models import Membership
from core.models import AuditLog
from tests.factories import MembershipFactory, OrganizationFactory, TeamUserFactory, UserFactory, theme

pytestmark = pytest.mark.django_db


def actions(**filters):
    return list(AuditLog.objects.filter(**filters).order_by("pk").values_list("action", flat=True))


@pytest.fixture
def superuser(db):
    return UserFactory(email="admin@paris.fr", is_superuser=True, is_staff=True, is_team=True)


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


class FormValues(HTMLParser):
    """What a browser would send for the admin's change form, as it is displayed."""

    def __init__(self):
        super().__init__()
        self.values, self._select, self._textarea = {}, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") == "checkbox":
                if "checked" in attrs:
                    self.values.setdefault(name, []).append(attrs.get("value", "on"))
            else:
                self.values[name] = [attrs.get("value", "")]
        elif tag == "select" and name:
            self._select = name
            self.values.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in attrs:
            self.values[self._select].append(attrs.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = [""]

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def submit_change_form(client, url, **changes):
    page = client.get(url)
    assert page.status_code == 200
    parser = FormValues()
    parser.feed(page.content.decode())
    data = {k: v for k, v in parser.values.items() if k not in ("_saveasnew", "_addanother", "_continue")}
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value if isinstance(value, list) else [value]
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context.get("errors")
    return response


def test_making_someone_team_is_audited_with_who_did_it(superuser):
    camille = UserFactory()
    services.set_team(camille, superuser, True)
    services.set_team(camille, superuser, True)  # no change, nothing recorded
    services.set_team(camille, superuser, False)

    entries = AuditLog.objects.filter(object_id=str(camille.pk)).order_by("pk")
    assert [e.action for e in entries] == [
        "accounts.team_granted",
        "accounts.admin_access_granted",
        "accounts.team_revoked",
        "accounts.admin_access_revoked",
    ]
    assert {e.actor for e in entries} == {superuser}


def test_naming_a_referent_is_audited_with_the_previous_one(superuser):
    mobility, first, second = theme("mobilite"), TeamUserFactory(), TeamUserFactory()
    services.set_theme_referent(mobility, first, superuser)
    services.set_theme_referent(mobility, second, superuser)
    services.set_theme_referent(mobility, None, superuser)

    entries = list(AuditLog.objects.filter(object_id=str(mobility.pk)).order_by("pk"))
    assert [e.action for e in entries] == [
        "accounts.referent_assigned",
        "accounts.referent_assigned",
        "accounts.referent_removed",
    ]
    assert entries[1].data == {"referent": second.pk, "previous": first.pk}
    assert entries[1].target_repr == mobility.name


def test_membership_roles_are_audited(superuser, organization):
    camille = UserFactory()
    services.set_membership_role(organization, camille, "member", superuser)
    services.set_membership_role(organization, camille, "member", superuser)  # no change
    membership = services.set_membership_role(organization, camille, "admin", superuser)
    services.remove_membership(membership, superuser)

    entries = list(AuditLog.objects.filter(object_id=str(organization.pk)).order_by("pk"))
    assert [(e.action, e.data) for e in entries] == [
        ("accounts.member_added", {"member": camille.pk, "role": "member"}),
        ("accounts.member_role_changed", {"member": camille.pk, "role": "admin", "previous": "member"}),
        ("accounts.member_removed", {"member": camille.pk, "role": "admin"}),
    ]
    assert not Membership.objects.filter(user=camille).exists()


def test_an_unknown_role_is_refused_and_nothing_is_saved(superuser, organization):
    with pytest.raises(ValidationError):
        services.set_membership_role(organization, UserFactory(), "owner", superuser)
    assert not Membership.objects.filter(organization=organization).exists()
    assert not AuditLog.objects.exists()


def test_the_create_account_command_audits_the_roles_it_gives(capsys):
    call_command(
        "create_account",
        "nadia@paris.fr",
        "--password",
        "secret-123456",
        "--verified",
        "--referent",
        "mobilite",
        "--org",
        "Vélo 11",
    )
    user_id = int(capsys.readouterr().out.strip())
    assert set(actions(content_type__model="user", object_id=str(user_id))) == {
        "accounts.team_granted",
        "accounts.admin_access_granted",
        "accounts.verified",
    }
    assert actions(action__startswith="accounts.referent") == ["accounts.referent_assigned"]
    assert actions(action__in=["verify_organization", "accounts.member_added"]) == [
        "verify_organization",
        "accounts.member_added",
    ]
    assert not AuditLog.objects.exclude(actor=None).exists()  # no actor: made from the command line

    call_command("create_account", "nadia@paris.fr", "--password", "autre-secret-99", "--referent", "mobilite")
    assert AuditLog.objects.count() == 6  # the same roles again: nothing new


def test_ticking_team_in_the_admin_is_audited(admin_client, superuser):
    camille = UserFactory()
    submit_change_form(admin_client, f"/admin/accounts/user/{camille.pk}/change/", is_team="on", is_staff="on")
    camille.refresh_from_db()
    assert camille.is_team and camille.is_staff
    entries = AuditLog.objects.filter(object_id=str(camille.pk))
    assert {e.action for e in entries} == {"accounts.team_granted", "accounts.admin_access_granted"}
    assert {e.actor for e in entries} == {superuser}

    submit_change_form(admin_client, f"/admin/accounts/user/{camille.pk}/change/", is_team=None, email_verified=None)
    assert set(actions(object_id=str(camille.pk))) >= {"accounts.team_revoked", "accounts.unverified"}


def test_verifying_an_organisation_with_the_admin_checkbox_is_audited(admin_client, superuser):
    organization = OrganizationFactory(verified=False)
    url = f"/admin/accounts/organization/{organization.pk}/change/"
    submit_change_form(admin_client, url, verified="on")
    submit_change_form(admin_client, url, description="Nouvelle description")  # verified unchanged

    organization.refresh_from_db()
    assert organization.verified
    entries = AuditLog.objects.filter(object_id=str(organization.pk))
    assert [(e.action, e.actor) for e in entries] == [("verify_organization", superuser)]


def test_the_admin_action_records_only_real_changes(admin_client):
    verified, pending = OrganizationFactory(verified=True), OrganizationFactory(verified=False)
    admin_client.post(
        "/admin/accounts/organization/",
        {"action": "mark_verified", "_selected_action": [verified.pk, pending.pk]},
    )
    assert list(AuditLog.objects.values_list("action", "object_id")) == [("verify_organization", str(pending.pk))]


def test_membership_roles_changed_in_the_admin_inline_are_audited(admin_client, superuser):
    organization = OrganizationFactory()
    kept = MembershipFactory(organization=organization, role="member")
    removed = MembershipFactory(organization=organization, role="member")
    url = f"/admin/accounts/organization/{organization.pk}/change/"
    page = admin_client.get(url).content.decode()
    index = {str(kept.pk): None, str(removed.pk): None}
    for i in range(2):
        marker = f'name="memberships-{i}-id" value="'
        start = page.index(marker) + len(marker)
        index[page[start : page.index('"', start)]] = i
    newcomer = UserFactory()
    submit_change_form(
        admin_client,
        url,
        **{
            f"memberships-{index[str(kept.pk)]}-role": "admin",
            f"memberships-{index[str(removed.pk)]}-DELETE": "on",
            "memberships-TOTAL_FORMS": "3",
            "memberships-2-user": str(newcomer.pk),
            "memberships-2-role": "member",
            "memberships-2-organization": str(organization.pk),
        },
    )

    entries = AuditLog.objects.filter(object_id=str(organization.pk))
    assert {(e.action, e.data["member"]) for e in entries} == {
        ("accounts.member_role_changed", kept.user_id),
        ("accounts.member_removed", removed.user_id),
        ("accounts.member_added", newcomer.pk),
    }
    assert {e.actor for e in entries} == {superuser}
    assert set(organization.memberships.values_list("user_id", "role")) == {
        (kept.user_id, "admin"),
        (newcomer.pk, "member"),
    }


def test_naming_a_referent_in_the_admin_is_audited(admin_client, superuser):
    referent = TeamUserFactory()
    climate = theme("mobilite")
    submit_change_form(admin_client, f"/admin/core/theme/{climate.pk}/change/", referent=str(referent.pk))
    entry = AuditLog.objects.get(object_id=str(climate.pk))
    assert (entry.action, entry.actor, entry.data["referent"]) == ("accounts.referent_assigned", superuser, referent.pk)


def test_the_team_reads_role_changes_in_the_audit_log_page(client, superuser):
    services.set_team(UserFactory(display_name="Alix Martin"), superuser, True)
    client.force_login(superuser)
    page = client.get("/equipe/journal/").content.decode()
    assert "Alix Martin" in page and "Ajout à l’équipe de la mission" in page
    assert client.get("/equipe/journal/?action=accounts.team_granted").status_code == 200


def test_withdrawing_a_verification_is_audited_as_such(superuser):
    organization = OrganizationFactory(verified=True)
    services.set_organization_verified(organization, superuser, False)
    services.set_organization_verified(organization, superuser, False)  # no change, no entry
    services.set_organization_verified(organization, superuser, True)
    assert actions(object_id=str(organization.pk)) == ["unverify_organization", "verify_organization"]


def test_a_membership_given_to_someone_else_is_a_removal_then_an_addition(superuser, organization):
    """The admin inline can change the person of a membership row: the log says who left, with their role."""
    leaving, arriving = UserFactory(), UserFactory()
    membership = MembershipFactory(organization=organization, user=arriving, role="member")
    services.record_membership_saved(superuser, membership, {"user_id": leaving.pk, "role": "admin"})
    entries = list(AuditLog.objects.filter(object_id=str(organization.pk)).order_by("pk"))
    assert [(e.action, e.data, e.actor) for e in entries] == [
        ("accounts.member_removed", {"member": leaving.pk, "role": "admin"}, superuser),
        ("accounts.member_added", {"member": arriving.pk, "role": "member"}, superuser),
    ]
