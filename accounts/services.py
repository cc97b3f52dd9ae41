from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core import gdpr
from core.models import Theme
from core.moderation import record

from .models import Membership, Organization, User


def _sync_email_address(user: User, verified: bool) -> None:
    EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"primary": True, "verified": verified})


@transaction.atomic
def register(email: str, password: str, display_name: str = "", language: str = "fr") -> User:
    """Create an unverified account and send the confirmation e-mail."""
    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": [_("An account already uses this e-mail address.")]})
    user = User(email=email, display_name=display_name, preferred_language=language)
    from django.contrib.auth.password_validation import validate_password

    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    user.set_password(password)
    user.save()
    _sync_email_address(user, verified=False)
    return user


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
    """Create or update an account (the `create_account` command and the demo data use this)."""
    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(email__iexact=email).first() or User(email=email)
    user.set_password(password)
    if display_name:
        user.display_name = display_name
    user.email_verified = user.email_verified or verified or team
    user.is_team = user.is_team or team or bool(referent)
    user.is_staff = user.is_staff or user.is_team
    user.save()
    _sync_email_address(user, verified=user.email_verified)
    if referent:
        theme = Theme.objects.filter(slug=referent).first()
        if theme is None:
            raise ValidationError({"referent": [_("Unknown theme: %(slug)s") % {"slug": referent}]})
        theme.referent = user
        theme.save(update_fields=["referent"])
    if org:
        organization, created = Organization.objects.get_or_create(
            name=org, defaults={"kind": org_kind, "verified": True}
        )
        Membership.objects.get_or_create(user=user, organization=organization, defaults={"role": org_role})
    return user


def set_organization_verified(organization: Organization, actor, verified: bool) -> None:
    organization.verified = verified
    organization.save(update_fields=["verified"])
    record(actor, "verify_organization" if verified else "unverify_organization", organization)


@transaction.atomic
def delete_account(user: User) -> None:
    """GDPR erasure: every app erases what is personal; public contributions stay, unattributed."""
    gdpr.erase(user)
    user.delete()
