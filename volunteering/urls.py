from django.urls import path

from . import views

app_name = "volunteering"
urlpatterns = [
    path("", views.index, name="index"),
    path("missions/<int:pk>/", views.mission_detail, name="mission"),
    path("missions/nouvelle/", views.mission_create, name="mission_create"),
    path("missions/<int:pk>/modifier/", views.mission_edit, name="mission_edit"),
    path("missions/<int:pk>/candidatures.csv", views.mission_csv, name="mission_csv"),
    path("pour-vous/", views.for_you, name="for_you"),
    path("profil/", views.profile, name="profile"),
    path("mes-candidatures/", views.my_applications, name="my_applications"),
    path("candidatures/<int:pk>/cv/", views.application_cv, name="application_cv"),
    path("candidatures/<int:pk>/retirer/", views.application_withdraw, name="application_withdraw"),
    path("organisations/<slug:slug>/tableau-de-bord/", views.dashboard, name="dashboard"),
    path("organisations/<slug:slug>/candidatures/", views.dashboard_update, name="dashboard_update"),
]
