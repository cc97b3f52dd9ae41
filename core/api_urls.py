from django.urls import path

from . import api

urlpatterns = [
    path("themes/", api.ThemeList.as_view(), name="api-themes"),
    path("districts/", api.DistrictList.as_view(), name="api-districts"),
    path("places/", api.PlaceSearch.as_view(), name="api-places"),
    path("places/reverse/", api.PlaceReverse.as_view(), name="api-places-reverse"),
    path("notifications/", api.NotificationList.as_view(), name="api-notifications"),
    path("notifications/read/", api.NotificationsReadAll.as_view(), name="api-notifications-read"),
    # kind: proposal, idea, mission or section
    path("follows/<str:kind>/<int:pk>/", api.FollowView.as_view(), name="api-follow"),
]
