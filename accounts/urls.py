from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("profil/", views.profile, name="profile"),  # "Mon compte"
    path("profil/mes-donnees/", views.download_data, name="download-data"),
    path("profil/supprimer/", views.delete_account, name="delete"),
]
