from django.urls import path

from . import views

app_name = "ideas"
urlpatterns = [
    path("", views.index, name="index"),
    path("nouvelle/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/modifier/", views.edit, name="edit"),
    path("<int:pk>/soutien/", views.support, name="support"),
    path("<int:pk>/commentaires/", views.comment, name="comment"),
    path("commentaires/<int:pk>/modifier/", views.edit_comment, name="edit-comment"),
    path("commentaires/<int:pk>/supprimer/", views.delete_comment, name="delete-comment"),
    path("<int:pk>/actualites/", views.news, name="news"),
    path("<int:pk>/images/", views.add_image, name="add_image"),
    path("<int:pk>/images/<int:image_id>/supprimer/", views.remove_image, name="remove_image"),
    path("<int:pk>/signaler/", views.report, name="report"),
    path("<int:pk>/moderation/", views.moderate, name="moderate"),
    path("<int:pk>/mise-en-relation/", views.connect, name="connect"),
    path("<int:pk>/besoins/<int:need_id>/mission/", views.mission, name="mission"),
    path("partenaires/", views.partners, name="partners"),
    path("partenaires/<int:pk>/", views.partner, name="partner"),
    path("partenaire/", views.partner_form, name="partner_form"),
    path("partenaire/suggestions/", views.suggestions, name="suggestions"),
    path("mises-en-relation/", views.connections, name="connections"),
    path("mises-en-relation/<int:pk>/", views.connection, name="connection"),
]
