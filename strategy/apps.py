from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StrategyConfig(AppConfig):
    name = "strategy"
    verbose_name = _("Living strategy")

    def ready(self):
        """Signals (the only ones of this app), all in strategy/contributions.py:

        - post_save on every registered contribution source model (map proposals, ideas, missions, section
          comments…): upsert the inbox row from `source.describe(obj)`; `public=False` hides it from the inbox
          while keeping its triage history.
        - post_delete on the same models: remove the inbox row.
        - m2m_changed on the through models each source declares in `depends_on` (ideas' and missions'
          themes, ideas' districts, set after the first save): re-describe the object, so the row gets its
          theme, district and the theme referent as assignee.
        Sources also call `core.contributions.contribution_changed()` / `support_changed()` after changes
        that fire no signal; `connect_sources()` installs the handlers (run after commit, never raising).
        strategy is last in INSTALLED_APPS, so every source has registered itself when this runs.
        """
        import datetime

        from core import contributions as registry
        from core import gdpr, periodic, spaces, territory

        from . import consultations, contributions, selectors, tasks
        from .models import Contribution

        # Offline contributions keep their own place; the sources' rows are re-described from their objects.
        # New boundaries move contributions between arrondissements: the cached dashboard figures start afresh.
        territory.register_located(Contribution, "location", "district", relocated=_invalidate_dashboard)

        registry.register(contributions.COMMENT_SOURCE)
        registry.register(consultations.ANNOTATION_SOURCE)
        contributions.connect_sources()
        registry.set_outcome_provider(contributions.outcomes_for)
        # Support figures are refreshed after each commit; this repairs what a lost refresh left stale.
        periodic.register("strategy.sync_contributions", datetime.timedelta(minutes=5), tasks.sync_contributions)
        # No eraser: public comments and inbox rows keep existing with author NULL (on_delete=SET_NULL).
        gdpr.register("strategy", exporter=_export_personal_data)
        spaces.register(
            spaces.Space(
                key="strategy",
                title=_("Living strategy"),
                description=_(
                    "The Paris intelligente et durable strategy, version after version, and what became of each contribution."
                ),
                url_name="strategy:index",
                position=40,
                figures=selectors.home_figures,
                recent=consultations.home_announcements,
            )
        )


def _invalidate_dashboard():
    from .services import invalidate_dashboard

    invalidate_dashboard()


def _export_personal_data(user) -> dict:
    from . import consultations, selectors

    return {**selectors.export_personal_data(user), **consultations.export_personal_data(user)}
