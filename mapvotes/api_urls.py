from django.urls import path

from . import api

urlpatterns = [
    path("map/proposals/", api.ProposalCollection.as_view(), name="mapvotes-proposals"),
    path("map/proposals/similar/", api.SimilarProposals.as_view(), name="mapvotes-similar"),
    path("map/proposals/<int:pk>/", api.ProposalDetail.as_view(), name="mapvotes-proposal"),
    path("map/proposals/<int:pk>/vote/", api.ProposalVote.as_view(), name="mapvotes-vote"),
    path("map/proposals/<int:pk>/comments/", api.ProposalComments.as_view(), name="mapvotes-comments"),
    path("map/proposals/<int:pk>/comments/<int:cid>/", api.ProposalComment.as_view(), name="mapvotes-comment"),
    path("map/proposals/<int:pk>/withdraw/", api.ProposalWithdraw.as_view(), name="mapvotes-withdraw"),
    path("map/proposals/<int:pk>/revisions/", api.ProposalRevisions.as_view(), name="mapvotes-revisions"),
    path("map/proposals/<int:pk>/report/", api.ProposalReport.as_view(), name="mapvotes-report"),
    path("map/proposals/<int:pk>/status/", api.ProposalStatus.as_view(), name="mapvotes-status"),
    path("map/proposals/<int:pk>/merge/", api.ProposalMerge.as_view(), name="mapvotes-merge"),
    path("map/proposals/<int:pk>/hide/", api.ProposalHide.as_view(), name="mapvotes-hide"),
    path("map/comments/<int:pk>/report/", api.CommentReport.as_view(), name="mapvotes-comment-report"),
    path("map/comments/<int:pk>/hide/", api.CommentHide.as_view(), name="mapvotes-comment-hide"),
    path("map/territory/", api.Territory.as_view(), name="mapvotes-territory"),
    path("map/export.geojson", api.ExportGeoJSON.as_view(), name="mapvotes-export-geojson"),
    path("map/export.csv", api.ExportCSV.as_view(), name="mapvotes-export-csv"),
]
