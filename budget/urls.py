from django.urls import path

from . import views

app_name = "budget"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:year>/", views.campaign, name="campaign"),
    path("<int:year>/vote/", views.ballot, name="ballot"),
    path("<int:year>/deposer/", views.submit, name="submit"),
    path("<int:year>/resultats/", views.results, name="results"),
    path("<int:year>/equipe/", views.team, name="team"),
    path("<int:year>/bulletins-papier/", views.paper, name="paper"),
    path("projets/", views.project_list, name="list"),
    path("projets/<int:pk>/", views.project_detail, name="project"),
    path("projets/<int:pk>/equipe/", views.project_team, name="project_team"),
]
