from django.contrib.gis.geos import Point
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Organization
from config.openapi import optional_field
from core import geocoding
from core.contributions import Outcome, outcome_fields
from core.geo import InvalidGeoJSON, geometry_from_geojson
from core.models import Theme

from .models import WEEKDAYS, Application, ApplicationMessage, Attestation, Mission, TimeSlot, VolunteerProfile
from .selectors import MAX_RADIUS_KM, MissionFilters
from .validators import from_today, not_too_far


@extend_schema_field(
    {
        "type": "object",
        "nullable": True,
        "properties": {
            "type": {"type": "string", "enum": ["Point"]},
            "coordinates": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2},
        },
        "required": ["type", "coordinates"],
    }
)
class PointField(serializers.Field):
    """A GeoJSON Point (lon, lat) in and out; null allowed."""

    default_error_messages = {"invalid": _("Give a GeoJSON Point with [longitude, latitude].")}

    def to_representation(self, value):
        return {"type": "Point", "coordinates": [round(value.x, 6), round(value.y, 6)]} if value else None

    def to_internal_value(self, data):
        try:
            geometry = geometry_from_geojson(data, allowed_types=("Point",))
        except InvalidGeoJSON:
            self.fail("invalid")
        if not (-180 <= geometry.x <= 180 and -90 <= geometry.y <= 90):
            self.fail("invalid")
        return geometry


class OrganizationBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name", "slug", "kind"]


CONTACT_FIELDS = ("contact_name", "contact_email", "contact_phone")
TUTOR_FIELDS = ("tutor_name", "tutor_email")


class MissionSerializer(serializers.ModelSerializer):
    organization = OrganizationBriefSerializer(read_only=True)
    themes = serializers.SerializerMethodField()
    location = PointField(read_only=True)
    district = serializers.SerializerMethodField()
    places_left = serializers.IntegerField(read_only=True)
    distance_km = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Mission
        fields = [
            "id",
            "title",
            "description",
            "organization",
            "themes",
            "address",
            "location",
            "remote",
            "district",
            "schedule",
            "start_date",
            "end_date",
            "weekdays",
            "time_slots",
            "commitment",
            "commitment_hours",
            "places",
            "places_left",
            "skills",
            "min_age",
            "accessible",
            "contact_name",
            "contact_email",
            "contact_phone",
            "status",
            "published_at",
            "kind",
            "trade",
            "level",
            "tasks",
            "paid",
            "weekly_hours",
            "duration_weeks",
            "publication_start",
            "publication_end",
            "tutor_name",
            "tutor_email",
            "distance_km",
            "url",
        ]

    def get_themes(self, obj) -> list[str]:
        return [t.slug for t in obj.themes.all()]

    def get_district(self, obj) -> int | None:
        return obj.district.number if obj.district_id else None

    @optional_field({"type": "number", "format": "double", "description": "Kilometres from `near` (only with it)."})
    def get_distance_km(self, obj) -> float | None:
        distance = getattr(obj, "distance_m", None)
        if distance is None:
            return None
        return round(getattr(distance, "m", distance) / 1000, 2)

    def get_url(self, obj) -> str:
        return obj.get_absolute_url()

    def to_representation(self, obj):
        data = super().to_representation(obj)
        if data["distance_km"] is None:
            data.pop("distance_km")
        if not self.context.get("show_contact"):
            # The contact person is for the volunteers taken on and the organisation (rule view_mission_contact).
            for key in CONTACT_FIELDS:
                data.pop(key, None)
        if not self.context.get("show_tutor"):
            # The tutor is private: the direction and the internship office only (rule view_tutor).
            for key in TUTOR_FIELDS:
                data.pop(key, None)
        outcomes = self.context.get("outcomes")
        data.update(outcome_fields(outcomes.get(obj.pk, Outcome()) if outcomes is not None else Outcome()))
        return data


