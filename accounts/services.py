from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from core import gdpr
from core.models import Theme
from core.moderation import record

from .models import Membership, Organization, User, default_display_name


def _sync_email_address(user: User, verified: bool) -> None:
    EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"primary": True, "verified": verified})


def register(email: str, password: str, display_name: str = "", language: str = "fr", request=None) -> User | None:
    """Sign up through the API, answering alike whether or not the address is registered (no account enumeration).

    A new address gets an unverified account and the confirmation e-mail; a registered one gets nothing but an e-mail
    to its owner saying someone tried to sign up with it and how to reset the password (allauth's, as the web sign-up
    does). Returns the new account, or None: the caller must not tell the two apart in its response.
    """
    email = User.objects.normalize_email(email).lower()
    user = User(email=email, display_name=display_name.strip() or default_display_name(), preferred_language=language)
    from django.contrib.auth.password_validation import validate_password

    try:
        validate_password(password, user)  # the same checks for a registered address: its answer must not differ
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    user.set_password(password)  # hashed in both cases, so that the time taken says nothing either
    registered = User.objects.filter(email__iexact=email).exists()
    if not registered:
        try:
            with transaction.atomic():
                user.save()
                _sync_email_address(user, verified=False)
        except IntegrityError:  # a concurrent sign-up with the same address came first
            registered = True
    if registered:
        transaction.on_commit(lambda: _send_signup_mail(request, email=email))
        return None
    transaction.on_commit(lambda: _send_signup_mail(request, user=user))
    return user


def _send_signup_mail(request, user: User | None = None, email: str = "") -> None:
    from allauth.account.adapter import get_adapter
    from allauth.core import context

    with context.request_context(request):  # allauth builds the e-mails' links from the request in its context
        if user is None:
            get_adapter(request).send_account_already_exists_mail(email)
        else:
            EmailAddress.objects.get(user=user, email=user.email).send_confirmation(request, signup=True)


@transaction.atomic
def create_account(
    email: str,
    password: str,
    verified: bool = False,
    team: bool = False,
    referent: str | None = None,
    org: str | None = None,
    org_kind: str = Organization.Kind.ASSOCIATION,
    display_name: str = "",
    org_role: str = Membership.Role.ADMIN,
) -> User:
    """Create or update an account (the `create_account` command and the demo data use this); roles are audited."""
    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(email__iexact=email).first() or User(email=email)
    before = role_values(user) if user.pk else None
    user.set_password(password)
    if display_name:
        user.display_name = display_name
    elif not user.display_name:
        user.display_name = default_display_name()
    user.email_verified = user.email_verified or verified or team
    user.is_team = user.is_team or team or bool(referent)
    user.is_staff = user.is_staff or user.is_team
    user.save()
    _sync_email_address(user, verified=user.email_verified)
    record_role_changes(None, user, before)
    if referent:
        theme = Theme.objects.filter(slug=referent).first()
        if theme is None:
            raise ValidationError({"referent": [_("Unknown theme: %(slug)s") % {"slug": referent}]})
        set_theme_referent(theme, user, actor=None)
    if org:
        organization = Organization.objects.filter(name=org).first()
        if organization is None:
            organization = Organization.objects.create(name=org, kind=org_kind, verified=True)
            record_verification_change(None, organization)
        if not Membership.objects.filter(user=user, organization=organization).exists():
            set_membership_role(organization, user, org_role, actor=None)
    return user


# --- Roles. Every change is recorded in the audit log (core.models.AuditLog), whoever makes it and wherever:
# these services, the `create_account` command and the admin site (accounts/admin.py, core/admin.py).
# A record with no actor was made from the command line.

# Account flags that give or take away powers: the audit actions recorded when one is turned on / off.
ROLE_FLAGS = {
    "is_team": ("accounts.team_granted", "accounts.team_revoked"),
    "is_staff": ("accounts.admin_access_granted", "accounts.admin_access_revoked"),
    "is_superuser": ("accounts.superuser_granted", "accounts.superuser_revoked"),
    "email_verified": ("accounts.verified", "accounts.unverified"),
    "is_active": ("accounts.reactivated", "accounts.deactivated"),
}
# What a new account has before anyone gives it a role.
NEW_ACCOUNT_ROLES = {
    "is_team": False,
    "is_staff": False,
    "is_superuser": False,
    "email_verified": False,
    "is_active": True,
}


