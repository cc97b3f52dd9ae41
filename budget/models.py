"""Participatory budget: campaigns (éditions) with dated phases and envelopes, projects, ballots."""

import datetime

from django.conf import settings
from django.contrib.gis.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.geo import GeometryValidator
from core.models import District, Quartier

TITLE_MAX = 200
DESCRIPTION_MAX = 5000


class Phase(models.TextChoices):
    SUBMISSION = "submission", _("Submission of projects")
    STUDY = "study", _("Study by the City's services")
    VOTE = "vote", pgettext_lazy("budget phase", "Vote")
    RESULTS = "results", _("Results")
    DELIVERY = "delivery", _("Delivery of the winning projects")


class Campaign(models.Model):
    class Rule(models.TextChoices):
        COUNT = "count", _("Up to a number of projects per scope")
        ENVELOPE = "envelope", _("Projects whose costs fit the envelope of each scope")

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    title = models.CharField(_("title"), max_length=120, blank=True)
    rule = models.CharField(_("ballot rule"), max_length=10, choices=Rule.choices, default=Rule.ENVELOPE)
    max_per_scope = models.PositiveSmallIntegerField(
        _("projects per scope"), default=5, help_text=_("With the rule “up to a number of projects per scope”.")
    )
    submission_opens = models.DateField(_("submission opens"))
    study_opens = models.DateField(_("study starts"))
    vote_opens = models.DateField(_("vote opens"))
    results_on = models.DateField(_("results published (the vote closes the day before)"))
    delivery_opens = models.DateField(_("delivery starts"))
    results_published = models.BooleanField(_("results published"), default=False, editable=False)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(submission_opens__lte=models.F("study_opens"))
                & models.Q(study_opens__lte=models.F("vote_opens"))
                & models.Q(vote_opens__lt=models.F("results_on"))
                & models.Q(results_on__lte=models.F("delivery_opens")),
                name="budget_campaign_phases_in_order",
            ),
            models.CheckConstraint(condition=models.Q(max_per_scope__gte=1), name="budget_campaign_max_per_scope"),
        ]

    def __str__(self):
        return self.title or str(_("Participatory budget %(year)s") % {"year": self.year})

    def get_absolute_url(self):
        return reverse("budget:campaign", args=[self.year])

    def phase_on(self, day: datetime.date) -> str:
        phase = Phase.SUBMISSION
        for name, start in (
            (Phase.STUDY, self.study_opens),
            (Phase.VOTE, self.vote_opens),
            (Phase.RESULTS, self.results_on),
            (Phase.DELIVERY, self.delivery_opens),
        ):
            if day >= start:
                phase = name
        return phase

    @property
    def phase(self) -> str:
        return self.phase_on(timezone.localdate())

    def get_phase_display(self):
        return Phase(self.phase).label


