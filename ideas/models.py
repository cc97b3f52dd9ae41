"""Paris Idée: ideas with typed needs, partner profiles with offers, and the connections between them."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from core.models import Moderated

PITCH_MAX = 280


class NeedKind(models.TextChoices):
    FUNDING = "funding", _("funding")
    SKILLS = "skills", _("skills and expertise")
    PLACE = "place", _("place")
    EQUIPMENT = "equipment", _("equipment")
    VOLUNTEERS = "volunteers", _("volunteers")
    COMMUNICATION = "communication", _("communication")
    INSTITUTIONAL = "institutional", _("institutional support")


class Idea(Moderated):
    class Stage(models.TextChoices):
        IDEA = "idea", _("idea")
        BUILDING = "building", _("being built")
        PROTOTYPE = "prototype", _("prototype")
        RUNNING = "running", _("up and running")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")
        IN_PARTNERSHIP = "in_partnership", _("in partnership")
        REALISED = "realised", _("realised")
        ARCHIVED = "archived", _("archived")

    # Statuses in which an idea is public and open to partners.
    OPEN_STATUSES = (Status.PUBLISHED, Status.IN_PARTNERSHIP)
    PUBLIC_STATUSES = (Status.PUBLISHED, Status.IN_PARTNERSHIP, Status.REALISED, Status.ARCHIVED)

    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("project holder"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="ideas",
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("carried by the organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ideas",
    )
    title = models.CharField(_("title"), max_length=150)
    pitch = models.CharField(_("pitch"), max_length=PITCH_MAX, help_text=_("Your idea in 280 characters."))
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown is accepted."))
    description_html = models.TextField(editable=False, blank=True)
    themes = models.ManyToManyField("core.Theme", verbose_name=_("themes"), related_name="ideas", blank=True)
    districts = models.ManyToManyField(
        "core.District",
        verbose_name=_("arrondissements"),
        related_name="ideas",
        blank=True,
        help_text=_("Leave empty for a city-wide idea."),
    )
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, default=Stage.IDEA)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    team = models.TextField(_("team"), blank=True, help_text=_("Who carries the project with you."))
    supporters_count = models.PositiveIntegerField(_("supporters"), default=0)
    search = SearchVectorField(null=True, editable=False)
    # Matching copies, kept by services.sync_match_fields() (one row read instead of joins per candidate).
    open_need_kinds = ArrayField(models.CharField(max_length=16), default=list, editable=False)
    theme_ids = ArrayField(models.IntegerField(), default=list, editable=False)
    district_numbers = ArrayField(models.SmallIntegerField(), default=list, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(pgettext_lazy("ideas", "updated at"), auto_now=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("idea")
        verbose_name_plural = _("ideas")
        indexes = [
            GinIndex(fields=["search"], name="idea_search_gin"),
            GinIndex(fields=["open_need_kinds"], name="idea_open_need_kinds_gin"),
            models.Index(fields=["status", "-published_at"], name="idea_status_published"),
            # The public list: walked in its own order (newest first), 20 rows read per page, counted from the
            # index alone. The condition is public_ideas() (statuses published, in partnership, realised, archived).
            models.Index(
                models.F("published_at").desc(),
                models.F("id").desc(),
                name="idea_public_newest",
                condition=models.Q(is_hidden=False, status__in=["published", "in_partnership", "realised", "archived"]),
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=LessThanOrEqual(Length("pitch"), PITCH_MAX), name="idea_pitch_max_280"),
            models.CheckConstraint(condition=~Q(title=""), name="idea_title_not_empty"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("ideas:detail", args=[self.pk])

    @property
    def is_public(self):
        return self.status in self.PUBLIC_STATUSES and not self.is_hidden


MAX_IMAGES = 6


class IdeaImage(models.Model):
    """A picture of the project (sketch, prototype, place), re-encoded without metadata, with its description."""

    idea = models.ForeignKey(Idea, verbose_name=_("idea"), on_delete=models.CASCADE, related_name="images")
    # Under public/: served by core's public media view in every mode (never CVs, which live elsewhere).
    image = models.ImageField(_("image"), upload_to="public/ideas/%Y/%m/")
    alt = models.CharField(
        _("image description"), max_length=200, help_text=_("What the image shows, for people who cannot see it.")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("idea image")
        verbose_name_plural = _("idea images")
        constraints = [models.CheckConstraint(condition=~Q(alt=""), name="idea_image_alt_not_empty")]

    def __str__(self):
        return self.alt


class Need(models.Model):
    idea = models.ForeignKey(Idea, verbose_name=_("idea"), on_delete=models.CASCADE, related_name="needs")
    kind = models.CharField(_("kind of need"), max_length=16, choices=NeedKind.choices)
    description = models.CharField(_("description"), max_length=500, blank=True)
    amount = models.DecimalField(
        _("amount (€)"), max_digits=10, decimal_places=2, null=True, blank=True, help_text=_("For funding needs.")
    )
    covered = models.BooleanField(_("covered"), default=False)
    # A volunteering mission created from this need; a plain id so that ideas never imports volunteering.
    mission_id = models.PositiveIntegerField(_("volunteering mission"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        indexes = [models.Index(fields=["kind", "covered"], name="need_kind_covered")]
        constraints = [
            models.CheckConstraint(condition=~Q(kind="funding") | Q(amount__gt=0), name="need_funding_amount_positive"),
            models.CheckConstraint(condition=Q(amount__isnull=True) | Q(amount__gt=0), name="need_amount_positive"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.idea}"


class PartnerProfile(models.Model):
    organization = models.OneToOneField(
        "accounts.Organization", verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="partner"
    )
    description = models.TextField(_("what we can bring"), blank=True)
    themes = models.ManyToManyField("core.Theme", verbose_name=_("themes"), related_name="partners", blank=True)
    districts = models.ManyToManyField(
        "core.District",
        verbose_name=_("arrondissements"),
        related_name="partners",
        blank=True,
        help_text=_("Leave empty if you act everywhere in Paris."),
    )
    capacity = models.PositiveSmallIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("How many projects you can support at the same time.")
    )
    search = SearchVectorField(null=True, editable=False)
    # Matching copies, kept by services.sync_match_fields().
    offer_kinds = ArrayField(models.CharField(max_length=16), default=list, editable=False)
    theme_ids = ArrayField(models.IntegerField(), default=list, editable=False)
    district_numbers = ArrayField(models.SmallIntegerField(), default=list, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["organization__name"]
        verbose_name = _("partner profile")
        verbose_name_plural = _("partner profiles")
        indexes = [
            GinIndex(fields=["search"], name="partner_search_gin"),
            GinIndex(fields=["offer_kinds"], name="partner_offer_kinds_gin"),
        ]

    def __str__(self):
        return str(self.organization)

    def get_absolute_url(self):
        return reverse("ideas:partner", args=[self.pk])


class Offer(models.Model):
    partner = models.ForeignKey(
        PartnerProfile, verbose_name=_("partner"), on_delete=models.CASCADE, related_name="offers"
    )
    kind = models.CharField(_("what is offered"), max_length=16, choices=NeedKind.choices)
    description = models.CharField(_("details"), max_length=500, blank=True)

    class Meta:
        ordering = ["kind"]
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        indexes = [models.Index(fields=["kind", "partner"], name="offer_kind_partner")]
        constraints = [models.UniqueConstraint(fields=["partner", "kind"], name="offer_unique_kind_per_partner")]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.partner}"


class Connection(models.Model):
    class Side(models.TextChoices):
        HOLDER = "holder", _("project holder")
        PARTNER = "partner", _("partner")

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", pgettext_lazy("ideas", "declined")

    idea = models.ForeignKey(Idea, verbose_name=_("idea"), on_delete=models.CASCADE, related_name="connections")
    need = models.ForeignKey(Need, verbose_name=_("need"), on_delete=models.CASCADE, related_name="connections")
    partner = models.ForeignKey(
        PartnerProfile, verbose_name=_("partner"), on_delete=models.CASCADE, related_name="connections"
    )
    initiated_by = models.CharField(_("initiated by"), max_length=8, choices=Side.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("created by")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last activity"), auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("connection")
        verbose_name_plural = _("connections")
        constraints = [
            models.UniqueConstraint(
                fields=["need", "partner"],
                condition=Q(status__in=["pending", "accepted"]),
                name="connection_one_active_per_need_partner",
            ),
            models.UniqueConstraint(
                fields=["need"], condition=Q(status="accepted"), name="connection_one_accepted_per_need"
            ),
        ]

    def __str__(self):
        return f"{self.partner} ↔ {self.idea}"

    def get_absolute_url(self):
        return reverse("ideas:connection", args=[self.pk])


class Message(models.Model):
    connection = models.ForeignKey(
        Connection, verbose_name=_("conversation"), on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("ideas", "author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = models.TextField(_("message"), max_length=5000)
    created_at = models.DateTimeField(pgettext_lazy("ideas", "sent at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self):
        # Never the text: a private conversation stays private in lists, logs and the admin.
        return gettext("Message #%(id)s in conversation #%(connection)s") % {
            "id": self.pk,
            "connection": self.connection_id,
        }


class Support(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("supporter"), on_delete=models.CASCADE, related_name="idea_supports"
    )
    idea = models.ForeignKey(Idea, verbose_name=_("idea"), on_delete=models.CASCADE, related_name="supports")
    created_at = models.DateTimeField(_("date"), auto_now_add=True)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [models.UniqueConstraint(fields=["user", "idea"], name="support_unique_user_idea")]

    def __str__(self):
        return f"{self.user_id} → {self.idea_id}"


class Comment(Moderated):
    idea = models.ForeignKey(Idea, verbose_name=_("idea"), on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("ideas", "author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = models.TextField(_("comment"), max_length=3000, blank=True)
    # One level of replies: a reply's parent is always a top-level comment (services.add_comment flattens).
    parent = models.ForeignKey(
        "self", verbose_name=_("in reply to"), null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    created_at = models.DateTimeField(_("date"), auto_now_add=True)
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True)
    # Deleted by its author: the body is wiped but the row stays, so that its replies keep their place.
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(body="") | models.Q(deleted_at__isnull=False),
                name="ideas_comment_body_not_empty",
            ),
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("pk")), name="ideas_comment_not_reply_to_itself"
            ),
        ]

    def __str__(self):
        return self.body[:60]

    @property
    def is_deleted(self):
        return self.deleted_at is not None


class NewsPost(models.Model):
    idea = models.ForeignKey(Idea, verbose_name=_("idea"), on_delete=models.CASCADE, related_name="news")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("ideas", "author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    title = models.CharField(_("title"), max_length=150)
    body = models.TextField(_("text"), max_length=5000)
    created_at = models.DateTimeField(_("date"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("news post")
        verbose_name_plural = _("news posts")

    def __str__(self):
        return self.title


class TimelineEvent(models.Model):
    """The public story of an idea: published, partnership, need covered, news, status changes."""

    class Kind(models.TextChoices):
        PUBLISHED = "published", _("published")
        NEED_COVERED = "need_covered", _("need covered")
        PARTNERSHIP = "partnership", _("partnership")
        NEWS = "news", _("news")
        STATUS = "status", _("status changed")
        MISSION = "mission", _("volunteering mission")

    idea = models.ForeignKey(Idea, verbose_name=_("idea"), on_delete=models.CASCADE, related_name="timeline")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    text = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = pgettext_lazy("ideas", "timeline event")
        verbose_name_plural = pgettext_lazy("ideas", "timeline events")

    def __str__(self):
        return self.text
