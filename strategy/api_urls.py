from django.urls import path

from . import api, consultation_api

urlpatterns = [
    path("strategy/", api.CurrentStrategy.as_view(), name="api-strategy"),
    path("strategy/versions/", api.VersionList.as_view(), name="api-strategy-versions"),
    path("strategy/versions/<int:number>/", api.VersionDetail.as_view(), name="api-strategy-version"),
    path("strategy/diff/", api.Diff.as_view(), name="api-strategy-diff"),
    path("strategy/contributions/", api.ContributionList.as_view(), name="api-strategy-contributions"),
    path("strategy/contributions/bulk/", api.ContributionBulk.as_view(), name="api-strategy-contributions-bulk"),
    path("strategy/contributions/<int:pk>/", api.ContributionDetail.as_view(), name="api-strategy-contribution"),
    path("strategy/sections/", api.SectionList.as_view(), name="api-strategy-sections"),
    path("strategy/sections/<slug:slug>/", api.SectionDetail.as_view(), name="api-strategy-section"),
    path(
        "strategy/sections/<slug:slug>/annotations/",
        consultation_api.SectionAnnotations.as_view(),
        name="api-strategy-annotations",
    ),
]
