"""Map proposals, votes for/against, comments and the public timeline of each proposal."""

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.geo import GeometryValidator
from core.models import District, Moderated, Quartier, Theme

TITLE_MAX = 140
DESCRIPTION_MAX = 5000
COMMENT_MAX = 2000


class Proposal(Moderated):
    class Status(models.TextChoices):
        PUBLISHED = "published", _("Published")
        UNDER_STUDY = "under_study", _("Under study")
        RETAINED = "retained", _("Retained")
        NOT_RETAINED = "not_retained", _("Not retained")
        REALISED = "realised", _("Realised")
        WITHDRAWN = "withdrawn", _("Withdrawn by its author")

    title = models.CharField(_("title"), max_length=TITLE_MAX)
    description = models.TextField(_("description"), max_length=DESCRIPTION_MAX)
    # Lookups by theme or arrondissement use the (theme, status) and (district, status) indexes of Meta: no index of
    # their own, which every vote's counter update would write to as well.
    theme = models.ForeignKey(
        Theme, verbose_name=_("theme"), on_delete=models.PROTECT, related_name="proposals", db_index=False
    )
    geometry = models.GeometryField(_("place"), srid=4326, validators=[GeometryValidator()])
    # One representative point (the point itself, or a point on the line/surface): clustering and viewport.
    point = models.PointField(_("representative point"), srid=4326)
    district = models.ForeignKey(
        District, verbose_name=_("arrondissement"), on_delete=models.PROTECT, related_name="proposals", db_index=False
    )
    quartier = models.ForeignKey(
        Quartier, verbose_name=_("quartier"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PUBLISHED)
    status_reason = models.TextField(_("public reason"), blank=True, max_length=2000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="map_proposals",
    )
    photo = models.ImageField(_("photo"), upload_to="public/mapvotes/%Y/%m/", blank=True)
    votes_for = models.PositiveIntegerField(_("votes for"), default=0)
    votes_against = models.PositiveIntegerField(_("votes against"), default=0)
    comments_count = models.PositiveIntegerField(_("comments"), default=0)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_from",
    )
    search = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(pgettext_lazy("mapvotes", "created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        indexes = [
            GinIndex(fields=["search"], name="mapvotes_proposal_search"),
            models.Index(fields=["theme", "status"], name="mapvotes_proposal_theme"),
            models.Index(fields=["district", "status"], name="mapvotes_proposal_district"),
            models.Index(fields=["-votes_for"], name="mapvotes_proposal_votes"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(merged_into=models.F("pk")), name="mapvotes_proposal_not_merged_into_itself"
            ),
            models.CheckConstraint(condition=~models.Q(title=""), name="mapvotes_proposal_title_not_empty"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("mapvotes:detail", args=[self.pk])

    @property
    def is_public(self):
        return not self.is_hidden and self.merged_into_id is None

    @property
    def votes_total(self):
        return self.votes_for + self.votes_against


class Vote(models.Model):
    class Value(models.TextChoices):
        FOR = "for", _("For")
        AGAINST = "against", _("Against")

    # Both covered by an index that starts with them (the unique (user, proposal) one, and (proposal, value)): no index
    # of their own for every vote to write.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("voter"),
        on_delete=models.CASCADE,
        related_name="map_votes",
        db_index=False,
    )
    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="votes", db_index=False
    )
    value = models.CharField(_("vote"), max_length=7, choices=Value.choices)
    created_at = models.DateTimeField(pgettext_lazy("mapvotes", "created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(fields=["user", "proposal"], name="mapvotes_one_vote_per_account"),
            models.CheckConstraint(condition=models.Q(value__in=["for", "against"]), name="mapvotes_vote_value"),
        ]
        indexes = [models.Index(fields=["proposal", "value"], name="mapvotes_vote_proposal")]

    def __str__(self):
        return f"{self.user_id} {self.value} {self.proposal_id}"


class Comment(Moderated):
    class Stance(models.TextChoices):
        NONE = "", _("No stance")
        FOR = "for", _("For")
        AGAINST = "against", _("Against")
        QUESTION = "question", _("Question")

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="map_comments",
    )
    body = models.TextField(_("comment"), max_length=COMMENT_MAX, blank=True)
    stance = models.CharField(_("stance"), max_length=8, choices=Stance.choices, blank=True, default="")
    # One level of replies: a reply's parent is always a top-level comment (services.add_comment flattens).
    parent = models.ForeignKey(
        "self", verbose_name=_("in reply to"), null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    created_at = models.DateTimeField(pgettext_lazy("mapvotes", "created at"), auto_now_add=True)
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True)
    # Deleted by its author: the body is wiped but the row stays, so that its replies keep their place.
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [models.Index(fields=["proposal", "created_at"], name="mapvotes_comment_proposal")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(stance__in=["", "for", "against", "question"]), name="mapvotes_comment_stance"
            ),
            models.CheckConstraint(
                condition=~models.Q(body="") | models.Q(deleted_at__isnull=False),
                name="mapvotes_comment_body_not_empty",
            ),
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("pk")), name="mapvotes_comment_not_reply_to_itself"
            ),
        ]

    def __str__(self):
        return self.body[:60]

    @property
    def is_deleted(self):
        return self.deleted_at is not None


