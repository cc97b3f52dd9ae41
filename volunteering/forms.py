from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import PlaceField, PlaceValue, place_at
from core.models import Theme

from .models import WEEKDAYS, Mission, TimeSlot
from .validators import from_today, latest_date, not_too_far

SLOT_CHOICES = [(f"{d}-{s.value}", f"{day} — {s.label}") for d, day in WEEKDAYS for s in TimeSlot]


class MissionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=160)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 6}))
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes"), queryset=Theme.objects.all(), to_field_name="slug", widget=forms.CheckboxSelectMultiple
    )
    # The hidden coordinates keep their old names (`longitude`, `latitude`): older clients post them.
    address = PlaceField(
        label=_("Address"),
        max_length=250,
        required=False,
        lon_name="longitude",
        lat_name="latitude",
        picker=True,
        help_text=_("Where the volunteers go: an address or a place, or choose it on the map. Empty if remote."),
    )
    remote = forms.BooleanField(label=_("Can be done remotely"), required=False)
    schedule = forms.ChoiceField(label=_("Schedule"), choices=Mission.Schedule.choices)
    # Past dates are judged by the service (an offer under way keeps its start date); absurd ones here already.
    start_date = forms.DateField(
        label=_("Start date"), validators=[not_too_far], widget=forms.DateInput(attrs={"type": "date"})
    )
    end_date = forms.DateField(
        label=_("End date"), required=False, validators=[not_too_far], widget=forms.DateInput(attrs={"type": "date"})
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Days"), choices=WEEKDAYS, coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    time_slots = forms.MultipleChoiceField(
        label=_("Time of day"), choices=TimeSlot.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    commitment = forms.ChoiceField(label=_("Commitment"), choices=Mission.Commitment.choices)
    commitment_hours = forms.IntegerField(label=_("Hours"), min_value=1, max_value=2000, initial=2)
    places = forms.IntegerField(label=_("Places"), min_value=1, max_value=10000, initial=1)
    skills = forms.CharField(label=_("Skills wanted (comma-separated)"), required=False, max_length=600)
    min_age = forms.IntegerField(label=_("Minimum age"), required=False, min_value=0, max_value=99)
    accessible = forms.BooleanField(label=_("Accessible to people with disabilities"), required=False)
    contact_name = forms.CharField(label=_("Contact person"), max_length=120, required=False)
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=30, required=False)

    def __init__(self, *args, organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organizations is not None and len(organizations) > 1:
            self.fields["organization"] = forms.ChoiceField(
                label=_("Organisation"), choices=[(o.pk, o.name) for o in organizations]
            )
        self.organizations = organizations or []

    def mission_data(self) -> dict:
        d = dict(self.cleaned_data)
        place = d.pop("address", None)
        d.pop("organization", None)
        d["address"] = place.text if place else ""
        d["location"] = place.point if place else None
        d["skills"] = [s.strip() for s in (d.get("skills") or "").split(",") if s.strip()]
        d["themes"] = list(d["themes"])
        return d

    def organization(self):
        chosen = self.cleaned_data.get("organization")
        for o in self.organizations:
            if str(o.pk) == str(chosen):
                return o
        return None

    @classmethod
    def initial_for(cls, mission: Mission) -> dict:
        initial = {
            name: getattr(mission, name)
            for name in (
                "title",
                "description",
                "address",
                "remote",
                "schedule",
                "start_date",
                "end_date",
                "weekdays",
                "time_slots",
                "commitment",
                "commitment_hours",
                "places",
                "min_age",
                "accessible",
                "contact_name",
                "contact_email",
                "contact_phone",
            )
        }
        initial["themes"] = [t.slug for t in mission.themes.all()]
        initial["skills"] = ", ".join(mission.skills)
        if mission.location:
            initial["address"] = PlaceValue(text=mission.address, point=mission.location)
        return initial


INTERNSHIP_FIELDS = (
    "trade",
    "level",
    "tasks",
    "paid",
    "weekly_hours",
    "duration_weeks",
    "tutor_name",
    "tutor_email",
    "publication_start",
    "publication_end",
)


class InternshipForm(MissionForm):
    """The mission form with the internship's own fields: one offer model, two kinds (Mission.kind)."""

    trade = forms.CharField(label=_("Trade or domain"), max_length=120)
    level = forms.ChoiceField(label=_("Level of study"), choices=[("", "—"), *Mission.Level.choices])
    tasks = forms.CharField(label=_("The intern's tasks"), widget=forms.Textarea(attrs={"rows": 5}))
    duration_weeks = forms.IntegerField(label=_("Duration (weeks)"), min_value=1, max_value=52)
    paid = forms.BooleanField(
        label=_("Paid internship"),
        required=False,
        help_text=_("Compulsory for an internship of more than 8 weeks (two months)."),
    )
    weekly_hours = forms.IntegerField(label=_("Hours a week"), min_value=1, max_value=48, initial=35)
    tutor_name = forms.CharField(
        label=_("Tutor"), max_length=120, required=False, help_text=_("Private: never shown to candidates.")
    )
    tutor_email = forms.EmailField(label=_("Tutor's e-mail"), required=False)
    publication_start = forms.DateField(
        label=_("Published from"),
        required=False,
        validators=[not_too_far],
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    publication_end = forms.DateField(
        label=_("Published until"),
        required=False,
        validators=[not_too_far],
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["themes"].required = False
        self.fields["description"].label = _("The offer")
        self.fields["skills"].label = _("Skills required (comma-separated)")
        for name in ("schedule", "weekdays", "time_slots", "commitment", "commitment_hours", "min_age"):
            self.fields.pop(name)

    def clean(self):
        from .services import unpaid_internship_error

        data = super().clean()
        refusal = unpaid_internship_error(data.get("paid", False), data.get("duration_weeks"))
        if refusal:
            self.add_error("paid", refusal)
        return data

    def mission_data(self) -> dict:
        d = super().mission_data()
        d["kind"] = Mission.Kind.INTERNSHIP
        d["schedule"] = Mission.Schedule.PERIOD
        d["commitment"] = Mission.Commitment.HOURS_PER_WEEK
        d["commitment_hours"] = d["weekly_hours"]
        return d

    @classmethod
    def initial_for(cls, mission: Mission) -> dict:
        initial = MissionForm.initial_for(mission)
        initial.update({name: getattr(mission, name) for name in INTERNSHIP_FIELDS})
        return initial


class SpontaneousInternshipForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("Direction"), queryset=None, empty_label="—")
    wished_trade = forms.CharField(label=_("Wished trade or domain"), max_length=120, required=False)
    wished_level = forms.ChoiceField(label=_("Your level of study"), choices=[("", "—"), *Mission.Level.choices])
    available_from = forms.DateField(
        label=_("Available from"),
        required=False,
        validators=[from_today],
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("From today to two years ahead."),
    )
    available_weeks = forms.IntegerField(label=_("For (weeks)"), min_value=1, max_value=52, required=False)
    message = forms.CharField(label=_("Your cover letter"), max_length=5000, widget=forms.Textarea(attrs={"rows": 8}))
    cv = forms.FileField(
        label=_("Your CV (PDF, 5 MB maximum)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )

    def __init__(self, *args, directions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = directions
        # The browser's date picker offers the accepted dates only (the validator says it again in words).
        today = timezone.localdate()
        self.fields["available_from"].widget.attrs.update(min=today.isoformat(), max=latest_date(today).isoformat())


class NearForm(forms.Form):
    """The place of the mission search page, in words; the search itself takes LON,LAT (MissionSearchSerializer)."""

    # Any point may be searched around (the API takes any LON,LAT too); typed names are looked up in Paris.
    near = PlaceField(label=_("Address or place"), required=False, locate=True, in_paris=False)

    def near_param(self) -> str | None:
        """The place as the search takes it (LON,LAT), or None when none was given; after is_valid()."""
        place = self.cleaned_data.get("near")
        return f"{place.lon:.6f},{place.lat:.6f}" if place else None


class ApplyForm(forms.Form):
    message = forms.CharField(
        label=_("Your message"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
    cv = forms.FileField(
        label=_("Your CV (PDF, 5 MB maximum, optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )
    waiting_list = forms.BooleanField(label=_("Join the waiting list if the mission is full"), required=False)

    def __init__(self, *args, internship=False, **kwargs):
        super().__init__(*args, **kwargs)
        if internship:  # an internship application is a cover letter and a CV (services.apply checks it too)
            self.fields["message"].label = _("Your cover letter")
            self.fields["message"].required = True
            self.fields["cv"].label = _("Your CV (PDF, 5 MB maximum)")
            self.fields["cv"].required = True
            self.fields.pop("waiting_list")


class ProfileForm(forms.Form):
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes that interest you"),
        queryset=Theme.objects.all(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    skills = forms.CharField(label=_("Your skills (comma-separated)"), required=False, max_length=600)
    availability = forms.MultipleChoiceField(
        label=_("When are you available?"), choices=SLOT_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )
    home = PlaceField(
        label=_("Near your home"),
        required=False,
        lon_name="home_longitude",
        lat_name="home_latitude",
        picker=True,
        locate=True,
        help_text=_("A street, a place or your arrondissement is enough: only missions nearby are suggested."),
    )
    work = PlaceField(
        label=_("Near your work"),
        required=False,
        lon_name="work_longitude",
        lat_name="work_latitude",
        picker=True,
        help_text=_("Optional."),
    )
    radius_km = forms.FloatField(
        label=_("Distance you are ready to travel (km)"), min_value=0.1, max_value=30, initial=3
    )
    languages = forms.CharField(label=_("Languages you speak (comma-separated)"), required=False, max_length=300)
    weekly_email = forms.BooleanField(label=_("Send me new matching missions by e-mail once a week"), required=False)

    def profile_data(self) -> dict:
        d = self.cleaned_data

        def point(prefix):
            return d[prefix].point if d.get(prefix) else None

        return {
            "themes": list(d["themes"]),
            "skills": [s.strip() for s in d["skills"].split(",") if s.strip()],
            "availability": d["availability"],
            "home_location": point("home"),
            "work_location": point("work"),
            "radius_km": d["radius_km"],
            "languages": [s.strip() for s in d["languages"].split(",") if s.strip()],
            "weekly_email": d["weekly_email"],
        }

    @classmethod
    def initial_for(cls, profile) -> dict:
        if profile is None:
            return {}
        initial = {
            "themes": [t.slug for t in profile.themes.all()],
            "skills": ", ".join(profile.skills),
            "availability": profile.availability,
            "radius_km": profile.radius_km,
            "languages": ", ".join(profile.languages),
            "weekly_email": profile.weekly_email,
        }
        for prefix in ("home", "work"):
            p = getattr(profile, f"{prefix}_location")
            if p:
                # Only the point is stored: the field shows it in words ("Près de … (Paris 11e)").
                initial[prefix] = place_at(p.x, p.y) or PlaceValue(text="", point=p)
        return initial


class StatusForm(forms.Form):
    ids = forms.TypedMultipleChoiceField(label=_("Applications"), coerce=int, choices=())
    status = forms.ChoiceField(
        label=_("New status"),
        choices=[
            ("shortlisted", _("shortlisted")),
            ("invited", _("invited")),
            ("accepted", _("accepted")),
            ("declined", _("declined")),
        ],
    )
    message = forms.CharField(
        label=_("Message to the volunteers"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("You may write {name}, {mission} and {organization}: they are replaced for each volunteer."),
    )
    convocation_at = forms.DateTimeField(
        label=_("Meeting date and time (for an invitation)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    convocation_place = forms.CharField(label=_("Meeting place"), required=False, max_length=250)

    def __init__(self, *args, application_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ids"].choices = [(i, i) for i in application_ids]


class ApplicationMessageForm(forms.Form):
    body = forms.CharField(label=_("Your message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class AttestationForm(forms.Form):
    signer_name = forms.CharField(label=_("Signed by"), max_length=120)
    signer_role = forms.CharField(label=_("Role of the signer"), max_length=120, required=False)
    hours = forms.IntegerField(
        label=_("Hours of volunteering (if known)"), min_value=1, max_value=10000, required=False
    )
