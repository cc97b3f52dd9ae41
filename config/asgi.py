import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from serving.asgi import get_asgi_application  # noqa: E402 - Django's, with a fixed set of request threads

django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from config.routing import websocket_urlpatterns  # noqa: E402
from serving.consumers import RefuseWhileLayerDown  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": RefuseWhileLayerDown(
            AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns)))
        ),
    }
)
