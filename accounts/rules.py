"""Roles as named predicates, in one place. Every app's rules.py builds on these."""

import rules
from django.utils.translation import gettext as _


@rules.predicate
def is_verified(user):
    return bool(user and user.is_authenticated and user.is_active and user.email_verified)


@rules.predicate
def is_team(user):
    return bool(user and user.is_authenticated and user.is_active and (user.is_team or user.is_superuser))


@rules.predicate
def is_referent(user, theme=None):
    if not is_team(user):
        return False
    if theme is None:
        return user.referent_themes.exists()
    return getattr(theme, "referent_id", None) == user.pk


@rules.predicate
def is_org_member(user, organization):
    if not (user and user.is_authenticated) or organization is None:
        return False
    return organization.memberships.filter(user=user).exists()


@rules.predicate
def is_org_admin(user, organization):
    if not (user and user.is_authenticated) or organization is None:
        return False
    return organization.memberships.filter(user=user, role="admin").exists()


@rules.predicate
def is_member_of_verified_org(user):
    return bool(user and user.is_authenticated and user.organizations.filter(verified=True).exists())


def refusal_reason(user) -> str:
    """Why an account may not take part, in a sentence for the user."""
    if not user.is_authenticated:
        return _("You need to log in to do this.")
    if not user.is_active:
        return _("This account is deactivated.")
    if not user.email_verified:
        return _("Please confirm your e-mail address first: only verified accounts can take part.")
    return _("You are not allowed to do this.")


rules.add_perm("accounts.view_organization", rules.always_allow)
rules.add_perm("accounts.change_organization", is_org_admin | is_team)
rules.add_perm("accounts.manage_members", is_org_admin | is_team)
rules.add_perm("accounts.verify_organization", is_team)
rules.add_perm("core.view_auditlog", is_team)
