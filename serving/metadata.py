"""OPTIONS responses of the API (its own module: DRF imports it while `rest_framework.views` loads)."""

from rest_framework.metadata import SimpleMetadata


class DescriptionOnlyMetadata(SimpleMetadata):
    """OPTIONS answers name, description, renderers and parsers; the fields are in the OpenAPI schema.

    DRF's default would call `get_object()` on detail views to describe their forms, which bypasses the
    visibility rules of our selectors (and needs a `queryset` on every view)."""

    def determine_metadata(self, request, view):
        metadata = super().determine_metadata(request, view)
        metadata.pop("actions", None)
        return metadata

    def determine_actions(self, request, view):
        return {}
