from django.urls import path

from . import api, views

urlpatterns = [
    path("healthz", api.healthz, name="healthz"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/lues/", views.notifications_read, name="notifications-read"),
    # "Mon compte" (the other account pages are under comptes/ too, in accounts/).
    path("comptes/notifications/", views.notification_settings, name="notification-settings"),
    path("suivre/<str:kind>/<int:pk>/", views.follow, name="follow"),
    path("equipe/journal/", views.audit_log, name="audit-log"),
]
