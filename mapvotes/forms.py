from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import PlaceField
from core.models import Theme

from .models import COMMENT_MAX, DESCRIPTION_MAX, TITLE_MAX, Comment


class ProposalForm(forms.Form):
    """The no-JS way to propose: an address or a place, geocoded; the map fills its point (or a drawn shape)."""

    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 5}), max_length=DESCRIPTION_MAX
    )
    theme = forms.ModelChoiceField(
        label=_("Theme"), queryset=Theme.objects.all(), to_field_name="slug", empty_label=None
    )
    # `latitude`/`longitude` stay the names of the hidden coordinates: the map and older clients post them.
    address = PlaceField(
        label=_("Address or place"),
        required=False,
        lon_name="longitude",
        lat_name="latitude",
        help_text=_("For example “12 rue Oberkampf” or “place de la République”, or tap the map."),
    )
    geometry = forms.CharField(widget=forms.HiddenInput, required=False)
    photo = forms.FileField(
        label=_("Photo (optional)"), required=False, help_text=_("JPEG, PNG or WebP, 5 MB at most.")
    )

    def clean(self):
        data = super().clean()
        if data.get("geometry"):  # a line or an area drawn on the map: its shape says where, not the address
            self.errors.pop("address", None)
        elif not data.get("address") and "address" not in self.errors:
            self.add_error("address", _("Type the address or the place of your proposal, or tap the map."))
        return data

    def geometry_value(self):
        if self.cleaned_data.get("geometry"):
            return self.cleaned_data["geometry"]
        return self.cleaned_data["address"].point.json


class MapGotoForm(forms.Form):
    """The "aller à une adresse" / "autour de moi" form above the map."""

    aller = PlaceField(label=_("Go to an address or a place"), required=False, locate=True)


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Your comment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=COMMENT_MAX)
    stance = forms.ChoiceField(label=_("Your stance"), choices=Comment.Stance.choices, required=False)
    parent = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


class CommentEditForm(forms.Form):
    body = forms.CharField(label=_("Your comment"), widget=forms.Textarea(attrs={"rows": 4}), max_length=COMMENT_MAX)


class ProposalEditForm(forms.Form):
    """The author's edit of an open proposal: the words and the theme (the place stays where it was voted on)."""

    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 8}), max_length=DESCRIPTION_MAX
    )
    theme = forms.ModelChoiceField(
        label=_("Theme"), queryset=Theme.objects.all(), to_field_name="slug", empty_label=None
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you withdraw your proposal? (shown publicly)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


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
