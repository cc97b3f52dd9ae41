from django.urls import path

from . import views
from .models import Page

app_name = "pages"
urlpatterns = [
    *(
        path(f"{slug}/", views.page_detail, {"slug": slug}, name=slug)
        for slug in Page.Slug.values
        if slug != Page.Slug.CONTACT
    ),
    path("contact/", views.contact, name="contact"),
    path("conditions-utilisation/accepter/", views.accept_terms, name="accept-terms"),
    path("pages/<slug:slug>/modifier/", views.page_edit, name="edit"),
    path("pages/<slug:slug>/versions/", views.page_history, name="history"),
]