class RecommendedMissionSerializer(MissionSerializer):
    score = serializers.FloatField()
    reasons = serializers.SerializerMethodField()

    class Meta(MissionSerializer.Meta):
        fields = [*MissionSerializer.Meta.fields, "score", "reasons"]

    def get_reasons(self, obj) -> list[str]:
        return [str(r) for r in obj.reasons]

    @optional_field({"type": "number", "format": "double", "description": "Kilometres from the volunteer's place."})
    def get_distance_km(self, obj) -> float | None:
        return obj.distance_km


class MissionWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=160)
    description = serializers.CharField(max_length=20000)
    themes = serializers.SlugRelatedField(
        slug_field="slug", queryset=Theme.objects.all(), many=True, required=False, allow_empty=True
    )
    location = PointField(required=False, allow_null=True)
    address = serializers.CharField(max_length=250, required=False, allow_blank=True)
    remote = serializers.BooleanField(required=False, default=False)
    schedule = serializers.ChoiceField(choices=Mission.Schedule.choices, required=False)
    # Past dates are judged by the service (an offer under way keeps its start date); absurd ones here already.
    start_date = serializers.DateField(validators=[not_too_far])
    end_date = serializers.DateField(required=False, allow_null=True, validators=[not_too_far])
    weekdays = serializers.ListField(child=serializers.ChoiceField(choices=WEEKDAYS), required=False, max_length=7)
    time_slots = serializers.ListField(
        child=serializers.ChoiceField(choices=TimeSlot.choices), required=False, max_length=3
    )
    commitment = serializers.ChoiceField(choices=Mission.Commitment.choices, required=False)
    commitment_hours = serializers.IntegerField(min_value=1, max_value=2000, required=False)
    places = serializers.IntegerField(min_value=1, max_value=10000, required=False)
    skills = serializers.ListField(child=serializers.CharField(max_length=60), required=False, max_length=20)
    min_age = serializers.IntegerField(min_value=0, max_value=99, required=False, allow_null=True)
    accessible = serializers.BooleanField(required=False)
    contact_name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    contact_email = serializers.EmailField(required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all(), required=False)
    status = serializers.ChoiceField(choices=[("draft", "draft"), ("published", "published")], required=False)
    kind = serializers.ChoiceField(choices=Mission.Kind.choices, required=False)
    trade = serializers.CharField(max_length=120, required=False, allow_blank=True)
    level = serializers.ChoiceField(choices=Mission.Level.choices, required=False, allow_blank=True)
    tasks = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    paid = serializers.BooleanField(required=False)
    weekly_hours = serializers.IntegerField(min_value=1, max_value=48, required=False, allow_null=True)
    duration_weeks = serializers.IntegerField(min_value=1, max_value=52, required=False, allow_null=True)
    tutor_name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    tutor_email = serializers.EmailField(required=False, allow_blank=True)
    publication_start = serializers.DateField(required=False, allow_null=True, validators=[not_too_far])
    publication_end = serializers.DateField(required=False, allow_null=True, validators=[not_too_far])

    def validate(self, attrs):
        if not self.partial and attrs.get("kind") != Mission.Kind.INTERNSHIP and not attrs.get("themes"):
            raise serializers.ValidationError({"themes": [_("Choose at least one theme.")]})
        if "schedule" not in attrs and not self.partial:
            if attrs.get("weekdays"):
                attrs["schedule"] = Mission.Schedule.RECURRING
            elif attrs.get("end_date") in (None, attrs.get("start_date")):
                attrs["schedule"] = Mission.Schedule.ONE_OFF
            else:
                attrs["schedule"] = Mission.Schedule.PERIOD
        return attrs


