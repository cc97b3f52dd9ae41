from django.urls import path

from . import consultation_views, views

app_name = "strategy"
urlpatterns = [
    path("", views.index, name="index"),
    path("versions/", views.version_list, name="versions"),
    path("versions/<int:number>/", views.version_detail, name="version"),
    path("versions/<int:number>/strategie.md", views.export_markdown, name="export-md"),
    path("versions/<int:number>/strategie.pdf", views.export_pdf, name="export-pdf"),
    path("comparer/", views.diff, name="diff"),
    path("flux.atom", views.VersionFeed(), name="feed"),
    path("sections/<slug:slug>/", views.section_history, name="section-history"),
    path("contributions/<int:pk>/", views.contribution_detail, name="contribution"),
    path("tableau-de-bord/", views.dashboard, name="dashboard"),
    # Team workspace
    path("equipe/", views.inbox, name="inbox"),
    path("equipe/actions/", views.inbox_bulk, name="inbox-bulk"),
    path("equipe/contributions/<int:pk>/", views.contribution_triage, name="contribution-triage"),
    path("equipe/similaires/", views.similar, name="similar"),
    path("equipe/hors-ligne/", views.offline_new, name="offline-new"),
    path("equipe/brouillon/", views.draft, name="draft"),
    path("equipe/sections/<slug:slug>/", views.section_edit, name="section-edit"),
    # Consultations on the draft
    path("consultation/<slug:slug>/", consultation_views.consultation_section, name="consultation-section"),
    path("annotations/<int:pk>/soutien/", consultation_views.annotation_support, name="annotation-support"),
    path("annotations/<int:pk>/reponse/", consultation_views.annotation_reply, name="annotation-reply"),
    path("equipe/annotations/<int:pk>/accepter/", consultation_views.annotation_accept, name="annotation-accept"),
    path("equipe/consultations/", consultation_views.consultation_list, name="consultations"),
    path("equipe/consultations/<int:pk>/fermer/", consultation_views.consultation_close, name="consultation-close"),
    path("equipe/ateliers/", consultation_views.workshop_list, name="workshops"),
    path("equipe/ateliers/<int:pk>/", consultation_views.workshop_detail, name="workshop"),
]
