import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.gis.db import models
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

DELETED_ACCOUNT_LABEL = _("deleted account")


def default_display_name(seed: int | None = None) -> str:
    """A neutral public name for an account that chose none: never derived from the e-mail address (it is private)."""
    number = secrets.randbelow(9000) + 1000 if seed is None else 1000 + (seed * 7919) % 9000
    return f"Participant·e {number}"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True, is_team=True, email_verified=True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("e-mail address"), unique=True)
    display_name = models.CharField(_("display name"), max_length=80, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=5, choices=settings.LANGUAGES, default="fr"
    )
    email_verified = models.BooleanField(
        _("verified"), default=False, help_text=_("Verified accounts can propose, vote, apply and offer support.")
    )
    is_team = models.BooleanField(
        _("mission team"), default=False, help_text=_("Staff of the Mission ville intelligente et durable.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("admin site access"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    home_district = models.ForeignKey(
        "core.District",
        verbose_name=_("arrondissement of residence"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Declared by the resident; required to vote in the participatory budget."),
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")

    def __str__(self):
        return self.public_name

    @property
    def public_name(self):
        return self.display_name or default_display_name(self.pk or 0)

    @property
    def is_verified(self):
        return self.is_active and self.email_verified


class Organization(models.Model):
    class Kind(models.TextChoices):
        ASSOCIATION = "association", _("association")
        COMPANY = "company", _("company")
        CITY_SERVICE = "city_service", _("city service")
        COLLECTIVE = "collective", _("collective")
        FOUNDATION = "foundation", _("foundation")
        INCUBATOR = "incubator", _("incubator")

    name = models.CharField(_("name"), max_length=150, unique=True)
    slug = models.SlugField(_("slug"), max_length=160, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ASSOCIATION)
    description = models.TextField(_("description"), blank=True)
    website = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("contact e-mail"), blank=True)
    district = models.ForeignKey(
        "core.District", verbose_name=_("arrondissement"), null=True, blank=True, on_delete=models.SET_NULL
    )
    verified = models.BooleanField(_("verified by the mission team"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="Membership", related_name="organizations")

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            base = slugify(self.name)[:150] or "organisation"
            slug, n = base, 2
            while Organization.objects.filter(slug=slug).exclude(pk=self.pk).exists():
                slug, n = f"{base}-{n}", n + 1
            self.slug = slug
        super().save(*args, **kwargs)


class Membership(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", _("administrator")
        MEMBER = "member", _("member")
        # Of a City direction (organisation of kind city_service): manages its internship offers and applications.
        CORRESPONDENT = "correspondent", _("internship correspondent")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["user", "organization"], name="unique_membership")]

    def __str__(self):
        return f"{self.user} — {self.organization} ({self.get_role_display()})"
