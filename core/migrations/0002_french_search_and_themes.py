from django.db import migrations

# A French full-text configuration that ignores accents: "velo" finds "vélo", "pietons" finds "piétons".
CREATE_CONFIG = """
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'french_unaccent') THEN
    CREATE TEXT SEARCH CONFIGURATION french_unaccent (COPY = french);
    ALTER TEXT SEARCH CONFIGURATION french_unaccent
      ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
  END IF;
END $$;
-- unaccent() is only STABLE; an IMMUTABLE wrapper lets indexes use it.
CREATE OR REPLACE FUNCTION immutable_unaccent(text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $f$ SELECT public.unaccent('public.unaccent', $1) $f$;
"""
DROP_CONFIG = "DROP TEXT SEARCH CONFIGURATION IF EXISTS french_unaccent; DROP FUNCTION IF EXISTS immutable_unaccent(text);"

THEMES = [
    # slug, French, English, colour, in the strategy
    ("donnees", "Données", "Data", "#5b3f8c", True),
    ("participation", "Participation", "Participation", "#1f4e79", True),
    ("mobilite", "Mobilité", "Mobility", "#0b6e99", True),
    ("architecture-urbanisme", "Architecture et urbanisme", "Architecture and urban planning", "#7a4a1f", True),
    ("energie", "Énergie", "Energy", "#a35200", True),
    ("numerique", "Numérique", "Digital", "#3b4f63", True),
    ("vegetalisation", "Végétalisation", "Greening", "#1b6e3a", True),
    ("solidarite", "Solidarité", "Solidarity", "#a8324a", False),
    ("culture", "Culture", "Culture", "#8a2f7a", False),
    ("education", "Éducation", "Education", "#2f5f8a", False),
    ("sante", "Santé", "Health", "#b3261e", False),
    ("environnement", "Environnement", "Environment", "#3d7a2a", False),
]


def add_themes(apps, schema_editor):
    Theme = apps.get_model("core", "Theme")
    for position, (slug, name, name_en, color, in_strategy) in enumerate(THEMES):
        Theme.objects.update_or_create(
            slug=slug,
            defaults={"name": name, "name_en": name_en, "color": color, "in_strategy": in_strategy, "position": position},
        )


def remove_themes(apps, schema_editor):
    apps.get_model("core", "Theme").objects.filter(slug__in=[t[0] for t in THEMES]).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.RunSQL(CREATE_CONFIG, DROP_CONFIG),
        migrations.RunPython(add_themes, remove_themes),
    ]
