"""REST API of the volunteering marketplace: parse, call a service or selector, serialise."""

import csv

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Organization
from core.contributions import outcomes
from serving.parsers import JSONParser
from serving.rest import StandardPagination

from . import selectors, services
from .documents import attestation_response
from .models import Application, ApplicationMessage, Attestation, Mission
from .serializers import (
    ApplicationCreateSerializer,
    ApplicationMessageSerializer,
    ApplicationSerializer,
    ApplicationStatusSerializer,
    AttestationInputSerializer,
    AttestationSerializer,
    BulkStatusSerializer,
    ContactSerializer,
    MessageBodySerializer,
    MissionSearchSerializer,
    MissionSerializer,
    MissionWriteSerializer,
    OrganizationStatisticsSerializer,
    ProfileSerializer,
    RecommendedMissionSerializer,
    StatisticsQuerySerializer,
)


def _convocation(data):
    return {k: data[k] for k in ("convocation_at", "convocation_place", "convocation_message") if k in data}


def _mission_data(validated):
    return {k: v for k, v in validated.items() if k not in ("organization", "status")}


class MissionList(APIView):
    throttle_scope = "propose"  # serving.throttling
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    pagination_class = StandardPagination  # documents the paginated list in the schema

    @extend_schema(
        parameters=[MissionSearchSerializer],
        responses={200: MissionSerializer(many=True)},
        description="Search published missions; with near=LON,LAT each has distance_km and the order is by distance.",
    )
    def get(self, request):
        params = MissionSearchSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        paginator = StandardPagination()
        page = paginator.paginate_queryset(selectors.search_missions(params.filters()), request, view=self)
        context = {"request": request, "outcomes": outcomes("mission", [m.pk for m in page])}
        return paginator.get_paginated_response(MissionSerializer(page, many=True, context=context).data)

    @extend_schema(request=MissionWriteSerializer, responses={201: MissionSerializer})
    def post(self, request):
        serializer = MissionWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        mission = services.create_mission(
            request.user,
            _mission_data(data),
            organization=data.get("organization"),
            publish=data.get("status", "published") == "published",
        )
        detail = selectors.mission_detail(mission.pk)
        return Response(
            MissionSerializer(detail, context={"show_contact": True, "show_tutor": True}).data,
            status=status.HTTP_201_CREATED,
        )


def _visible_mission(request, pk) -> Mission:
    try:
        mission = selectors.mission_detail(pk)
    except Mission.DoesNotExist:
        raise Http404 from None
    if not request.user.has_perm("volunteering.view_mission", mission):
        raise Http404
    return mission


def _shows_contact(request, mission) -> bool:
    return request.user.has_perm("volunteering.view_mission_contact", mission)


class MissionDetail(APIView):
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]

    @extend_schema(responses={200: MissionSerializer})
    def get(self, request, pk):
        mission = _visible_mission(request, pk)
        context = {
            "outcomes": outcomes("mission", [mission.pk]),
            "show_contact": _shows_contact(request, mission),
            "show_tutor": request.user.has_perm("volunteering.view_tutor", mission),
        }
        return Response(MissionSerializer(mission, context=context).data)

    @extend_schema(request=MissionWriteSerializer, responses={200: MissionSerializer})
    def patch(self, request, pk):
        mission = _visible_mission(request, pk)
        serializer = MissionWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.update_mission(request.user, mission, _mission_data(serializer.validated_data))
        return Response(
            MissionSerializer(selectors.mission_detail(pk), context={"show_contact": True, "show_tutor": True}).data
        )


class MissionAction(APIView):
    permission_classes = [permissions.IsAuthenticated]
    action = ""
    actions = {
        "publish": services.publish_mission,
        "unpublish": services.unpublish_mission,
        "close": services.close_mission,
    }

    @extend_schema(request=None, responses={200: MissionSerializer})
    def post(self, request, pk):
        mission = _visible_mission(request, pk)
        mission = self.actions[self.action](request.user, mission)
        return Response(
            MissionSerializer(
                selectors.mission_detail(mission.pk), context={"show_contact": True, "show_tutor": True}
            ).data
        )


class MissionApplications(APIView):
    throttle_scope = "apply"  # serving.throttling
    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        request={"multipart/form-data": ApplicationCreateSerializer, "application/json": ApplicationCreateSerializer},
        responses={
            201: ApplicationSerializer,
            409: OpenApiResponse(description="Already applied, or mission full/closed"),
        },
    )
    def post(self, request, pk):
        mission = _visible_mission(request, pk)
        serializer = ApplicationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        application = services.apply(
            request.user, mission, data["message"], data.get("cv"), waiting_list=data["waiting_list"]
        )
        return Response(ApplicationSerializer(application).data, status=status.HTTP_201_CREATED)


