from django import forms
from django.utils.translation import gettext_lazy as _

from core.models import District, Theme

from .models import Contribution, Section


class CommentForm(forms.Form):
    quote = forms.CharField(
        label=_("Passage you are commenting on (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    body = forms.CharField(label=_("Your comment"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))


class SectionEditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text (Markdown)"),
        required=False,
        strip=False,
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 24}),
        help_text=_("Markdown: blank line between paragraphs, “- ” for lists, **bold**, ### for sub-headings."),
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class PublishForm(forms.Form):
    summary = forms.CharField(
        label=_("Summary of changes"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown publicly with the version, in the feed and in the notifications."),
    )
    confirm = forms.TypedMultipleChoiceField(
        label=_("Also mark as integrated"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, unchanged=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["confirm"].choices = [(item.contribution.pk, item.contribution.title) for item in unchanged]


class TriageForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Contribution.Status.choices)
    sections = forms.MultipleChoiceField(
        label=_("Sections fed by this contribution"), required=False, widget=forms.CheckboxSelectMultiple
    )
    public_reason = forms.CharField(
        label=_("Public reason (required when not retained)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    duplicate_of = forms.IntegerField(label=_("Duplicate of (contribution number)"), required=False, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sections"].choices = list(Section.objects.values_list("slug", "title"))

    def service_kwargs(self):
        data = self.cleaned_data
        return {
            "status": data["status"],
            "sections": data["sections"],
            "public_reason": data["public_reason"],
            "duplicate_of": data["duplicate_of"],
        }


class OfflineContributionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    text = forms.CharField(label=_("What was said"), widget=forms.Textarea(attrs={"rows": 6}))
    event = forms.CharField(
        label=_("Event or channel"),
        max_length=200,
        help_text=_("E.g. “Atelier mobilité, mairie du 11e” or “Courrier”."),
    )
    event_date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    participants = forms.IntegerField(label=_("Number of participants"), required=False, min_value=1, max_value=100_000)
    theme = forms.ModelChoiceField(label=_("Theme"), queryset=Theme.objects.all(), required=False, to_field_name="slug")
    district = forms.ModelChoiceField(
        label=_("Arrondissement"), queryset=District.objects.all(), required=False, to_field_name="number"
    )
