from django.conf import settings


def site(request):
    user = getattr(request, "user", None)
    unread = 0
    if user is not None and user.is_authenticated:
        unread = user.notifications.filter(read_at__isnull=True).count()
    return {"unread_notifications": unread, "MAP_TILES_URL": settings.MAP_TILES_URL, "DEBUG": settings.DEBUG}