class MissionApplicationsCsv(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={(200, "text/csv"): OpenApiResponse(description="Applicants of the mission")})
    def get(self, request, pk):
        mission = get_object_or_404(Mission.objects.select_related("organization"), pk=pk)
        # The mission's managers: for an internship, its direction's administrators and correspondents only.
        if not request.user.has_perm("volunteering.change_mission", mission):
            raise Http404
        return applicants_csv(mission)


def applicants_csv(mission) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="candidatures-mission-{mission.pk}.csv"'
    response["Cache-Control"] = "private, no-store"
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow([_("Name"), _("E-mail"), _("Status"), _("Applied at"), _("Message"), _("CV")])
    for application in selectors.organization_applications(mission.organization, mission=mission):
        writer.writerow(
            [
                _safe_cell(application.volunteer.public_name),
                _safe_cell(application.volunteer.email),
                application.get_status_display(),
                # Paris time, as a French spreadsheet reads it (the database keeps UTC).
                date_format(timezone.localtime(application.created_at), "SHORT_DATETIME_FORMAT"),
                _safe_cell(application.message),
                _("yes") if application.cv else _("no"),
            ]
        )
    return response


def _safe_cell(value: str) -> str:
    # Spreadsheet formula injection: a cell starting with = + - @ is read as text.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


class SpontaneousApplication(APIView):
    throttle_scope = "apply"  # serving.throttling
    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(request=ApplicationCreateSerializer, responses={201: ApplicationSerializer})
    def post(self, request, pk):
        organization = get_object_or_404(Organization, pk=pk, verified=True)
        serializer = ApplicationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        internship = None
        if data.get("kind") == Mission.Kind.INTERNSHIP:
            internship = {k: data.get(k) for k in ("wished_trade", "wished_level", "available_from", "available_weeks")}
        application = services.apply_spontaneously(
            request.user, organization, data["message"], data.get("cv"), internship=internship
        )
        return Response(ApplicationSerializer(application).data, status=status.HTTP_201_CREATED)


class ApplicationList(APIView):
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = StandardPagination  # documents the paginated list in the schema

    @extend_schema(
        parameters=[OpenApiParameter("mission", int), OpenApiParameter("status", str)],
        responses={200: ApplicationSerializer(many=True)},
    )
    def get(self, request):
        qs = selectors.applications_visible_to(request.user)
        mission_id = request.query_params.get("mission")
        if mission_id:
            try:
                mission = Mission.objects.select_related("organization").get(pk=int(mission_id))
            except (ValueError, Mission.DoesNotExist):
                raise Http404 from None
            qs = qs.filter(mission=mission)
            if not request.user.has_perm("volunteering.change_mission", mission) and not qs.exists():
                raise Http404
        if request.query_params.get("status"):
            qs = qs.filter(status=request.query_params["status"])
        paginator = StandardPagination()
        page = paginator.paginate_queryset(qs.order_by("-created_at", "-pk"), request, view=self)
        return paginator.get_paginated_response(ApplicationSerializer(page, many=True).data)


def _visible_application(request, pk) -> Application:
    return get_object_or_404(selectors.applications_visible_to(request.user), pk=pk)


class ApplicationDetail(APIView):
    throttle_scope = "message"  # serving.throttling
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: ApplicationSerializer})
    def get(self, request, pk):
        application = _visible_application(request, pk)
        data = ApplicationSerializer(application).data
        # Only the accepted volunteer and the organisation's members read the contact person.
        if request.user.has_perm("volunteering.view_contact", application):
            data["contact"] = ContactSerializer(selectors.application_contact(application)).data
        attestation = Attestation.objects.filter(application=application).first()
        data["attestation"] = AttestationSerializer(attestation).data if attestation else None
        return Response(data)

    @extend_schema(request=ApplicationStatusSerializer, responses={200: ApplicationSerializer})
    def patch(self, request, pk):
        application = _visible_application(request, pk)
        serializer = ApplicationStatusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if "mission" in data:
            application = services.attach_to_mission(request.user, application, data["mission"])
        if "status" in data:
            application = services.change_status(
                request.user, application, data["status"], data["message"], _convocation(data)
            )
        return Response(ApplicationSerializer(application).data)


class ApplicationMessages(APIView):
    throttle_scope = "message"  # serving.throttling
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = StandardPagination  # documents the paginated list in the schema

    @extend_schema(responses={200: ApplicationMessageSerializer(many=True)})
    def get(self, request, pk):
        application = _visible_application(request, pk)
        paginator = StandardPagination()
        messages = ApplicationMessage.objects.filter(application=application).select_related("author")
        page = paginator.paginate_queryset(messages.order_by("created_at", "pk"), request, view=self)
        return paginator.get_paginated_response(ApplicationMessageSerializer(page, many=True).data)

    @extend_schema(request=MessageBodySerializer, responses={201: ApplicationMessageSerializer})
    def post(self, request, pk):
        application = _visible_application(request, pk)
        serializer = MessageBodySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        message = services.post_application_message(request.user, application, serializer.validated_data["body"])
        return Response(ApplicationMessageSerializer(message).data, status=status.HTTP_201_CREATED)


