"""Volunteering marketplace: missions published by organisations, volunteers' profiles, applications."""

from pathlib import Path

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, GistIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.files.storage import FileSystemStorage
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import F, Q
from django.urls import reverse
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core import search
from core.geo import GeometryValidator

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class TimeSlot(models.TextChoices):
    MORNING = "morning", _("morning")
    AFTERNOON = "afternoon", _("afternoon")
    EVENING = "evening", _("evening")


@deconstructible(path="volunteering.models.PrivateStorage")
class PrivateStorage(FileSystemStorage):
    """CVs live under MEDIA_ROOT/private, which no URL serves: only the permission-checking view reads them.

    The location follows MEDIA_ROOT lazily (and its changes in tests), so migrations never record a path."""

    def __init__(self):
        super().__init__(base_url=None)

    @cached_property
    def base_location(self):
        return str(Path(settings.MEDIA_ROOT) / "private")


private_storage = PrivateStorage()


def cv_upload_to(instance, filename):
    # Never keep the uploaded name: it may carry personal data, and the path must not be guessable.
    import uuid

    return f"volunteering/cv/{uuid.uuid4().hex}.pdf"


class Mission(models.Model):
    """An offer of an organisation: a volunteering mission, or an internship (stage) at a City direction."""

    class Kind(models.TextChoices):
        VOLUNTEERING = "volunteering", _("volunteering mission")
        INTERNSHIP = "internship", _("internship")

    class Level(models.TextChoices):
        OBSERVATION_3E = "observation_3e", _("3e observation week")
        CAP_BAC = "cap_bac", _("CAP to baccalauréat")
        BAC_2 = "bac_2", _("baccalauréat + 2")
        BAC_3 = "bac_3", _("baccalauréat + 3")
        BAC_5 = "bac_5", _("baccalauréat + 5")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")
        UNPUBLISHED = "unpublished", _("unpublished")
        FULL = "full", _("full")
        CLOSED = "closed", _("closed")
        EXPIRED = "expired", _("expired")

    class Schedule(models.TextChoices):
        ONE_OFF = "one_off", _("one-off date")
        PERIOD = "period", _("period")
        RECURRING = "recurring", _("recurring")

    class Commitment(models.TextChoices):
        HOURS_PER_WEEK = "hours_per_week", _("hours per week")
        TOTAL_HOURS = "total_hours", _("hours in total")

    organization = models.ForeignKey(
        "accounts.Organization", verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="missions"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True, on_delete=models.SET_NULL
    )
    kind = models.CharField(_("kind of offer"), max_length=12, choices=Kind.choices, default=Kind.VOLUNTEERING)
    title = models.CharField(_("title"), max_length=160)
    description = models.TextField(_("description"))
    themes = models.ManyToManyField("core.Theme", verbose_name=_("themes"), related_name="missions", blank=True)
    # Internships only (kind=internship): see services.check_internship for the rules.
    trade = models.CharField(_("trade or domain"), max_length=120, blank=True)
    level = models.CharField(_("level of study"), max_length=16, choices=Level.choices, blank=True)
    tasks = models.TextField(_("the intern's tasks"), blank=True)
    paid = models.BooleanField(_("paid internship"), default=False)
    weekly_hours = models.PositiveSmallIntegerField(
        _("hours a week"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(48)]
    )
    duration_weeks = models.PositiveSmallIntegerField(
        _("duration (weeks)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(52)]
    )
    # Private: the direction's staff and the internship office only, never on a public page or in the public API.
    tutor_name = models.CharField(_("tutor"), max_length=120, blank=True)
    tutor_email = models.EmailField(_("tutor's e-mail"), blank=True)
    publication_start = models.DateField(_("published from"), null=True, blank=True)
    publication_end = models.DateField(_("published until"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=250, blank=True)
    # geography=True: radius searches use an index-backed ST_DWithin in metres.
    location = models.PointField(
        _("place"), srid=4326, geography=True, null=True, blank=True, validators=[GeometryValidator(["Point"])]
    )
    remote = models.BooleanField(_("remote"), default=False)
    district = models.ForeignKey(
        "core.District", verbose_name=_("arrondissement"), null=True, blank=True, on_delete=models.SET_NULL
    )
    schedule = models.CharField(_("schedule"), max_length=10, choices=Schedule.choices, default=Schedule.PERIOD)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    # Empty means "any day" (a period without fixed days); a one-off mission stores its own weekday.
    weekdays = ArrayField(
        models.PositiveSmallIntegerField(choices=WEEKDAYS), verbose_name=_("weekdays"), default=list, blank=True
    )
    time_slots = ArrayField(
        models.CharField(max_length=10, choices=TimeSlot.choices),
        verbose_name=_("time slots"),
        default=list,
        blank=True,
    )
    commitment = models.CharField(
        _("commitment"), max_length=16, choices=Commitment.choices, default=Commitment.HOURS_PER_WEEK
    )
    commitment_hours = models.PositiveSmallIntegerField(
        _("hours"), default=2, validators=[MinValueValidator(1), MaxValueValidator(2000)]
    )
    places = models.PositiveIntegerField(
        pgettext_lazy("volunteering", "places"), default=1, validators=[MinValueValidator(1), MaxValueValidator(10000)]
    )
    accepted_count = models.PositiveIntegerField(_("accepted volunteers"), default=0, editable=False)
    skills = ArrayField(models.CharField(max_length=60), verbose_name=_("skills wanted"), default=list, blank=True)
    min_age = models.PositiveSmallIntegerField(
        _("minimum age"), null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(99)]
    )
    accessible = models.BooleanField(_("accessible to people with disabilities"), default=False)
    contact_name = models.CharField(_("contact person"), max_length=120, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    views_count = models.PositiveIntegerField(_("views"), default=0, editable=False)
    search_vector = models.GeneratedField(
        expression=search.vector("title", "description", weights=["A", "B"]),
        output_field=SearchVectorField(),
        db_persist=True,
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_at = models.DateTimeField(pgettext_lazy("volunteering", "created at"), auto_now_add=True)
    updated_at = models.DateTimeField(pgettext_lazy("volunteering", "updated at"), auto_now=True)
    reminded_at = models.DateTimeField(_("last reminder"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("mission")
        verbose_name_plural = _("missions")
        indexes = [
            # Searches only ever read visible missions: the full-text and radius indexes hold just those.
            GinIndex(
                fields=["search_vector"],
                name="mission_visible_search_gin",
                condition=Q(status__in=["published", "full"]),
            ),
            GinIndex(fields=["weekdays"], name="mission_weekdays_gin"),
            models.Index(fields=["status", "start_date"], name="mission_status_start"),
            models.Index(fields=["status", "end_date"], name="mission_status_end"),
            models.Index(fields=["level", "start_date"], name="internship_level_start", condition=Q(kind="internship")),
            # The office's cached figures are current while the latest change of an offer is (selectors).
            models.Index(fields=["updated_at"], name="internship_updated", condition=Q(kind="internship")),
            # Open missions only: radius searches and nearest-first (KNN) walks read just these. Written as an
            # expression: GeoDjango's PostGIS backend drops the WHERE of a spatial index declared with `fields`.
            GistIndex(
                F("location"), name="mission_visible_location_gist", condition=Q(status__in=["published", "full"])
            ),
            # Recommendations: newest published remote missions (the themed candidates of a located volunteer).
            models.Index(
                F("published_at").desc(),
                name="mission_remote_published",
                condition=Q(remote=True, status="published"),
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(places__gte=1), name="mission_places_positive"),
            models.CheckConstraint(condition=Q(accepted_count__lte=F("places")), name="mission_not_overfilled"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")), name="mission_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(remote=True) | Q(location__isnull=False), name="mission_place_or_remote"
            ),
            # Paid compulsory beyond two months (Code de l'éducation, L124-6): here, over 8 weeks.
            models.CheckConstraint(
                condition=~Q(kind="internship")
                | Q(paid=True)
                | Q(duration_weeks__isnull=True)
                | Q(duration_weeks__lte=8),
                name="unpaid_internship_max_8_weeks",
            ),
        ]
        permissions = [("internship_office", _("Internship office: sees all internship offers and applications"))]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("volunteering:mission", args=[self.pk])

    @property
    def places_left(self):
        return max(self.places - self.accepted_count, 0)

    def weekday_labels(self):
        names = dict(WEEKDAYS)
        return [names[d] for d in self.weekdays if d in names]

    def time_slot_labels(self):
        return [TimeSlot(s).label for s in self.time_slots if s in TimeSlot.values]

    @property
    def is_open(self):
        return self.status == self.Status.PUBLISHED

    @property
    def is_internship(self):
        return self.kind == self.Kind.INTERNSHIP


class VolunteerProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="volunteer_profile", verbose_name=_("account")
    )
    themes = models.ManyToManyField("core.Theme", verbose_name=_("themes"), blank=True, related_name="+")
    skills = ArrayField(models.CharField(max_length=60), verbose_name=_("skills"), default=list, blank=True)
    # "5-morning" = Saturday morning.
    availability = ArrayField(
        models.CharField(max_length=12), verbose_name=_("weekly availability"), default=list, blank=True
    )
    home_location = models.PointField(
        _("home"), srid=4326, geography=True, null=True, blank=True, validators=[GeometryValidator(["Point"])]
    )
    work_location = models.PointField(
        _("work place"), srid=4326, geography=True, null=True, blank=True, validators=[GeometryValidator(["Point"])]
    )
    radius_km = models.FloatField(
        _("distance (km)"), default=3, validators=[MinValueValidator(0.1), MaxValueValidator(30)]
    )
    languages = ArrayField(models.CharField(max_length=30), verbose_name=_("languages"), default=list, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    weekly_email = models.BooleanField(_("weekly e-mail of matching missions"), default=False)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    updated_at = models.DateTimeField(pgettext_lazy("volunteering", "updated at"), auto_now=True)

    class Meta:
        verbose_name = _("volunteer profile")
        verbose_name_plural = _("volunteer profiles")
        constraints = [
            models.CheckConstraint(condition=Q(radius_km__gt=0) & Q(radius_km__lte=30), name="profile_radius_range")
        ]

    def __str__(self):
        return str(self.user)


class Solicitation(models.Model):
    """Every unsolicited message we send a volunteer: at most two a month (see services.MAX_SOLICITATIONS)."""

    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("volunteer"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=30)
    mission_ids = ArrayField(models.IntegerField(), default=list)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("solicitation")
        verbose_name_plural = _("solicitations")


class Application(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        WAITLISTED = "waitlisted", _("on the waiting list")
        SHORTLISTED = "shortlisted", _("shortlisted")
        INVITED = "invited", _("invited")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        WITHDRAWN = "withdrawn", _("withdrawn")

    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("volunteer"), on_delete=models.CASCADE, related_name="applications"
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="volunteer_applications",
    )
    # NULL: a spontaneous application to the organisation, which may attach it to a mission later.
    mission = models.ForeignKey(
        Mission, verbose_name=_("mission"), null=True, blank=True, on_delete=models.CASCADE, related_name="applications"
    )
    message = models.TextField(_("message"), blank=True)
    kind = models.CharField(
        _("kind of offer"), max_length=12, choices=Mission.Kind.choices, default=Mission.Kind.VOLUNTEERING
    )
    # A spontaneous internship application says what it looks for (the offers' mission says it otherwise).
    wished_trade = models.CharField(_("wished trade or domain"), max_length=120, blank=True)
    wished_level = models.CharField(_("level of study"), max_length=16, choices=Mission.Level.choices, blank=True)
    available_from = models.DateField(_("available from"), null=True, blank=True)
    available_weeks = models.PositiveSmallIntegerField(
        _("for (weeks)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(52)]
    )
    cv = models.FileField(_("CV (PDF)"), storage=private_storage, upload_to=cv_upload_to, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    convocation_at = models.DateTimeField(_("meeting date"), null=True, blank=True)
    convocation_place = models.CharField(_("meeting place"), max_length=250, blank=True)
    convocation_message = models.TextField(_("meeting message"), blank=True)
    created_at = models.DateTimeField(_("applied at"), auto_now_add=True)
    updated_at = models.DateTimeField(pgettext_lazy("volunteering", "updated at"), auto_now=True)
    first_response_at = models.DateTimeField(_("first answer at"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        indexes = [
            models.Index(fields=["organization", "status"], name="application_org_status"),
            # The office's cached figures are current while the latest change of an application is (selectors).
            models.Index(fields=["updated_at"], name="internship_application_updated", condition=Q(kind="internship")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["volunteer", "mission"], condition=Q(mission__isnull=False), name="one_application_per_mission"
            ),
            models.UniqueConstraint(
                fields=["volunteer", "organization"],
                condition=Q(mission__isnull=True) & ~Q(status="withdrawn"),
                name="one_open_spontaneous_application",
            ),
        ]

    def __str__(self):
        return f"{self.volunteer} → {self.mission or self.organization}"

    @property
    def is_final(self):
        return self.status in (self.Status.ACCEPTED, self.Status.DECLINED, self.Status.WITHDRAWN)


class ApplicationEvent(models.Model):
    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    from_status = models.CharField(_("from status"), max_length=12, blank=True)
    to_status = models.CharField(_("to status"), max_length=12)
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("date"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("application event")
        verbose_name_plural = _("application events")

    @property
    def to_status_label(self) -> str:
        """The French word for the status reached (the field stores the internal value)."""
        return Application.Status(self.to_status).label if self.to_status in Application.Status.values else ""


class ApplicationMessage(models.Model):
    """A private message between the applicant and the organisation's members, under one application."""

    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("volunteering", "author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = models.TextField(_("message"), max_length=5000)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [models.Index(fields=["application", "created_at"], name="application_message_thread")]

    def __str__(self):
        # Never the text: a private conversation stays private in lists, logs and the admin.
        return f"#{self.pk} ({self.application_id})"


class Attestation(models.Model):
    """An attestation de bénévolat issued by the organisation for an accepted application of an ended mission."""

    application = models.OneToOneField(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="attestation"
    )
    hours = models.PositiveIntegerField(
        _("hours"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(10000)]
    )
    signer_name = models.CharField(_("signed by"), max_length=120)
    signer_role = models.CharField(_("signer's role"), max_length=120, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("issued at"))

    class Meta:
        verbose_name = _("attestation of volunteering")
        verbose_name_plural = _("attestations of volunteering")

    def __str__(self):
        return f"#{self.pk} ({self.application_id})"


class SavedSearch(models.Model):
    """A candidate's saved search of offers (its query string); opt-in weekly e-mail of the new matching offers."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("account"), on_delete=models.CASCADE, related_name="saved_searches"
    )
    kind = models.CharField(
        _("kind of offer"), max_length=12, choices=Mission.Kind.choices, default=Mission.Kind.INTERNSHIP
    )
    query = models.CharField(_("search"), max_length=2000, blank=True)
    weekly_email = models.BooleanField(_("weekly e-mail of new matching offers"), default=False)
    created_at = models.DateTimeField(pgettext_lazy("volunteering", "created at"), auto_now_add=True)
    last_sent_at = models.DateTimeField(_("last e-mail"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("saved search")
        verbose_name_plural = _("saved searches")
        constraints = [models.UniqueConstraint(fields=["user", "kind", "query"], name="one_saved_search_per_query")]

    def __str__(self):
        return f"#{self.pk} ({self.user_id})"
