from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import PlaceField
from core.territory import district_label

from .models import DESCRIPTION_MAX, TITLE_MAX


def scope_choices():
    return [("paris", _("All of Paris"))] + [(str(n), district_label(n)) for n in range(1, 21)]


class ProjectForm(forms.Form):
    """The no-JS way to submit a project: a place typed and geocoded, as for map proposals."""

    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 6}), max_length=DESCRIPTION_MAX
    )
    scope = forms.ChoiceField(label=_("Scope"), choices=scope_choices)
    address = PlaceField(
        label=_("Address or place"),
        lon_name="longitude",
        lat_name="latitude",
        help_text=_("For example “12 rue Oberkampf” or “place de la République”."),
    )
    estimated_need = forms.IntegerField(label=_("Estimated need (€)"), min_value=0, required=False)


class PhotoMixin(forms.Form):
    photo = forms.FileField(
        label=_("Picture (optional)"), required=False, help_text=_("JPEG, PNG or WebP, 5 MB at most.")
    )


class SubmitForm(ProjectForm, PhotoMixin):
    confirm = forms.BooleanField(
        label=_("My project is different from these: submit it anyway"), required=False, widget=forms.CheckboxInput
    )


class PhaseDatesForm(forms.Form):
    submission_opens = forms.DateField(label=_("Submission opens"), widget=forms.DateInput(attrs={"type": "date"}))
    study_opens = forms.DateField(label=_("Study starts"), widget=forms.DateInput(attrs={"type": "date"}))
    vote_opens = forms.DateField(label=_("Vote opens"), widget=forms.DateInput(attrs={"type": "date"}))
    results_on = forms.DateField(
        label=_("Results published (the vote closes the day before)"), widget=forms.DateInput(attrs={"type": "date"})
    )
    delivery_opens = forms.DateField(label=_("Delivery starts"), widget=forms.DateInput(attrs={"type": "date"}))


class PaperCountForm(forms.Form):
    project = forms.TypedChoiceField(label=_("Project"), coerce=int)
    polling_place = forms.CharField(label=_("Polling place"), max_length=120)
    count = forms.IntegerField(label=_("Paper ballots for the project"), min_value=0, max_value=1_000_000)

    def __init__(self, *args, projects=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].choices = [(p.pk, f"{p.title} ({p.scope.label})") for p in projects]