class ApplicationAttestation(APIView):
    """GET: the PDF (the volunteer and the organisation); POST: the organisation issues it (again)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        responses={(200, "application/pdf"): OpenApiResponse(description="The attestation de bénévolat (PDF)")}
    )
    def get(self, request, pk):
        application = _visible_application(request, pk)
        attestation = Attestation.objects.filter(application=application).first()
        if attestation is None:
            raise Http404
        return attestation_response(attestation, request.build_absolute_uri("/"))

    @extend_schema(request=AttestationInputSerializer, responses={201: AttestationSerializer})
    def post(self, request, pk):
        application = _visible_application(request, pk)
        serializer = AttestationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attestation = services.issue_attestation(request.user, application, **serializer.validated_data)
        return Response(AttestationSerializer(attestation).data, status=status.HTTP_201_CREATED)


class ApplicationWithdraw(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses={200: ApplicationSerializer})
    def post(self, request, pk):
        application = services.withdraw(request.user, _visible_application(request, pk))
        return Response(ApplicationSerializer(application).data)


class ApplicationBulk(APIView):
    throttle_scope = "message"  # serving.throttling
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=BulkStatusSerializer, responses={200: ApplicationSerializer(many=True)})
    def post(self, request):
        serializer = BulkStatusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        applications = services.bulk_change_status(
            request.user, data["ids"], data["status"], data["message"], _convocation(data)
        )
        return Response({"count": len(applications), "results": ApplicationSerializer(applications, many=True).data})


def cv_response(application) -> FileResponse:
    if not application.cv:
        raise Http404
    try:
        handle = application.cv.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, content_type="application/pdf", as_attachment=True, filename=f"cv-{application.pk}.pdf"
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


class ApplicationCv(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(description="The CV, for the applicant and the organisation")
        }
    )
    def get(self, request, pk):
        return cv_response(_visible_application(request, pk))


class Recommendations(APIView):
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = StandardPagination  # the best `page_size` (max 100), in the paginated shape

    @extend_schema(responses={200: RecommendedMissionSerializer(many=True)})
    def get(self, request):
        limit = StandardPagination().get_page_size(request)
        missions = selectors.recommendations(request.user, limit=limit)
        context = {"outcomes": outcomes("mission", [m.pk for m in missions])}
        results = RecommendedMissionSerializer(missions, many=True, context=context).data
        return Response({"count": len(results), "next": None, "previous": None, "results": results})


class Profile(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: ProfileSerializer})
    def get(self, request):
        from .models import VolunteerProfile

        profile = VolunteerProfile.objects.filter(user=request.user).first() or VolunteerProfile(user=request.user)
        return Response(ProfileSerializer(profile).data if profile.pk else ProfileSerializer(profile).data)

    @extend_schema(request=ProfileSerializer, responses={200: ProfileSerializer})
    def put(self, request):
        serializer = ProfileSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        profile = services.save_profile(request.user, serializer.validated_data)
        return Response(ProfileSerializer(profile).data)

    patch = put


STATISTICS_PERMISSIONS = {
    Mission.Kind.VOLUNTEERING: "volunteering.view_statistics",
    Mission.Kind.INTERNSHIP: "volunteering.view_internship_statistics",
}


class OrganizationStatistics(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[StatisticsQuerySerializer],
        responses={200: OrganizationStatisticsSerializer},
        description="The figures of one kind of offers of an organisation. Volunteering: its members; internships: "
        "a City direction's administrators and internship correspondents, and the internship office. 404 otherwise.",
    )
    def get(self, request, pk):
        params = StatisticsQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        kind = params.validated_data["kind"]
        organization = get_object_or_404(Organization, pk=pk)
        if not request.user.has_perm(STATISTICS_PERMISSIONS[kind], organization):
            raise Http404
        statistics = selectors.organization_statistics(organization, kind)
        return Response(OrganizationStatisticsSerializer(statistics).data)


class OrganizationPublic(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses={200: OpenApiResponse(description="Public figures of an organisation")})
    def get(self, request, pk):
        organization = get_object_or_404(Organization, pk=pk)
        avg = selectors.public_response_time(organization)
        return Response(
            {
                "id": organization.pk,
                "name": organization.name,
                "average_response_time_hours": round(avg.total_seconds() / 3600, 1) if avg is not None else None,
                "open_missions": selectors.visible_missions().filter(organization=organization).count(),
            }
        )