class Scope(models.Model):
    """All of Paris (no arrondissement) or one arrondissement, with its envelope in euros."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="scopes")
    district = models.ForeignKey(
        District, verbose_name=_("arrondissement"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    envelope = models.PositiveBigIntegerField(_("envelope (€)"))
    popular_share = models.PositiveBigIntegerField(
        _("reserved for the quartiers populaires (€)"), default=0, help_text=_("Part of the envelope, if any.")
    )

    class Meta:
        ordering = ["campaign", "district__number"]
        verbose_name = _("scope")
        verbose_name_plural = _("scopes")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "district"], name="budget_scope_unique"),
            models.UniqueConstraint(
                fields=["campaign"], condition=models.Q(district__isnull=True), name="budget_scope_one_paris"
            ),
            models.CheckConstraint(
                condition=models.Q(popular_share__lte=models.F("envelope")), name="budget_scope_share_in_envelope"
            ),
        ]

    def __str__(self):
        return str(self.label)

    @property
    def code(self) -> str:
        return "paris" if self.district_id is None else str(self.district.number)

    @property
    def label(self):
        return _("All of Paris") if self.district_id is None else self.district.name


class Project(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted, under study")
        ADMISSIBLE = "admissible", _("Admissible")
        INADMISSIBLE = "inadmissible", _("Not admissible")
        MERGED = "merged", _("Merged into another project")

    class Stage(models.TextChoices):
        STUDY = "study", _("Studies")
        PROCEDURES = "procedures", _("Procedures")
        WORKS = "works", _("Works")
        DELIVERED = "delivered", _("Delivered")
        OPEN = "open", _("Open to the public")
        ABANDONED = "abandoned", _("Abandoned")

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="projects"
    )
    scope = models.ForeignKey(Scope, verbose_name=_("scope"), on_delete=models.PROTECT, related_name="projects")
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    description = models.TextField(_("description"), max_length=DESCRIPTION_MAX, blank=True)
    theme_label = models.CharField(_("theme"), max_length=80, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    geometry = models.GeometryField(_("place"), srid=4326, validators=[GeometryValidator()])
    point = models.PointField(_("representative point"), srid=4326)
    approximate_location = models.BooleanField(
        _("placed at its arrondissement"), default=False, help_text=_("The address could not be placed on the map.")
    )
    district = models.ForeignKey(
        District, verbose_name=_("arrondissement"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    quartier = models.ForeignKey(
        Quartier, verbose_name=_("quartier"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    popular_quartier = models.BooleanField(_("in a quartier populaire"), default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("budget", "author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="budget_projects",
    )
    estimated_need = models.PositiveBigIntegerField(_("need estimated by the author (€)"), null=True, blank=True)
    cost = models.PositiveBigIntegerField(_("cost estimated by the services (€)"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=14, choices=Status.choices, default=Status.SUBMITTED)
    status_reason = models.TextField(_("public reason"), blank=True, max_length=2000)
    lead_direction = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("lead direction"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="budget_projects",
        limit_choices_to={"kind": "city_service"},
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=pgettext_lazy("budget", "merged into"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged",
    )
    votes = models.PositiveIntegerField(_("votes"), default=0)
    winner = models.BooleanField(_("winner"), default=False)
    stage = models.CharField(pgettext_lazy("budget", "stage"), max_length=12, choices=Stage.choices, blank=True)
    stage_reason = models.TextField(_("reason (abandoned)"), blank=True, max_length=2000)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), null=True, blank=True)
    study_date = models.DateField(_("studies started"), null=True, blank=True)
    procedures_date = models.DateField(_("procedures started"), null=True, blank=True)
    works_date = models.DateField(_("works started"), null=True, blank=True)
    delivery_date = models.DateField(_("delivery (planned)"), null=True, blank=True)
    opening_date = models.DateField(_("opened to the public"), null=True, blank=True)
    external_id = models.CharField(_("identifier in the City's data"), max_length=20, blank=True)
    source_url = models.URLField(_("page on decider.paris.fr"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(pgettext_lazy("budget", "updated at"), auto_now=True)

    class Meta:
        ordering = ["-campaign__year", "title"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        indexes = [
            models.Index(fields=["campaign", "status"], name="budget_project_campaign"),
            models.Index(fields=["district", "campaign"], name="budget_project_district"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"], condition=~models.Q(external_id=""), name="budget_project_external_id"
            ),
            models.CheckConstraint(condition=~models.Q(title=""), name="budget_project_title_not_empty"),
            models.CheckConstraint(
                condition=~models.Q(status="inadmissible") | ~models.Q(status_reason=""),
                name="budget_project_inadmissible_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(winner=True) | models.Q(stage=""), name="budget_project_stage_for_winners"
            ),
            models.CheckConstraint(
                condition=models.Q(progress__isnull=True) | models.Q(progress__lte=100),
                name="budget_project_progress_percent",
            ),
            models.CheckConstraint(
                condition=~models.Q(merged_into=models.F("pk")), name="budget_project_not_merged_into_itself"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("budget:project", args=[self.pk])

    @property
    def shown_cost(self):
        return self.cost if self.cost is not None else self.estimated_need


class Ballot(models.Model):
    """Who voted in a campaign (never shown) and, through its choices, for what (only ever counted)."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="ballots")
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("budget", "voter"),
        on_delete=models.CASCADE,
        related_name="budget_ballots",
    )
    district = models.ForeignKey(
        District,
        verbose_name=_("arrondissement chosen"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    projects = models.ManyToManyField(Project, through="BallotChoice", related_name="ballots")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(pgettext_lazy("budget", "updated at"), auto_now=True)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "voter"], name="budget_one_ballot_per_account"),
        ]

    def __str__(self):
        return f"{self.campaign_id}/{self.voter_id}"


class BallotChoice(models.Model):
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="choices")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="choices")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ballot", "project"], name="budget_choice_once")]
        indexes = [models.Index(fields=["project"], name="budget_choice_project")]


class ProjectPhoto(models.Model):
    """A picture of a project: the author's at submission, the services' during its delivery."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("picture"), upload_to="public/budget/%Y/%m/")
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("added by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("picture of a project")
        verbose_name_plural = _("pictures of projects")

    def __str__(self):
        return self.caption or self.image.name


class ProjectNote(models.Model):
    """Public log of a project: co-construction notes during the study, then the news of its delivery."""

    class Kind(models.TextChoices):
        COCONSTRUCTION = "coconstruction", _("Co-construction")
        DELIVERY = "delivery", pgettext_lazy("project log", "Delivery")

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices, default=Kind.COCONSTRUCTION)
    text = models.TextField(_("text"), max_length=2000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("budget", "author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("project note")
        verbose_name_plural = _("project notes")
        constraints = [models.CheckConstraint(condition=~models.Q(text=""), name="budget_note_not_empty")]

    def __str__(self):
        return self.text[:60]


class PaperCount(models.Model):
    """Paper ballots of one polling place for one project, entered by an agent and validated by a second one.
    Only validated counts are added to the results; a validated count is never changed (audit)."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="paper_counts"
    )
    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="paper_counts"
    )
    polling_place = models.CharField(_("polling place"), max_length=120)
    count = models.PositiveIntegerField(_("paper ballots for the project"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("validated by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    validated_at = models.DateTimeField(_("validated at"), null=True, blank=True)

    class Meta:
        ordering = ["polling_place", "project__title"]
        verbose_name = _("paper ballot count")
        verbose_name_plural = _("paper ballot counts")
        constraints = [
            models.UniqueConstraint(fields=["project", "polling_place"], name="budget_paper_once_per_place"),
            models.CheckConstraint(
                condition=models.Q(validated_by__isnull=True) | ~models.Q(validated_by=models.F("entered_by")),
                name="budget_paper_four_eyes",
            ),
        ]

    def __str__(self):
        return f"{self.polling_place}: {self.project_id} ({self.count})"