def role_values(user: User) -> dict:
    return {flag: getattr(user, flag) for flag in ROLE_FLAGS}


def record_role_changes(actor, user: User, before: dict | None) -> list:
    """Audit each role flag of `user` that differs from `before` (None: a new account)."""
    before = NEW_ACCOUNT_ROLES if before is None else before
    return [
        record(actor, granted if getattr(user, flag) else revoked, user)
        for flag, (granted, revoked) in ROLE_FLAGS.items()
        if getattr(user, flag) != before[flag]
    ]


@transaction.atomic
def set_team(user: User, actor, is_team: bool) -> None:
    """Make `user` a member of the mission team (with access to the admin site) or take it back; audited."""
    before = role_values(user)
    user.is_team = is_team
    user.is_staff = is_team or user.is_superuser
    user.save(update_fields=["is_team", "is_staff"])
    record_role_changes(actor, user, before)


@transaction.atomic
def set_theme_referent(theme: Theme, user: User | None, actor) -> None:
    """Name `user` referent of `theme` (None: no referent any more); audited with the previous referent."""
    previous_id = Theme.objects.filter(pk=theme.pk).values_list("referent_id", flat=True).first()
    theme.referent = user
    theme.save(update_fields=["referent"])
    record_referent_change(actor, theme, previous_id)


def record_referent_change(actor, theme: Theme, previous_id) -> None:
    if theme.referent_id == previous_id:
        return
    action = "accounts.referent_assigned" if theme.referent_id else "accounts.referent_removed"
    record(actor, action, theme, referent=theme.referent_id, previous=previous_id)


@transaction.atomic
def set_membership_role(organization: Organization, user: User, role: str, actor) -> Membership:
    """Add `user` to `organization` as admin or member, or change their role; audited."""
    if role not in Membership.Role.values:
        raise ValidationError({"role": [_("Unknown role: %(role)s") % {"role": role}]})
    membership = Membership.objects.select_for_update().filter(user=user, organization=organization).first()
    previous = {"user_id": membership.user_id, "role": membership.role} if membership else None
    if membership is None:
        membership = Membership.objects.create(user=user, organization=organization, role=role)
    elif membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
    record_membership_saved(actor, membership, previous)
    return membership


@transaction.atomic
def remove_membership(membership: Membership, actor) -> None:
    record(actor, "accounts.member_removed", membership.organization, member=membership.user_id, role=membership.role)
    membership.delete()


def record_membership_saved(actor, membership: Membership, previous: dict | None) -> None:
    """Audit a saved membership against its row before (`previous`: user_id and role; None if it is new)."""
    organization, member, role = membership.organization, membership.user_id, membership.role
    if previous is not None and previous["user_id"] != member:
        record(actor, "accounts.member_removed", organization, member=previous["user_id"], role=previous["role"])
        previous = None
    if previous is None:
        record(actor, "accounts.member_added", organization, member=member, role=role)
    elif previous["role"] != role:
        record(actor, "accounts.member_role_changed", organization, member=member, role=role, previous=previous["role"])


@transaction.atomic
def set_organization_verified(organization: Organization, actor, verified: bool) -> None:
    """Verify an organisation (its members may then publish missions) or withdraw it; audited when it changes."""
    was = Organization.objects.filter(pk=organization.pk).values_list("verified", flat=True).first()
    organization.verified = verified
    organization.save(update_fields=["verified"])
    if was != verified:
        record_verification_change(actor, organization)


def record_verification_change(actor, organization: Organization) -> None:
    record(actor, "verify_organization" if organization.verified else "unverify_organization", organization)


def revoke_tokens(user: User) -> None:
    """Delete the account's API tokens: a token never outlives the password or e-mail address it was issued for."""
    from rest_framework.authtoken.models import Token

    Token.objects.filter(user=user).delete()


@transaction.atomic
def delete_account(user: User) -> None:
    """GDPR erasure: every app erases what is personal; public contributions stay, unattributed."""
    gdpr.erase(user)
    user.delete()


def declare_home_district(user: User, number) -> User:
    """The resident declares the arrondissement they live in (what the participatory budget asks to vote)."""
    from core.models import District

    try:
        district = District.objects.filter(number=int(number)).first() if not isinstance(number, bool) else None
    except (TypeError, ValueError):
        district = None
    if district is None:
        raise ValidationError({"home_district": [_("Choose an arrondissement from 1 to 20.")]})
    user.home_district = district
    user.save(update_fields=["home_district"])
    return user