class ApplicationSerializer(serializers.ModelSerializer):
    volunteer = serializers.SerializerMethodField()
    mission_title = serializers.SerializerMethodField()
    has_cv = serializers.SerializerMethodField()
    cv_url = serializers.SerializerMethodField()

    class Meta:
        model = Application
        fields = [
            "id",
            "mission",
            "mission_title",
            "organization",
            "volunteer",
            "message",
            "kind",
            "wished_trade",
            "wished_level",
            "available_from",
            "available_weeks",
            "status",
            "has_cv",
            "cv_url",
            "convocation_at",
            "convocation_place",
            "convocation_message",
            "created_at",
            "updated_at",
            "first_response_at",
        ]

    def get_volunteer(self, obj) -> dict:
        # Only the applicant and the members of the organisation ever read an application.
        return {"id": obj.volunteer_id, "name": obj.volunteer.public_name, "email": obj.volunteer.email}

    def get_mission_title(self, obj) -> str | None:
        return obj.mission.title if obj.mission_id else None

    def get_has_cv(self, obj) -> bool:
        return bool(obj.cv)

    def get_cv_url(self, obj) -> str | None:
        return reverse("volunteering-api:application-cv", args=[obj.pk]) if obj.cv else None


class ApplicationMessageSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()

    class Meta:
        model = ApplicationMessage
        fields = ["id", "author", "author_id", "body", "created_at"]

    def get_author(self, obj) -> str | None:
        return obj.author.public_name if obj.author_id else None


class MessageBodySerializer(serializers.Serializer):
    body = serializers.CharField(allow_blank=True, max_length=5000)


class ContactSerializer(serializers.Serializer):
    name = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField()


class AttestationSerializer(serializers.ModelSerializer):
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = Attestation
        fields = ["id", "application", "hours", "signer_name", "signer_role", "issued_at", "pdf_url"]

    def get_pdf_url(self, obj) -> str:
        return reverse("volunteering-api:application-attestation", args=[obj.application_id])


class AttestationInputSerializer(serializers.Serializer):
    signer_name = serializers.CharField(max_length=120)
    signer_role = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    hours = serializers.IntegerField(min_value=1, max_value=10000, required=False, allow_null=True, default=None)


class ApplicationCreateSerializer(serializers.Serializer):
    message = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    cv = serializers.FileField(required=False, allow_null=True, allow_empty_file=False)
    waiting_list = serializers.BooleanField(required=False, default=False)
    # Spontaneous internship applications to a City direction only.
    kind = serializers.ChoiceField(choices=Mission.Kind.choices, required=False)
    wished_trade = serializers.CharField(max_length=120, required=False, allow_blank=True)
    wished_level = serializers.ChoiceField(choices=Mission.Level.choices, required=False, allow_blank=True)
    available_from = serializers.DateField(required=False, allow_null=True, validators=[from_today])
    available_weeks = serializers.IntegerField(min_value=1, max_value=52, required=False, allow_null=True)


class ApplicationStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["shortlisted", "invited", "accepted", "declined"], required=False)
    message = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    convocation_at = serializers.DateTimeField(required=False)
    convocation_place = serializers.CharField(max_length=250, required=False, allow_blank=True)
    convocation_message = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    mission = serializers.PrimaryKeyRelatedField(queryset=Mission.objects.all(), required=False)

    def validate(self, attrs):
        if "status" not in attrs and "mission" not in attrs:
            raise serializers.ValidationError({"status": [_("This field is required.")]})
        return attrs


class BulkStatusSerializer(ApplicationStatusSerializer):
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1, max_length=500)
    status = serializers.ChoiceField(choices=["shortlisted", "invited", "accepted", "declined"])
    mission = None


class StatisticsQuerySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=Mission.Kind.choices,
        required=False,
        default=Mission.Kind.VOLUNTEERING,
        help_text="Which offers the figures count: volunteering missions (default) or internship offers, never both.",
    )


class OrganizationStatisticsSerializer(serializers.Serializer):
    """The figures of one kind of offers of an organisation (selectors.organization_statistics)."""

    kind = serializers.ChoiceField(choices=Mission.Kind.choices)
    missions = serializers.IntegerField(help_text="Offers of this kind, whatever their status.")
    views = serializers.IntegerField()
    applications = serializers.IntegerField(help_text="Applications of this kind, spontaneous ones included.")
    spontaneous = serializers.IntegerField()
    answered = serializers.IntegerField(help_text="Applications that received a first answer.")
    by_status = serializers.DictField(child=serializers.IntegerField(), help_text="Every status with its count.")
    response_time_hours = serializers.FloatField(allow_null=True, help_text="Mean time to a first answer.")
    acceptance_rate = serializers.FloatField(allow_null=True, help_text="Accepted over accepted or declined.")


