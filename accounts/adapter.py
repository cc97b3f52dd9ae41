from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        user.display_name = form.cleaned_data.get("display_name", "")
        user.preferred_language = (getattr(request, "LANGUAGE_CODE", None) or "fr")[:2]
        if commit:
            user.save()
        return user
