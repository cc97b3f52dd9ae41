from django import forms
from django.contrib.gis.geos import Point
from django.utils.translation import gettext_lazy as _

from core import geocoding
from core.models import Theme

from .models import COMMENT_MAX, DESCRIPTION_MAX, TITLE_MAX, Comment


class ProposalForm(forms.Form):
    """The no-JS way to propose: coordinates typed in (the map fills them in, or a GeoJSON shape)."""

    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 5}), max_length=DESCRIPTION_MAX
    )
    theme = forms.ModelChoiceField(
        label=_("Theme"), queryset=Theme.objects.all(), to_field_name="slug", empty_label=None
    )
    address = forms.CharField(
        label=_("Address or place"),
        required=False,
        max_length=200,
        help_text=_("For example “place de la République” — or click on the map, or type the coordinates below."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "data-places": "", "list": "places-list"}),
    )
    latitude = forms.FloatField(
        label=_("Latitude"), required=False, min_value=-90, max_value=90, help_text=_("For example 48.8566")
    )
    longitude = forms.FloatField(
        label=_("Longitude"), required=False, min_value=-180, max_value=180, help_text=_("For example 2.3522")
    )
    geometry = forms.CharField(widget=forms.HiddenInput, required=False)
    photo = forms.FileField(
        label=_("Photo (optional)"), required=False, help_text=_("JPEG, PNG or WebP, 5 MB at most.")
    )

    def clean(self):
        data = super().clean()
        placed = data.get("geometry") or (data.get("latitude") is not None and data.get("longitude") is not None)
        if not placed and data.get("address"):
            point = geocoding.first_point(data["address"])
            if point is None:
                self.add_error(
                    "address", _("We could not find this place in Paris. Check it, or click on the map instead.")
                )
                return data
            data["longitude"], data["latitude"] = point.x, point.y
        elif not placed:
            raise forms.ValidationError(
                _("Place the proposal on the map, type an address, or type its latitude and longitude.")
            )
        return data

    def geometry_value(self):
        if self.cleaned_data.get("geometry"):
            return self.cleaned_data["geometry"]
        return Point(self.cleaned_data["longitude"], self.cleaned_data["latitude"], srid=4326).json


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Your comment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=COMMENT_MAX)
    stance = forms.ChoiceField(label=_("Your stance"), choices=Comment.Stance.choices, required=False)


class ReportForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you reporting this?"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class StatusForm(forms.Form):
    from .models import Proposal

    status = forms.ChoiceField(label=_("Status"), choices=Proposal.Status.choices)
    reason = forms.CharField(label=_("Public reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class MergeForm(forms.Form):
    into = forms.IntegerField(label=_("Number of the proposal to keep"), min_value=1)
    reason = forms.CharField(label=_("Public reason"), required=False)


class HideForm(forms.Form):
    reason = forms.CharField(label=_("Public reason"), required=False, max_length=500)
