from urllib.parse import urlsplit

from allauth.account.signals import email_confirmed
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db import connections
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from . import login_guard, services
from .models import User


@receiver(email_confirmed)
def mark_verified(request, email_address, **kwargs):
    user = email_address.user
    if email_address.primary or user.email.lower() == email_address.email.lower():
        user.email_verified = True
        user.save(update_fields=["email_verified"])


@receiver(user_logged_in)
def clear_login_attempts(sender, request, user, **kwargs):
    """A successful log-in (form, admin, after a password reset) clears its guessing counters (accounts.login_guard)."""
    if request is not None and user.email:
        login_guard.succeeded(request, user.email)


# API tokens die with the credentials they were issued for. At the model, not in each flow, because the password
# changes in many places (allauth's change, reset and set views, the admin, `changepassword`, accounts.services) and
# the e-mail address too (allauth's e-mail management, the admin): no path can forget it.
@receiver(pre_save, sender=User)
def note_email_change(sender, instance, update_fields=None, raw=False, **kwargs):
    if raw or instance.pk is None or (update_fields is not None and "email" not in update_fields):
        return
    saved = User.objects.filter(pk=instance.pk).values_list("email", flat=True).first()
    instance._email_changed = saved is not None and saved.lower() != instance.email.lower()


@receiver(post_save, sender=User)
def revoke_tokens_on_new_credentials(sender, instance, created, raw=False, **kwargs):
    # AbstractBaseUser keeps the raw password in `_password` from set_password() until the save that follows (and
    # not when Django merely re-hashes it with a stronger hasher at log-in).
    changed = getattr(instance, "_password", None) is not None or getattr(instance, "_email_changed", False)
    instance._email_changed = False
    if changed and not created and not raw:
        services.revoke_tokens(instance)


def sync_site_with_site_url(using="default", **kwargs):
    """The sites framework's Site (allauth's e-mails, the Atom feed) says SITE_URL's host, never "example.com"."""
    from django.contrib.sites.models import Site

    if Site._meta.db_table not in connections[using].introspection.table_names():
        return  # `migrate sites zero`
    domain = urlsplit(settings.SITE_URL).netloc or "127.0.0.1:8000"
    Site.objects.using(using).update_or_create(pk=settings.SITE_ID, defaults={"domain": domain, "name": "Participe"})
