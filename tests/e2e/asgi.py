"""The application as the browser tests serve it: config.asgi's, plus one thing only a test database needs.

Transactional tests empty the database after each test; Django then creates the content types again under new ids.
The server is another process that caches content types by id (ContentType.objects), so without this it would
write ids that no longer exist (an audit line, a report) once an earlier test had made it cache them."""

from config.asgi import application as site  # sets Django up first


async def application(scope, receive, send):
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    await site(scope, receive, send)
