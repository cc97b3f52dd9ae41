"""Shared vocabulary of every space: themes, the territory, notifications, the audit log."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Theme(models.Model):
    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name (French)"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)
    color = models.CharField(_("colour"), max_length=7, default="#1f4e79", help_text=_("Hex colour used on maps."))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    in_strategy = models.BooleanField(_("strategy theme"), default=False)
    referent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("referent"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referent_themes",
    )

    class Meta:
        ordering = ["position", "slug"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self):
        return self.label

    @property
    def label(self):
        if (get_language() or "fr").startswith("en") and self.name_en:
            return self.name_en
        return self.name


class District(models.Model):
    """One of the 20 arrondissements."""

    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    insee = models.CharField(_("INSEE code"), max_length=5, unique=True)
    name = models.CharField(_("name"), max_length=40)
    official_name = models.CharField(_("official name"), max_length=80, blank=True)
    geometry = models.MultiPolygonField(_("boundary"), srid=4326)
    approximate = models.BooleanField(_("approximate boundary"), default=False)

    class Meta:
        ordering = ["number"]
        verbose_name = _("arrondissement")
        verbose_name_plural = _("arrondissements")
        constraints = [
            models.CheckConstraint(condition=models.Q(number__gte=1, number__lte=20), name="district_number_1_20")
        ]

    def __str__(self):
        return self.name


class Quartier(models.Model):
    """One of the 80 quartiers administratifs."""

    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    insee = models.CharField(_("INSEE code"), max_length=7, unique=True)
    name = models.CharField(_("name"), max_length=80)
    district = models.ForeignKey(
        District, verbose_name=_("arrondissement"), on_delete=models.CASCADE, related_name="quartiers"
    )
    geometry = models.MultiPolygonField(_("boundary"), srid=4326)
    approximate = models.BooleanField(_("approximate boundary"), default=False)

    class Meta:
        ordering = ["number"]
        verbose_name = _("quartier")
        verbose_name_plural = _("quartiers")

    def __str__(self):
        return self.name


class Notification(models.Model):
    """Something the platform tells one account. `message` holds the title and body as message keys (the English
    msgid) and parameters, rendered in the reader's language when displayed (`core.notifications.render`); `title`
    and `body` keep the text in the recipient's language at creation, the fallback (and all that older rows have).
    Text columns: a notification is sized by construction, never the reason the action behind it fails."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=60)
    title = models.TextField(_("title"))
    body = models.TextField(_("body"), blank=True)
    message = models.JSONField(_("message keys"), default=dict, blank=True)
    url = models.TextField(_("link"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # Waits for the recipient's weekly digest e-mail (their setting for this kind).
    digest_pending = models.BooleanField(_("awaiting the weekly digest"), default=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "-created_at"]),
            models.Index(
                fields=["recipient"], condition=models.Q(digest_pending=True), name="notification_digest_pending"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def display_title(self) -> str:
        """The title in the active language (the reader's)."""
        from .notifications import render

        return render(self, "title")

    @property
    def display_body(self) -> str:
        from .notifications import render

        return render(self, "body")


class NotificationSetting(models.Model):
    """How one account wants to hear about one category of notifications (`core.notifications.CATEGORIES`); no row
    means the category's default."""

    class Channel(models.TextChoices):
        IN_APP = "in_app", _("On the site only")
        EMAIL = "email", _("On the site and by e-mail at once")
        DIGEST = "digest", _("On the site and in a weekly e-mail")
        NONE = "none", _("Never")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="notification_settings",
    )
    category = models.CharField(_("category"), max_length=40)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)

    class Meta:
        verbose_name = _("notification setting")
        verbose_name_plural = _("notification settings")
        constraints = [
            models.UniqueConstraint(fields=["user", "category"], name="notification_setting_unique_per_category")
        ]

    def __str__(self):
        return f"{self.category}: {self.channel}"


class Follow(models.Model):
    """Someone follows a proposal, an idea, a mission or a strategy section (core.follows) and is told of its status
    changes, answers and new versions, within their notification settings."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("account"), on_delete=models.CASCADE, related_name="follows"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField(_("date"), auto_now_add=True)

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.UniqueConstraint(fields=["user", "content_type", "object_id"], name="follow_unique_per_target")
        ]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return f"{self.user_id} → {self.content_type_id}:{self.object_id}"


class AuditLog(models.Model):
    """Who did what, when and why: moderation, verification, roles, publication."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(_("action"), max_length=60)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL)
    object_id = models.CharField(max_length=40, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    target_repr = models.CharField(_("target"), max_length=200, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("date"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("audit record")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return f"{self.action} {self.target_repr}"


class Report(models.Model):
    """Anyone may report a piece of content; the team decides (see core.moderation)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reported by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(_("reason"), max_length=1000)
    created_at = models.DateTimeField(_("date"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        indexes = [models.Index(fields=["content_type", "object_id"])]


class Moderated(models.Model):
    """Mixin for content the team can hide; the public reason is shown in place of the content."""

    is_hidden = models.BooleanField(_("hidden"), default=False, db_index=True)
    hidden_reason = models.CharField(_("moderation reason"), max_length=500, blank=True)

    class Meta:
        abstract = True


class CityBoundary(models.Model):
    """The outline of Paris (union of the arrondissements), kept by load_districts for fast containment tests."""

    name = models.CharField(max_length=40, unique=True, default="paris")
    geometry = models.MultiPolygonField(srid=4326)

    class Meta:
        verbose_name = _("city boundary")
        verbose_name_plural = _("city boundaries")

    def __str__(self):
        return self.name


class Place(models.Model):
    """A named place of Paris that residents type instead of coordinates (gazetteer of `core.geocoding`).

    Filled by `manage.py load_places`: every arrondissement and quartier, a hand-made list of landmarks, and
    optionally street names and Vélib stations from the Ville de Paris open data.
    """

    class Kind(models.TextChoices):
        ARRONDISSEMENT = "arrondissement", _("arrondissement")
        QUARTIER = "quartier", _("quartier")
        LANDMARK = "landmark", _("landmark")
        STREET = "street", _("street")
        STATION = "station", _("Vélib station")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    # Lower-case, accents removed: what the trigram index compares with what people type.
    normalized = models.CharField(max_length=200, editable=False)
    point = models.PointField(_("point"), srid=4326, geography=True)
    district = models.ForeignKey(
        District, verbose_name=_("arrondissement"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        constraints = [models.UniqueConstraint(fields=["kind", "normalized"], name="place_unique_per_kind")]
        indexes = [GinIndex(OpClass("normalized", name="gin_trgm_ops"), name="place_normalized_trgm")]

    def __str__(self):
        return self.name
