from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.urls import reverse_lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .models import User


class SignupForm(AllauthSignupForm):
    display_name = forms.CharField(
        label=_("Public name"),
        max_length=80,
        required=False,
        help_text=_(
            "Shown next to your contributions instead of your e-mail address, which stays private. "
            "Left empty, you will appear as “Participant·e” and a number."
        ),
    )


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "preferred_language", "home_district"]


class SignupWithTermsForm(SignupForm):
    """The sign-up form (settings.ACCOUNT_FORMS): accepting the terms of use is required, and the accepted version
    is recorded on the account (pages.TermsAcceptance)."""

    accept_terms = forms.BooleanField(
        label=_("I have read and I accept the terms of use"),
        help_text=format_lazy(
            '<a href="{url}">{text}</a>',
            url=reverse_lazy("pages:conditions-utilisation"),
            text=_("Read the terms of use"),
        ),
        error_messages={"required": _("You must accept the terms of use to create an account.")},
    )

    def custom_signup(self, request, user):
        super().custom_signup(request, user)
        from pages.services import accept_terms

        accept_terms(user)


class DeleteAccountForm(forms.Form):
    """Deleting an account asks for its password (a left-open session is not enough) and an explicit confirmation."""

    password = forms.CharField(
        label=_("Your password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    confirm = forms.BooleanField(
        label=_("I understand that my account will be deleted for good"),
        error_messages={"required": _("Tick the box to confirm the deletion.")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("This is not your password."))
        return password
