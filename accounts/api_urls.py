from django.urls import path

from . import api

urlpatterns = [
    path("auth/register/", api.RegisterView.as_view(), name="api-register"),
    path("auth/token/", api.TokenView.as_view(), name="api-token"),
    path("me/", api.MeView.as_view(), name="api-me"),
    path("me/export/", api.MeExportView.as_view(), name="api-me-export"),
]
