"""Accounts whose public name was empty or their e-mail's local part get a neutral one (never from the e-mail)."""

import re
import secrets
import unicodedata

from django.db import migrations


def _letters(text):
    # "Léa.Dubois+asso" and "lea dubois" compare equal: accents, case, separators and the +tag do not matter.
    text = unicodedata.normalize("NFKD", text.split("+")[0]).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]", "", text)


def derives_from_email(display_name, email):
    local = email.split("@")[0]
    name = display_name.strip()
    return not name or "@" in name or _letters(name) in {_letters(local), _letters(local.split("+")[0])}


def neutral_display_names(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    renamed = []
    for user in User.objects.only("pk", "email", "display_name").iterator(chunk_size=2000):
        if derives_from_email(user.display_name, user.email):
            # The same form as accounts.models.default_display_name (a migration keeps its own copy).
            user.display_name = f"Participant·e {secrets.randbelow(9000) + 1000}"
            renamed.append(user)
    User.objects.bulk_update(renamed, ["display_name"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_initial")]

    operations = [migrations.RunPython(neutral_display_names, migrations.RunPython.noop)]