class ProfileSerializer(serializers.ModelSerializer):
    themes = serializers.SlugRelatedField(slug_field="slug", queryset=Theme.objects.all(), many=True, required=False)
    home_location = PointField(required=False, allow_null=True)
    work_location = PointField(required=False, allow_null=True)
    radius_km = serializers.FloatField(min_value=0.1, max_value=30, required=False)
    availability = serializers.ListField(
        child=serializers.RegexField(r"^[0-6]-(morning|afternoon|evening)$"), required=False, max_length=21
    )

    class Meta:
        model = VolunteerProfile
        fields = [
            "themes",
            "skills",
            "availability",
            "home_location",
            "work_location",
            "radius_km",
            "languages",
            "birth_year",
            "weekly_email",
            "phone",
        ]


def _list(value):
    return [v for part in value for v in part.split(",") if v.strip()]


# What the search's text parameters accept, for the schema (the validators below say it again in words).
@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 20})
class _DistrictParam(serializers.CharField):
    pass


@extend_schema_field({"type": "integer", "minimum": 0, "maximum": 6})
class _WeekdayParam(serializers.CharField):
    pass


@extend_schema_field({"type": "string", "enum": TimeSlot.values})
class _TimeSlotParam(serializers.CharField):
    pass


@extend_schema_field({"type": "number", "minimum": 0, "exclusiveMinimum": True, "maximum": MAX_RADIUS_KM})
class _RadiusParam(serializers.FloatField):
    pass


@extend_schema_field({"type": "string", "enum": Mission.Level.values})
class _LevelParam(serializers.CharField):
    pass


