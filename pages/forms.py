from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Page


class PageForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=150)
    body = forms.CharField(
        label=_("Text (Markdown)"),
        widget=forms.Textarea(attrs={"rows": 24}),
        help_text=_("## for a heading, - for a list, [text](https://…) for a link. HTML is removed."),
    )
    summary = forms.CharField(
        label=_("What changed"), max_length=300, required=False, help_text=_("Shown in the page's history.")
    )
    requires_acceptance = forms.BooleanField(
        label=_("Substantial change: ask every account to accept this version at its next log-in"), required=False
    )

    def __init__(self, *args, page: Page, **kwargs):
        super().__init__(*args, **kwargs)
        if page.slug != Page.Slug.TERMS:
            del self.fields["requires_acceptance"]


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(
        label=_("Your e-mail address"),
        help_text=_("So that the team can answer you."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    subject = forms.CharField(label=_("Subject"), max_length=150)
    message = forms.CharField(label=_("Message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 8}))


class AcceptTermsForm(forms.Form):
    accept = forms.BooleanField(
        label=_("I have read and I accept the terms of use"),
        error_messages={"required": _("You must accept the terms of use to continue.")},
    )
