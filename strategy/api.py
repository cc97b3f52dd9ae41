"""Strategy API (contract: /work/shared/API.md, "Strategy"): parse, call a service or selector, serialise."""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.forms import whole_number
from serving.rest import require_perm

from . import selectors, services
from .consultations import credited_amendments
from .models import Contribution, Section, Version
from .serializers import (
    BulkTriageSerializer,
    ContributionSerializer,
    DraftSectionSerializer,
    PublishSerializer,
    SectionEditSerializer,
    TriageSerializer,
    VersionDetailSerializer,
    VersionSummarySerializer,
)

TEAM_ONLY = gettext_lazy("Only the mission team can do this.")  # lazy: translated per request


def _detail(version):
    version.section_list = selectors.version_sections(version)
    version.credits = credited_amendments(version, version.section_list)
    return VersionDetailSerializer(version).data


class CurrentStrategy(APIView):
    @extend_schema(responses={200: VersionDetailSerializer}, description="The current published version.")
    def get(self, request):
        version = selectors.current_version()
        if version is None:
            return Response({"detail": _("No version of the strategy has been published yet.")}, status=404)
        return Response(_detail(version))


class VersionList(generics.ListCreateAPIView):
    serializer_class = VersionSummarySerializer
    queryset = Version.objects.order_by("-number")

    @extend_schema(
        request=PublishSerializer,
        responses={201: inline_serializer("Published", {"version": serializers.IntegerField()})},
        description="Team: publish the current draft as the next version.",
    )
    def post(self, request):
        require_perm(request.user, "strategy.publish_version", message=TEAM_ONLY)
        data = PublishSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = services.publish_version(
            request.user, data.validated_data["summary"], confirm=data.validated_data.get("confirm")
        )
        return Response({"version": version.number, "url": version.get_absolute_url()}, status=status.HTTP_201_CREATED)


class VersionDetail(APIView):
    @extend_schema(responses={200: VersionDetailSerializer})
    def get(self, request, number):
        return Response(_detail(get_object_or_404(Version, number=number)))


class Diff(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("from", {"type": "integer", "minimum": 1}, required=True, description="Version number"),
            OpenApiParameter("to", {"type": "integer", "minimum": 1}, required=True, description="Version number"),
        ],
        responses={200: OpenApiResponse(description="Word-level diff, section by section")},
    )
    def get(self, request):
        numbers = request.query_params.get("from"), request.query_params.get("to")
        try:
            old, new, sections = selectors.diff_versions(*numbers)
        except ValidationError as error:
            if not all(whole_number(n) is not None for n in numbers):
                raise
            # Well-formed numbers of versions that do not exist: not found, with the same per-field messages.
            return Response(
                {"detail": _("This version does not exist."), "errors": error.message_dict},
                status=status.HTTP_404_NOT_FOUND,
            )
        return Response(
            {
                "from": old.number,
                "to": new.number,
                "sections": [s.as_dict() for s in sections if s.state != "unchanged"],
            }
        )


class ContributionList(generics.ListAPIView):
    serializer_class = ContributionSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("source", str, enum=Contribution.Sources.values),
            OpenApiParameter("theme", str, description="Theme slug"),
            OpenApiParameter("district", {"type": "integer", "minimum": 1, "maximum": 20}),
            OpenApiParameter("status", str, enum=Contribution.Status.values),
            OpenApiParameter("q", str),
            OpenApiParameter("date_from", {"type": "string", "format": "date"}),
            OpenApiParameter("date_to", {"type": "string", "format": "date"}),
            OpenApiParameter("min_support", {"type": "integer", "minimum": 0}),
            OpenApiParameter("sort", str, enum=[*selectors.SORTS, "relevance"]),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Contribution.objects.none()
        require_perm(self.request.user, "strategy.view_inbox", message=TEAM_ONLY)
        filters = selectors.parse_filters(self.request.query_params, self.request.user)
        return selectors.with_sections(selectors.inbox(filters, self.request.user))


class ContributionDetail(APIView):
    def _get(self, request, pk):
        require_perm(request.user, "strategy.view_inbox", message=TEAM_ONLY)
        return get_object_or_404(
            selectors.with_sections(Contribution.objects.select_related("theme", "district")), pk=pk
        )

    @extend_schema(responses={200: ContributionSerializer})
    def get(self, request, pk):
        return Response(ContributionSerializer(self._get(request, pk)).data)

    @extend_schema(request=TriageSerializer, responses={200: ContributionSerializer})
    def patch(self, request, pk):
        contribution = self._get(request, pk)
        data = TriageSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.triage(contribution, request.user, **data.validated_data)
        return Response(ContributionSerializer(self._get(request, pk)).data)


class ContributionBulk(APIView):
    @extend_schema(
        request=BulkTriageSerializer,
        responses={200: inline_serializer("BulkResult", {"updated": serializers.IntegerField()})},
    )
    def post(self, request):
        require_perm(request.user, "strategy.triage_contribution", message=TEAM_ONLY)
        data = BulkTriageSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ids = data.validated_data.pop("ids")
        return Response({"updated": services.bulk_triage(ids, request.user, **data.validated_data)})


class SectionDetail(APIView):
    def _get(self, request, slug):
        require_perm(request.user, "strategy.edit_section", message=TEAM_ONLY)
        return get_object_or_404(selectors.draft_sections(), slug=slug)

    @extend_schema(
        responses={200: DraftSectionSerializer}, description="Team: the draft of a section and its revision."
    )
    def get(self, request, slug):
        return Response(DraftSectionSerializer(self._get(request, slug)).data)

    @extend_schema(
        request=SectionEditSerializer,
        responses={200: DraftSectionSerializer, 409: OpenApiResponse(description="Stale revision: nothing saved")},
    )
    def patch(self, request, slug):
        section = self._get(request, slug)
        data = SectionEditSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.edit_section(section, request.user, **data.validated_data)
        return Response(DraftSectionSerializer(self._get(request, slug)).data)


class SectionList(generics.ListAPIView):
    serializer_class = DraftSectionSerializer
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Section.objects.none()
        require_perm(self.request.user, "strategy.edit_section", message=TEAM_ONLY)
        return selectors.draft_sections()
