from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from core.models import Theme

from .models import PITCH_MAX, Idea, NeedKind

DISTRICT_CHOICES = [(n, "1er" if n == 1 else f"{n}e") for n in range(1, 21)]


class IdeaForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=150)
    pitch = forms.CharField(
        label=_("Pitch"),
        max_length=PITCH_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": PITCH_MAX}),
        help_text=_("Your idea in 280 characters at most."),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Markdown is accepted: **bold**, *italics*, lists."),
    )
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes"),
        queryset=Theme.objects.all(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    districts = forms.TypedMultipleChoiceField(
        label=_("Arrondissements"),
        choices=DISTRICT_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty for a city-wide idea."),
    )
    stage = forms.ChoiceField(label=_("Stage"), choices=Idea.Stage.choices)
    team = forms.CharField(label=_("Team"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    organization = forms.TypedChoiceField(label=_("Carried by"), coerce=int, required=False, empty_value=None)

    image = forms.FileField(
        label=_("An image (optional)"),
        required=False,
        help_text=_("JPEG, PNG or WebP, 5 MB at most. You can add more on the idea's page."),
    )
    image_alt = forms.CharField(
        label=_("What the image shows"),
        required=False,
        max_length=200,
        help_text=_("A short description for people who cannot see it (required with an image)."),
    )

    def __init__(self, *args, user=None, with_image=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_image:  # editing: images are managed on the idea's page
            del self.fields["image"], self.fields["image_alt"]
        orgs = list(user.organizations.all()) if user is not None and user.is_authenticated else []
        if orgs:
            self.fields["organization"].choices = [("", _("myself, as a resident"))] + [(o.pk, o.name) for o in orgs]
        else:
            del self.fields["organization"]


class ImageForm(forms.Form):
    image = forms.FileField(label=_("Image"), help_text=_("JPEG, PNG or WebP, 5 MB at most."))
    alt = forms.CharField(
        label=_("What the image shows"),
        max_length=200,
        help_text=_("A short description for people who cannot see it."),
    )


class NeedForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=_("Kind of need"), choices=[("", "—")] + list(NeedKind.choices), required=False)
    description = forms.CharField(label=_("What exactly?"), max_length=500, required=False)
    amount = forms.DecimalField(
        label=_("Amount (€)"), required=False, min_value=0, max_digits=10, decimal_places=2, help_text=_("For funding.")
    )

    def as_need(self):
        data = self.cleaned_data
        if not data or not (data.get("kind") or data.get("description") or data.get("amount")):
            return None
        return {
            "id": data.get("id"),
            "kind": data.get("kind"),
            "description": data.get("description") or "",
            "amount": data.get("amount"),
        }


NeedFormSet = formset_factory(NeedForm, extra=3, max_num=12)


class PartnerForm(forms.Form):
    description = forms.CharField(
        label=_("What we can bring"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes"),
        queryset=Theme.objects.all(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    districts = forms.TypedMultipleChoiceField(
        label=_("Arrondissements where you act"),
        choices=DISTRICT_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty if you act everywhere in Paris."),
    )
    capacity = forms.IntegerField(
        label=_("Capacity"),
        required=False,
        min_value=0,
        max_value=1000,
        help_text=_("How many projects at the same time."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind, label in NeedKind.choices:
            self.fields[f"offer_{kind}"] = forms.CharField(
                label=label, required=False, max_length=500, help_text=_("Leave empty if you do not offer this.")
            )

    def offers(self):
        return [
            {"kind": kind, "description": self.cleaned_data.get(f"offer_{kind}") or ""}
            for kind in NeedKind.values
            if (self.cleaned_data.get(f"offer_{kind}") or "").strip()
        ]

    def offer_fields(self):
        return [self[f"offer_{kind}"] for kind in NeedKind.values]


class ConnectForm(forms.Form):
    need = forms.TypedChoiceField(label=_("Need"), coerce=int)
    partner = forms.TypedChoiceField(label=_("Partner"), coerce=int)
    message = forms.CharField(
        label=_("Message"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class MessageForm(forms.Form):
    body = forms.CharField(label=_("Your message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Your comment"), max_length=3000, widget=forms.Textarea(attrs={"rows": 3}))
    parent = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


class CommentEditForm(forms.Form):
    body = forms.CharField(label=_("Your comment"), max_length=3000, widget=forms.Textarea(attrs={"rows": 4}))


class NewsForm(forms.Form):
    title = forms.CharField(label=_("Title of the news"), max_length=150)
    body = forms.CharField(label=_("Text"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))


class ReportForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you reporting this idea?"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
