from allauth.account.signals import email_confirmed
from django.dispatch import receiver


@receiver(email_confirmed)
def mark_verified(request, email_address, **kwargs):
    user = email_address.user
    if email_address.primary or user.email.lower() == email_address.email.lower():
        user.email_verified = True
        user.save(update_fields=["email_verified"])
