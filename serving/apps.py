from django.apps import AppConfig


class ServingConfig(AppConfig):
    """The machinery of serving requests; no models. It knows no space and no domain module (tests/core/test_layers.py)."""

    name = "serving"