class MissionSearchSerializer(serializers.Serializer):
    """The query string of the search (API and page): every filter lives in the URL."""

    q = serializers.CharField(required=False, allow_blank=True, max_length=200)
    theme = serializers.ListField(child=serializers.CharField(), required=False)
    district = serializers.ListField(child=_DistrictParam(), required=False)
    near = serializers.CharField(required=False, allow_blank=True)
    radius_km = _RadiusParam(required=False, allow_null=True)
    date_from = serializers.DateField(required=False, allow_null=True)
    date_to = serializers.DateField(required=False, allow_null=True)
    weekday = serializers.ListField(child=_WeekdayParam(), required=False)
    time_slot = serializers.ListField(child=_TimeSlotParam(), required=False)
    remote = serializers.BooleanField(required=False, allow_null=True, default=None)
    commitment_max = serializers.IntegerField(required=False, min_value=1, max_value=168, allow_null=True)
    places_left = serializers.BooleanField(required=False, default=False)
    accessible = serializers.BooleanField(required=False, default=False)
    organization = serializers.IntegerField(required=False, min_value=1, allow_null=True)
    sort = serializers.ChoiceField(choices=["", "relevance", "date", "distance"], required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=Mission.Kind.values, required=False, default=Mission.Kind.VOLUNTEERING)
    trade = serializers.ListField(child=serializers.CharField(max_length=120), required=False, max_length=10)
    level = serializers.ListField(child=_LevelParam(), required=False)
    paid = serializers.BooleanField(required=False, allow_null=True, default=None)
    duration_min = serializers.IntegerField(required=False, min_value=1, max_value=52, allow_null=True)
    duration_max = serializers.IntegerField(required=False, min_value=1, max_value=52, allow_null=True)

    def to_internal_value(self, data):
        if hasattr(data, "getlist"):
            plain = {k: data.get(k) for k in data if data.get(k) not in ("", None)}
            for key in ("theme", "district", "weekday", "time_slot", "trade", "level"):
                if key in data:
                    plain[key] = _list(data.getlist(key))
            data = plain
        return super().to_internal_value(data)

    def validate_theme(self, value):
        known = set(Theme.objects.filter(slug__in=value).values_list("slug", flat=True))
        unknown = [v for v in value if v not in known]
        if unknown:
            raise serializers.ValidationError(_("Unknown theme: %(slugs)s.") % {"slugs": ", ".join(unknown)})
        return value

    def validate_district(self, value):
        try:
            numbers = [int(v) for v in value]
        except ValueError:
            raise serializers.ValidationError(_("Arrondissements are numbers from 1 to 20.")) from None
        if any(n < 1 or n > 20 for n in numbers):
            raise serializers.ValidationError(_("Arrondissements are numbers from 1 to 20."))
        return numbers

    def validate_weekday(self, value):
        try:
            days = [int(v) for v in value]
        except ValueError:
            raise serializers.ValidationError(_("Days are numbers from 0 (Monday) to 6 (Sunday).")) from None
        if any(d < 0 or d > 6 for d in days):
            raise serializers.ValidationError(_("Days are numbers from 0 (Monday) to 6 (Sunday)."))
        return days

    def validate_time_slot(self, value):
        if any(v not in TimeSlot.values for v in value):
            raise serializers.ValidationError(_("Time of day is morning, afternoon or evening."))
        return value

    def validate_level(self, value):
        if any(v not in Mission.Level.values for v in value):
            raise serializers.ValidationError(
                _("Unknown level of study: choose among %(levels)s.")
                % {"levels": ", ".join(str(label) for label in Mission.Level.labels)}
            )
        return value

    def validate_near(self, value):
        """LON,LAT as in the contract, or an address / place of Paris, geocoded (core.geocoding)."""
        if not value:
            return None
        try:
            lon, lat = (float(v) for v in value.split(","))
        except ValueError:
            point = geocoding.first_point(value)
            if point is None:
                raise serializers.ValidationError(
                    _("We could not find this place in Paris. Type an address, a place, or LON,LAT.")
                ) from None
            return point
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise serializers.ValidationError(_("Give near as LON,LAT, for example 2.35,48.85."))
        return Point(lon, lat, srid=4326)

    def validate_radius_km(self, value):
        if value is not None and (value <= 0 or value > MAX_RADIUS_KM):
            raise serializers.ValidationError(
                _("The radius must be more than 0 and at most %(max)s km.") % {"max": MAX_RADIUS_KM}
            )
        return value

    def validate(self, attrs):
        if attrs.get("date_from") and attrs.get("date_to") and attrs["date_to"] < attrs["date_from"]:
            raise serializers.ValidationError({"date_to": [_("The end of the period is before its start.")]})
        if attrs.get("radius_km") and not attrs.get("near"):
            raise serializers.ValidationError({"near": [_("Give a point (near=LON,LAT) to search within a radius.")]})
        if attrs.get("sort") == "distance" and not attrs.get("near"):
            raise serializers.ValidationError({"sort": [_("Sorting by distance needs a point (near=LON,LAT).")]})
        return attrs

    def filters(self) -> MissionFilters:
        d = self.validated_data
        return MissionFilters(
            q=(d.get("q") or "").strip(),
            themes=d.get("theme") or [],
            districts=d.get("district") or [],
            near=d.get("near"),
            radius_km=d.get("radius_km"),
            date_from=d.get("date_from"),
            date_to=d.get("date_to"),
            weekdays=d.get("weekday") or [],
            time_slots=d.get("time_slot") or [],
            remote=d.get("remote"),
            commitment_max=d.get("commitment_max"),
            places_left=d.get("places_left", False),
            accessible=d.get("accessible", False),
            organization=d.get("organization"),
            sort=d.get("sort") or "",
            kind=d.get("kind") or Mission.Kind.VOLUNTEERING,
            trades=[t.strip() for t in d.get("trade") or [] if t.strip()],
            levels=d.get("level") or [],
            paid=d.get("paid"),
            duration_min=d.get("duration_min"),
            duration_max=d.get("duration_max"),
        )
