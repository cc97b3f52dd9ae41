from django.urls import path

from . import api

urlpatterns = [
    path("ideas/", api.IdeaListCreate.as_view(), name="api-ideas"),
    path("ideas/<int:pk>/", api.IdeaDetail.as_view(), name="api-idea"),
    path("ideas/<int:pk>/matches/", api.IdeaMatches.as_view(), name="api-idea-matches"),
    path("ideas/<int:pk>/support/", api.IdeaSupport.as_view(), name="api-idea-support"),
    path("ideas/<int:pk>/connections/", api.IdeaConnections.as_view(), name="api-idea-connections"),
    path("ideas/<int:pk>/comments/", api.IdeaComments.as_view(), name="api-idea-comments"),
    path("ideas/<int:pk>/comments/<int:cid>/", api.IdeaComment.as_view(), name="api-idea-comment"),
    path("ideas/<int:pk>/news/", api.IdeaNews.as_view(), name="api-idea-news"),
    path("ideas/<int:pk>/images/", api.IdeaImages.as_view(), name="api-idea-images"),
    path("ideas/<int:pk>/images/<int:image_id>/", api.IdeaImageDetail.as_view(), name="api-idea-image"),
    path("ideas/<int:pk>/reports/", api.IdeaReports.as_view(), name="api-idea-reports"),
    path("ideas/<int:pk>/moderation/", api.IdeaModeration.as_view(), name="api-idea-moderation"),
    path("ideas/<int:pk>/needs/<int:need_id>/mission/", api.NeedMission.as_view(), name="api-need-mission"),
    path("partners/", api.PartnerListCreate.as_view(), name="api-partners"),
    path("partners/<int:pk>/", api.PartnerDetail.as_view(), name="api-partner"),
    path("partners/<int:pk>/matches/", api.PartnerMatches.as_view(), name="api-partner-matches"),
    path("connections/", api.ConnectionList.as_view(), name="api-connections"),
    path("connections/<int:pk>/", api.ConnectionDetail.as_view(), name="api-connection"),
    path("connections/<int:pk>/messages/", api.ConnectionMessages.as_view(), name="api-connection-messages"),
]
