from django.urls import path

from . import views

app_name = "volunteering"
urlpatterns = [
    path("", views.index, name="index"),
    path("stages/", views.internships, name="internships"),
    path("stages/nouveau/", views.internship_create, name="internship_create"),
    path("stages/candidature-spontanee/", views.internship_spontaneous, name="internship_spontaneous"),
    path("recherches/enregistrer/", views.save_search, name="save_search"),
    path("recherches/<int:pk>/supprimer/", views.delete_saved_search, name="delete_saved_search"),
    path("stages/bureau-des-stages/", views.internship_office, name="internship_office"),
    path("stages/bureau-des-stages/chiffres.csv", views.internship_figures_csv, name="internship_figures_csv"),
    path("missions/<int:pk>/", views.mission_detail, name="mission"),
    path("missions/nouvelle/", views.mission_create, name="mission_create"),
    path("missions/<int:pk>/modifier/", views.mission_edit, name="mission_edit"),
    path("missions/<int:pk>/calendrier.ics", views.mission_calendar, name="mission_calendar"),
    path("missions/<int:pk>/candidatures.csv", views.mission_csv, name="mission_csv"),
    path("pour-vous/", views.for_you, name="for_you"),
    path("profil/", views.profile, name="profile"),
    path("mes-candidatures/", views.my_applications, name="my_applications"),
    path("candidatures/<int:pk>/", views.application_detail, name="application"),
    path("candidatures/<int:pk>/attestation.pdf", views.application_attestation, name="application_attestation"),
    path("candidatures/<int:pk>/cv/", views.application_cv, name="application_cv"),
    path("candidatures/<int:pk>/retirer/", views.application_withdraw, name="application_withdraw"),
    path("organisations/<slug:slug>/tableau-de-bord/", views.dashboard, name="dashboard"),
    path("organisations/<slug:slug>/candidatures/", views.dashboard_update, name="dashboard_update"),
]
