from django.urls import path

from . import api

app_name = "volunteering-api"
P = "volunteering/"
urlpatterns = [
    path(P + "missions/", api.MissionList.as_view(), name="missions"),
    path(P + "missions/<int:pk>/", api.MissionDetail.as_view(), name="mission"),
    path(P + "missions/<int:pk>/publish/", api.MissionAction.as_view(action="publish"), name="mission-publish"),
    path(P + "missions/<int:pk>/unpublish/", api.MissionAction.as_view(action="unpublish"), name="mission-unpublish"),
    path(P + "missions/<int:pk>/close/", api.MissionAction.as_view(action="close"), name="mission-close"),
    path(P + "missions/<int:pk>/applications/", api.MissionApplications.as_view(), name="mission-applications"),
    path(P + "missions/<int:pk>/applications.csv", api.MissionApplicationsCsv.as_view(), name="mission-csv"),
    path(P + "applications/", api.ApplicationList.as_view(), name="applications"),
    path(P + "applications/bulk/", api.ApplicationBulk.as_view(), name="applications-bulk"),
    path(P + "applications/<int:pk>/", api.ApplicationDetail.as_view(), name="application"),
    path(P + "applications/<int:pk>/withdraw/", api.ApplicationWithdraw.as_view(), name="application-withdraw"),
    path(P + "applications/<int:pk>/messages/", api.ApplicationMessages.as_view(), name="application-messages"),
    path(
        P + "applications/<int:pk>/attestation/", api.ApplicationAttestation.as_view(), name="application-attestation"
    ),
    path(P + "applications/<int:pk>/cv/", api.ApplicationCv.as_view(), name="application-cv"),
    path(P + "recommendations/", api.Recommendations.as_view(), name="recommendations"),
    path(P + "profile/", api.Profile.as_view(), name="profile"),
    path(P + "organizations/<int:pk>/", api.OrganizationPublic.as_view(), name="organization"),
    path(P + "organizations/<int:pk>/applications/", api.SpontaneousApplication.as_view(), name="spontaneous"),
    path(P + "organizations/<int:pk>/statistics/", api.OrganizationStatistics.as_view(), name="statistics"),
]
