from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import User


class SignupForm(AllauthSignupForm):
    display_name = forms.CharField(
        label=_("Display name"), max_length=80, required=False, help_text=_("Shown next to your contributions.")
    )


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "preferred_language"]
