from django import forms
from django.contrib.gis.geos import Point
from django.utils.translation import gettext_lazy as _

from core.models import Theme

from .models import WEEKDAYS, Mission, TimeSlot

SLOT_CHOICES = [(f"{d}-{s.value}", f"{day} — {s.label}") for d, day in WEEKDAYS for s in TimeSlot]


class PointFields(forms.Form):
    """Longitude/latitude typed or filled by clicking the map (mission.mjs)."""

    def _point(self, lon_name, lat_name):
        lon, lat = self.cleaned_data.get(lon_name), self.cleaned_data.get(lat_name)
        if lon is None and lat is None:
            return None
        if lon is None or lat is None:
            raise forms.ValidationError({lat_name: _("Give both the longitude and the latitude.")})
        return Point(float(lon), float(lat), srid=4326)


class MissionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=160)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 6}))
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes"), queryset=Theme.objects.all(), to_field_name="slug", widget=forms.CheckboxSelectMultiple
    )
    address = forms.CharField(label=_("Address"), max_length=250, required=False)
    longitude = forms.DecimalField(
        label=_("Longitude"), required=False, min_value=-180, max_value=180, decimal_places=6
    )
    latitude = forms.DecimalField(label=_("Latitude"), required=False, min_value=-90, max_value=90, decimal_places=6)
    remote = forms.BooleanField(label=_("Can be done remotely"), required=False)
    schedule = forms.ChoiceField(label=_("Schedule"), choices=Mission.Schedule.choices)
    start_date = forms.DateField(label=_("Start date"), widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label=_("End date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
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

    def clean(self):
        data = super().clean()
        lon, lat = data.get("longitude"), data.get("latitude")
        if (lon is None) != (lat is None):
            self.add_error("latitude", _("Give both the longitude and the latitude."))
        return data

    def mission_data(self) -> dict:
        d = dict(self.cleaned_data)
        lon, lat = d.pop("longitude", None), d.pop("latitude", None)
        d.pop("organization", None)
        d["location"] = Point(float(lon), float(lat), srid=4326) if lon is not None and lat is not None else None
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
            initial["longitude"], initial["latitude"] = round(mission.location.x, 6), round(mission.location.y, 6)
        return initial


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
    home_longitude = forms.DecimalField(
        label=_("Home longitude"), required=False, min_value=-180, max_value=180, decimal_places=6
    )
    home_latitude = forms.DecimalField(
        label=_("Home latitude"), required=False, min_value=-90, max_value=90, decimal_places=6
    )
    work_longitude = forms.DecimalField(
        label=_("Work longitude"), required=False, min_value=-180, max_value=180, decimal_places=6
    )
    work_latitude = forms.DecimalField(
        label=_("Work latitude"), required=False, min_value=-90, max_value=90, decimal_places=6
    )
    radius_km = forms.FloatField(
        label=_("Distance you are ready to travel (km)"), min_value=0.1, max_value=30, initial=3
    )
    languages = forms.CharField(label=_("Languages you speak (comma-separated)"), required=False, max_length=300)
    weekly_email = forms.BooleanField(label=_("Send me new matching missions by e-mail once a week"), required=False)

    def clean(self):
        data = super().clean()
        for prefix in ("home", "work"):
            lon, lat = data.get(f"{prefix}_longitude"), data.get(f"{prefix}_latitude")
            if (lon is None) != (lat is None):
                self.add_error(f"{prefix}_latitude", _("Give both the longitude and the latitude."))
        return data

    def profile_data(self) -> dict:
        d = self.cleaned_data

        def point(prefix):
            lon, lat = d.get(f"{prefix}_longitude"), d.get(f"{prefix}_latitude")
            return Point(float(lon), float(lat), srid=4326) if lon is not None and lat is not None else None

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
                initial[f"{prefix}_longitude"], initial[f"{prefix}_latitude"] = round(p.x, 6), round(p.y, 6)
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
