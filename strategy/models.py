"""The living strategy: a document of chapters and sections, its immutable versions, and the inbox of contributions."""

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GinIndex, GistIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import District, Moderated, Theme
from core.search import CONFIG


class Document(models.Model):
    slug = models.SlugField(_("slug"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    introduction = models.TextField(_("introduction"), blank=True)

    class Meta:
        verbose_name = _("strategy document")
        verbose_name_plural = _("strategy documents")

    def __str__(self):
        return self.title


class Chapter(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="chapters")
    title = models.CharField(_("title"), max_length=200)
    theme = models.ForeignKey(Theme, verbose_name=_("theme"), null=True, blank=True, on_delete=models.SET_NULL)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("chapter")
        verbose_name_plural = _("chapters")

    def __str__(self):
        return self.title


class Section(models.Model):
    """The draft of one section; published text lives in SectionVersion."""

    chapter = models.ForeignKey(Chapter, verbose_name=_("chapter"), on_delete=models.CASCADE, related_name="sections")
    slug = models.SlugField(_("slug"), unique=True, max_length=80)
    title = models.CharField(_("title"), max_length=200)
    theme = models.ForeignKey(Theme, verbose_name=_("theme"), on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("draft text (Markdown)"), blank=True)
    revision = models.PositiveIntegerField(
        pgettext_lazy("strategy", "revision"), default=1, help_text=_("Incremented at every saved edit.")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["chapter__position", "position", "pk"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        constraints = [models.CheckConstraint(condition=Q(revision__gte=1), name="strategy_section_revision_positive")]

    def __str__(self):
        return self.title

    @property
    def referent(self):
        return self.theme.referent

    def get_absolute_url(self):
        return reverse("strategy:section-history", args=[self.slug])


class Version(models.Model):
    """A published, numbered, immutable version of the whole document."""

    number = models.PositiveIntegerField(_("number"), unique=True)
    summary = models.TextField(_("summary of changes"))
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-number"]
        verbose_name = _("version")
        verbose_name_plural = _("versions")
        constraints = [
            models.CheckConstraint(condition=Q(number__gte=1), name="strategy_version_number_positive"),
            models.CheckConstraint(condition=~Q(summary=""), name="strategy_version_summary_required"),
        ]

    def __str__(self):
        return f"v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk and not kwargs.pop("force_published_edit", False):
            raise ValidationError(_("A published version cannot be changed."))
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("strategy:version", args=[self.number])


class SectionVersion(models.Model):
    """Snapshot of one section in one version (never edited after publication)."""

    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="sections")
    section = models.ForeignKey(Section, null=True, on_delete=models.SET_NULL, related_name="versions")
    slug = models.SlugField(max_length=80)
    chapter_title = models.CharField(max_length=200)
    chapter_position = models.PositiveSmallIntegerField(default=0)
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(_("title"), max_length=200)
    theme_slug = models.SlugField(blank=True)
    body = models.TextField(_("text (Markdown)"), blank=True)
    body_html = models.TextField(blank=True)

    class Meta:
        ordering = ["chapter_position", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["version", "slug"], name="strategy_sectionversion_unique")]

    def __str__(self):
        return f"{self.title} (v{self.version_id})"


class Contribution(models.Model):
    """One entry of the team's inbox: a copy, kept in sync, of what a source says about its object."""

    class Sources(models.TextChoices):
        MAP = "map", _("Map proposal")
        IDEA = "idea", _("Idea")
        MISSION = "mission", _("Volunteering mission")
        COMMENT = "comment", _("Comment on the strategy")
        OFFLINE = "offline", _("Offline contribution")
        ANNOTATION = "annotation", _("Annotation of the draft")
        BUDGET = "budget", _("Participatory budget project")

    class Status(models.TextChoices):
        NEW = "new", _("new")
        REVIEWING = "reviewing", _("under review")
        RETAINED = "retained", _("retained")
        INTEGRATED = "integrated", _("integrated")
        REJECTED = "rejected", _("not retained")
        DUPLICATE = "duplicate", _("duplicate")

    source = models.CharField(_("source"), max_length=10, choices=Sources.choices)
    source_id = models.PositiveBigIntegerField(_("source id"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("text"), blank=True)
    theme = models.ForeignKey(Theme, verbose_name=_("theme"), null=True, blank=True, on_delete=models.SET_NULL)
    district = models.ForeignKey(
        District, verbose_name=_("arrondissement"), null=True, blank=True, on_delete=models.SET_NULL
    )
    location = models.GeometryField(_("location"), srid=4326, null=True, blank=True)
    support = models.PositiveIntegerField(_("support"), default=0)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, blank=True, on_delete=models.SET_NULL
    )
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(pgettext_lazy("strategy", "created at"), default=timezone.now)
    is_public = models.BooleanField(_("public"), default=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NEW)
    public_reason = models.TextField(_("public reason"), blank=True)
    duplicate_of = models.ForeignKey(
        "self", verbose_name=_("duplicate of"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_contributions",
    )
    sections = models.ManyToManyField(Section, through="ContributionSection", related_name="contributions", blank=True)
    # Offline provenance (workshops, co-construction sessions, letters).
    event = models.CharField(_("event"), max_length=200, blank=True)
    event_date = models.DateField(_("event date"), null=True, blank=True)
    participants = models.PositiveIntegerField(_("number of participants"), null=True, blank=True)
    search = models.GeneratedField(
        expression=SearchVector("title", weight="A", config=CONFIG) + SearchVector("text", weight="B", config=CONFIG),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        constraints = [
            models.UniqueConstraint(fields=["source", "source_id"], name="strategy_contribution_unique_source"),
            models.CheckConstraint(
                condition=Q(source="offline") | Q(source_id__isnull=False), name="strategy_contribution_source_id"
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(public_reason=""), name="strategy_rejected_needs_reason"
            ),
            models.CheckConstraint(
                condition=~Q(status="duplicate") | Q(duplicate_of__isnull=False), name="strategy_duplicate_needs_target"
            ),
            models.CheckConstraint(condition=~Q(duplicate_of=models.F("pk")), name="strategy_not_duplicate_of_self"),
        ]
        indexes = [
            GinIndex(fields=["search"], name="strategy_contrib_search"),
            GinIndex(fields=["title"], opclasses=["gin_trgm_ops"], name="strategy_contrib_title_trgm"),
            GistIndex(fields=["location"], name="strategy_contrib_location"),
            models.Index(fields=["is_public", "-created_at"], name="strategy_contrib_public_date"),
            models.Index(fields=["status", "-created_at"], name="strategy_contrib_status_date"),
            models.Index(fields=["source", "-created_at"], name="strategy_contrib_source_date"),
            models.Index(fields=["theme", "-created_at"], name="strategy_contrib_theme_date"),
            models.Index(fields=["district", "-created_at"], name="strategy_contrib_district_date"),
            models.Index(fields=["-support"], name="strategy_contrib_support"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("strategy:contribution", args=[self.pk])

    @property
    def is_offline(self):
        return self.source == self.Sources.OFFLINE


class ContributionSection(models.Model):
    """A contribution that fed a section; `version` is the version that integrated it (None until published)."""

    contribution = models.ForeignKey(Contribution, on_delete=models.CASCADE, related_name="links")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="links")
    linked_at = models.DateTimeField(_("linked at"), default=timezone.now)
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    version = models.ForeignKey(
        Version, verbose_name=_("integrated in"), null=True, blank=True, on_delete=models.PROTECT, related_name="links"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contribution", "section"], name="strategy_link_unique"),
        ]
        indexes = [models.Index(fields=["version"], name="strategy_link_version")]


class SectionComment(Moderated):
    """A resident's comment on a section, optionally quoting a passage; also a contribution (source "comment")."""

    section = models.ForeignKey(Section, verbose_name=_("section"), on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    quote = models.TextField(_("quoted passage"), blank=True, max_length=1000)
    body = models.TextField(_("comment"), max_length=5000)
    created_at = models.DateTimeField(pgettext_lazy("strategy", "created at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment on a section")
        verbose_name_plural = _("comments on sections")
        constraints = [models.CheckConstraint(condition=~Q(body=""), name="strategy_comment_body_required")]

    def __str__(self):
        return self.body[:60]

    def get_absolute_url(self):
        return reverse("strategy:section-history", args=[self.section.slug]) + f"#commentaire-{self.pk}"


class Consultation(models.Model):
    """A period during which residents annotate and amend chosen sections of the draft."""

    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("start"))
    ends_at = models.DateTimeField(_("end"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(pgettext_lazy("strategy", "created at"), default=timezone.now)
    sections = models.ManyToManyField(Section, through="ConsultationSection", related_name="consultations")

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="strategy_consultation_dates"),
        ]

    def __str__(self):
        return self.title

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.closed_at is None and self.starts_at <= now < self.ends_at


class ConsultationSection(models.Model):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="items")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="consultation_items")
    question = models.CharField(_("question"), max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["consultation", "section"], name="strategy_consultation_section_unique")
        ]


class Annotation(Moderated):
    """A comment or a proposed amendment anchored to one paragraph (or sentence) of a section's draft."""

    class Kind(models.TextChoices):
        COMMENT = "comment", _("comment")
        AMENDMENT = "amendment", _("amendment")

    class Stance(models.TextChoices):
        FOR = "for", _("for")
        AGAINST = "against", _("against")
        NEUTRAL = "neutral", _("neutral")

    consultation = models.ForeignKey(Consultation, on_delete=models.PROTECT, related_name="annotations")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="annotations")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.COMMENT)
    stance = models.CharField(_("stance"), max_length=8, choices=Stance.choices, default=Stance.NEUTRAL)
    quote = models.TextField(_("quoted passage"), max_length=5000)
    body = models.TextField(_("annotation"), max_length=5000, blank=True)
    replacement = models.TextField(_("proposed text"), max_length=5000, blank=True)
    # Anchor: the paragraph's index and fingerprint at the revision it was last found in.
    paragraph = models.PositiveIntegerField(_("paragraph"))
    fingerprint = models.CharField(max_length=64)
    anchored_revision = models.PositiveIntegerField(default=1)
    is_outdated = models.BooleanField(_("on an earlier version"), default=False)
    accepted_at = models.DateTimeField(pgettext_lazy("strategy", "accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    supporters_count = models.PositiveIntegerField(_("supporters"), default=0)
    created_at = models.DateTimeField(pgettext_lazy("strategy", "created at"), default=timezone.now)

    class Meta:
        ordering = ["paragraph", "created_at", "pk"]
        verbose_name = _("annotation")
        verbose_name_plural = _("annotations")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="amendment") | ~Q(replacement=""), name="strategy_amendment_needs_replacement"
            ),
            models.CheckConstraint(condition=~Q(quote=""), name="strategy_annotation_quote_required"),
        ]
        indexes = [models.Index(fields=["section", "paragraph", "created_at"], name="strategy_annotation_place")]

    def __str__(self):
        return (self.body or self.replacement)[:60]

    def get_absolute_url(self):
        return reverse("strategy:consultation-section", args=[self.section.slug]) + f"#annotation-{self.pk}"


class AnnotationSupport(models.Model):
    annotation = models.ForeignKey(Annotation, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["annotation", "user"], name="strategy_annotation_support_once")]


class AnnotationReply(Moderated):
    annotation = models.ForeignKey(Annotation, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField(_("reply"), max_length=5000)
    created_at = models.DateTimeField(pgettext_lazy("strategy", "created at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("reply to an annotation")
        verbose_name_plural = _("replies to annotations")
        constraints = [models.CheckConstraint(condition=~Q(body=""), name="strategy_reply_body_required")]


class Workshop(models.Model):
    """An offline co-construction workshop whose contributions the team enters in bulk."""

    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200)
    participants = models.PositiveIntegerField(_("number of participants"))
    organiser = models.CharField(_("organiser"), max_length=200)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(pgettext_lazy("strategy", "created at"), default=timezone.now)
    contributions = models.ManyToManyField(Contribution, related_name="workshops", blank=True)

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")
        constraints = [models.CheckConstraint(condition=Q(participants__gte=1), name="strategy_workshop_participants")]

    def __str__(self):
        return self.title