class ProposalRevision(models.Model):
    """The title, description and theme of a proposal before one edit by its author (kept for the public history)."""

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="revisions"
    )
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("edited by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    title = models.CharField(_("previous title"), max_length=TITLE_MAX)
    description = models.TextField(_("previous description"), max_length=DESCRIPTION_MAX)
    theme = models.ForeignKey(
        Theme, verbose_name=_("previous theme"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    substantial = models.BooleanField(_("substantial change"), default=False)
    created_at = models.DateTimeField(_("date"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("proposal revision")
        verbose_name_plural = _("proposal revisions")
        indexes = [models.Index(fields=["proposal", "created_at"], name="mapvotes_revision_proposal")]

    def __str__(self):
        return f"{self.proposal_id} @ {self.created_at}"


class TimelineEvent(models.Model):
    """What happened to a proposal, shown publicly: status changes, merges, moderation decisions."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Proposed")
        STATUS = "status", _("Status changed")
        MERGED_INTO = "merged_into", _("Merged into another proposal")
        MERGED_FROM = "merged_from", _("Another proposal was merged into this one")
        HIDDEN = "hidden", _("Hidden by the team")
        RESTORED = "restored", _("Restored by the team")
        EDITED = "edited", _("Edited by its author")
        WITHDRAWN = "withdrawn", _("Withdrawn by its author")

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="timeline"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=20, choices=Proposal.Status.choices, blank=True)
    reason = models.TextField(_("public reason"), blank=True)
    other = models.ForeignKey(
        Proposal, verbose_name=_("other proposal"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("by"), max_length=150, blank=True)
    revision = models.ForeignKey(
        ProposalRevision,
        verbose_name=_("revision"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("date"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")
        indexes = [models.Index(fields=["proposal", "created_at"], name="mapvotes_timeline_proposal")]

    def __str__(self):
        return f"{self.kind} {self.proposal_id}"


# Zoom levels whose cluster cells are kept summarised: all those the map clusters at, and 15–16 for dense viewports.
CELL_ZOOMS = range(0, 17)
CLUSTER_CELL_PX = 80  # size of a cluster cell on screen, in pixels of 256 px tiles


def cell_size(zoom: int) -> float:
    """Degrees covered by CLUSTER_CELL_PX pixels at `zoom`; the SQL of migration 0004 computes it identically."""
    return 360 / (256 * 2**zoom) * CLUSTER_CELL_PX


class ClusterCell(models.Model):
    """The published proposals of one theme and status in one cluster cell at one zoom: count, sums of coordinates,
    sum of ids. A cell of the map adds up its rows (those of the filtered themes and status, when filtered).

    Kept true by PostgreSQL triggers on mapvotes_proposal (migrations 0002, 0004), so that every writer (services,
    admin, bulk SQL, cascades) updates it in the writer's own transaction: a proposal counts when it is neither hidden
    nor merged. The centroid is (sum_x / n, sum_y / n); when n = 1, sum_id is the id of the lone proposal. The sums
    are numeric so that adding and removing the same point leaves them exact.
    """

    pk = models.CompositePrimaryKey("zoom", "gx", "gy", "theme_id", "status")  # a viewport is a range of gx, gy
    zoom = models.SmallIntegerField()
    theme_id = models.BigIntegerField()  # no foreign key: a row of a summary, kept by triggers
    status = models.CharField(max_length=20)
    gx = models.IntegerField()
    gy = models.IntegerField()
    n = models.IntegerField(default=0)
    sum_x = models.DecimalField(max_digits=40, decimal_places=20, default=0)
    sum_y = models.DecimalField(max_digits=40, decimal_places=20, default=0)
    sum_id = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("cluster cell")
        verbose_name_plural = _("cluster cells")

    def __str__(self):
        return f"{self.zoom}/{self.gx}/{self.gy} ({self.theme_id}, {self.status}): {self.n}"
