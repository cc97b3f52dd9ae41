from django.urls import path

from . import api, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", api.healthz, name="healthz"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/lues/", views.notifications_read, name="notifications-read"),
    path("equipe/journal/", views.audit_log, name="audit-log"),
]
