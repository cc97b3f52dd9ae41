from django.urls import path

from . import api

urlpatterns = [
    path("budget/campaigns/", api.CampaignList.as_view(), name="budget-campaigns"),
    path("budget/campaigns/<int:pk>/ballot/", api.BallotView.as_view(), name="budget-ballot"),
    path("budget/projects/", api.ProjectCollection.as_view(), name="budget-projects"),
    path("budget/campaigns/<int:pk>/results.csv", api.ResultsCSV.as_view(), name="budget-results-csv"),
]
