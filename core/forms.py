"""A place typed as words, for every form that needs a point: nobody types a longitude.

`PlaceField` shows one text input (an address, a place, a street, "Paris 11e"…) and hidden coordinates. The ES
module `core/js/place-field.mjs` turns the input into a combobox with suggestions from `/api/v1/places/` and an
optional picker map; choosing a suggestion or a point fills the hidden coordinates. Without JavaScript the text alone
is sent and geocoded here (`core.geocoding`), so every form works from the address text.
"""

import math
import re
import unicodedata
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.templatetags.static import static
from django.utils.translation import gettext_lazy as _

from . import geocoding, notifications
from .geo import district_of_point
from .models import NotificationSetting


@dataclass(frozen=True)
class PlaceValue:
    """What a place field gives back: the words shown to people and the point they stand for."""

    text: str
    point: Point
    district: int | None = None

    @property
    def lon(self) -> float:
        return self.point.x

    @property
    def lat(self) -> float:
        return self.point.y


def whole_number(raw) -> int | None:
    """A count or an id typed in a query string or a form (ASCII digits, no sign), or None.

    Not `str.isdigit()`: it is true of "²" and "٣", which int() then refuses (a 500), and it lets through 5,000 digits
    that int() refuses too; 18 digits fit every integer column."""
    raw = str(raw if raw is not None else "").strip()
    if not raw or len(raw) > 18 or not (raw.isascii() and raw.isdigit()):
        return None
    return int(raw)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value, field: str, max_length: int, required: bool = True) -> str:
    """Plain text, stored as typed (HTML is kept as text and escaped on output), without control characters; a
    ValidationError on `field` for what is not text, empty when required, or longer than `max_length`."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError({field: [_("This field must be text.")]})
    value = _CONTROL.sub("", unicodedata.normalize("NFC", value)).strip()
    if required and not value:
        raise ValidationError({field: [_("This field is required.")]})
    if len(value) > max_length:
        raise ValidationError(
            {
                field: [
                    _("Ensure this field has at most %(max)s characters (it has %(len)s).")
                    % {"max": max_length, "len": len(value)}
                ]
            }
        )
    return value


def _float(raw) -> float | None:
    try:
        value = float(str(raw).replace(",", "."))
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


class PlaceWidget(forms.Widget):
    """A text input plus hidden longitude, latitude and "the text these coordinates were found for".

    The hidden names default to NAME_lon / NAME_lat; forms that always posted `longitude`/`latitude` keep those
    names, so older clients keep working. NAME_for is what lets a form without JavaScript be edited safely: once
    the visible text differs from it, the old coordinates are ignored and the new text is geocoded.
    """

    template_name = "core/widgets/place.html"

    def __init__(self, attrs=None, *, lon_name=None, lat_name=None, picker=False, locate=False):
        super().__init__(attrs)
        self.lon_name, self.lat_name = lon_name, lat_name
        self.picker, self.locate = picker, locate

    def names(self, name: str) -> dict[str, str]:
        return {
            "lon": self.lon_name or f"{name}_lon",
            "lat": self.lat_name or f"{name}_lat",
            "for": f"{name}_for",
        }

    def value_from_datadict(self, data, files, name):
        names = self.names(name)
        return {
            "text": data.get(name, ""),
            "lon": data.get(names["lon"], ""),
            "lat": data.get(names["lat"], ""),
            # None when the form was not rendered by this widget (an older client, a test posting coordinates)
            "for": data.get(names["for"]),
        }

    def value_omitted_from_data(self, data, files, name):
        names = self.names(name)
        return name not in data and names["lon"] not in data and names["lat"] not in data

    def format_value(self, value):
        """Any of PlaceValue, a bound dict, a Point, a text → (text, lon, lat, for)."""
        if isinstance(value, PlaceValue):
            lon, lat = f"{value.lon:.6f}", f"{value.lat:.6f}"
            return value.text, lon, lat, value.text
        if isinstance(value, Point):
            return "", f"{value.x:.6f}", f"{value.y:.6f}", ""
        if isinstance(value, dict):
            text = value.get("text") or ""
            lon, lat = _float(value.get("lon")), _float(value.get("lat"))
            if lon is None or lat is None:
                return text, "", "", ""
            found_for = value.get("for")
            return text, f"{lon:.6f}", f"{lat:.6f}", text if found_for is None else found_for
        return (str(value) if value else ""), "", "", ""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, None, attrs)
        text, lon, lat, found_for = self.format_value(value)
        names = self.names(name)
        widget = context["widget"]
        widget_id = widget["attrs"].get("id") or f"id_{name}"
        widget.update(
            {
                "value": text,
                "lon": {"name": names["lon"], "value": lon, "id": f"id_{names['lon']}"},
                "lat": {"name": names["lat"], "value": lat, "id": f"id_{names['lat']}"},
                "for": {"name": names["for"], "value": found_for, "id": f"id_{names['for']}"},
                "id": widget_id,
                "picker": self.picker,
                "locate": self.locate,
                "tiles": settings.MAP_TILES_URL,
                "leaflet_js": static("leaflet/leaflet.js"),
                "leaflet_css": static("leaflet/leaflet.css"),
                "css": static("core/css/place-field.css"),
            }
        )
        return context

    def id_for_label(self, id_):
        return id_


class PlaceField(forms.Field):
    """An address or a place of Paris; `cleaned_data` holds a `PlaceValue` (or None when left empty)."""

    widget = PlaceWidget
    default_error_messages = {
        "required": _("Type an address or a place in Paris."),
        "not_found": _(
            "We could not find this place in Paris: “%(text)s”. Check the spelling, choose one of the "
            "suggestions, or choose the point on the map."
        ),
        "outside": _("This point is outside Paris. Choose a place in Paris."),
        "max_length": _("Type at most %(max)d characters."),
    }

    def __init__(
        self, *, lon_name=None, lat_name=None, picker=False, locate=False, max_length=200, in_paris=True, **kwargs
    ):
        self.max_length, self.in_paris = max_length, in_paris
        kwargs.setdefault("widget", PlaceWidget(lon_name=lon_name, lat_name=lat_name, picker=picker, locate=locate))
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"maxlength": str(self.max_length), "autocomplete": "off", "spellcheck": "false"})
        return attrs

    def to_python(self, value):
        if isinstance(value, PlaceValue) or value is None:
            return value
        if not isinstance(value, dict):
            value = {"text": str(value), "lon": "", "lat": "", "for": None}
        text = " ".join(str(value.get("text") or "").split())
        if len(text) > self.max_length:
            raise ValidationError(self.error_messages["max_length"], code="max_length", params={"max": self.max_length})
        lon, lat = _float(value.get("lon")), _float(value.get("lat"))
        found_for = value.get("for")
        # The coordinates stand for the text only if nobody changed the text since they were filled in.
        if lon is not None and lat is not None and (found_for is None or " ".join(found_for.split()) == text):
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                raise ValidationError(self.error_messages["outside"], code="outside")
            return self._at(text, Point(lon, lat, srid=4326))
        if not text:
            return None
        typed = geocoding.parse_coordinates(text)
        if typed is not None:
            return self._at(text, typed)
        matches = geocoding.geocode(text, limit=1)
        if not matches:
            raise ValidationError(self.error_messages["not_found"], code="not_found", params={"text": text})
        match = matches[0]
        return PlaceValue(text=text, point=match.point, district=match.district)

    def _at(self, text: str, point: Point) -> PlaceValue:
        """A point given as coordinates: in Paris (one query) unless the field accepts any point (a search)."""
        if not self.in_paris:
            return PlaceValue(text=text, point=point)
        district = district_of_point(point.x, point.y)
        if district is None:
            raise ValidationError(self.error_messages["outside"], code="outside")
        return PlaceValue(text=text, point=point, district=district.number)

    def validate(self, value):
        if value is None and self.required:
            raise ValidationError(self.error_messages["required"], code="required")

    def has_changed(self, initial, data):
        before = initial.text if isinstance(initial, PlaceValue) else (initial or "")
        return (data or {}).get("text", "") != before


def place_at(lon, lat) -> PlaceValue | None:
    """The initial value of a place field for a point given in a link (?lon=&lat=), in words; None if unusable."""
    lon, lat = _float(lon), _float(lat)
    if lon is None or lat is None or not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return None
    match = geocoding.reverse(Point(lon, lat, srid=4326))
    return PlaceValue(text=match.label, point=match.point, district=match.district) if match else None


class NotificationSettingsForm(forms.Form):
    """One choice per category of notifications (core.notifications.CATEGORIES): on the site, by e-mail, in the
    weekly e-mail, or never."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        current = notifications.settings_of(user)
        for category in notifications.CATEGORIES:
            self.fields[category.slug] = forms.ChoiceField(
                label=category.label,
                choices=NotificationSetting.Channel.choices,
                initial=current[category.slug],
                widget=forms.RadioSelect,
            )

    def save(self):
        notifications.save_settings(self.user, self.cleaned_data)
