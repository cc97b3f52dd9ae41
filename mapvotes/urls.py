from django.urls import path

from . import views

app_name = "mapvotes"
urlpatterns = [
    path("", views.index, name="index"),
    path("liste/", views.proposal_list, name="list"),
    path("territoire/", views.territory, name="territory"),
    path("proposer/", views.propose, name="propose"),
    path("moderation/", views.moderation_desk, name="moderation"),
    path("propositions/<int:pk>/", views.proposal_detail, name="detail"),
    path("propositions/<int:pk>/vote/", views.vote, name="vote"),
    path("propositions/<int:pk>/commentaires/", views.comment, name="comment"),
    path("propositions/<int:pk>/modifier/", views.edit_proposal, name="edit"),
    path("propositions/<int:pk>/retirer/", views.withdraw_proposal, name="withdraw"),
    path("commentaires/<int:pk>/modifier/", views.edit_comment, name="edit-comment"),
    path("commentaires/<int:pk>/supprimer/", views.delete_comment, name="delete-comment"),
    path("propositions/<int:pk>/signaler/", views.report, name="report"),
    path("commentaires/<int:pk>/signaler/", views.report, {"kind": "comment"}, name="report-comment"),
    path("equipe/<int:pk>/<slug:action>/", views.team_action, name="team-action"),
]
