"""REST API of the participatory budget (see /api/v1/docs/): parse, call a service or selector, serialise."""

import csv
import io

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from serving.parsers import JSONParser

from . import selectors, services
from .models import Campaign, Phase, Project


class CampaignSerializer(serializers.ModelSerializer):
    phase = serializers.ChoiceField(choices=Phase.values, read_only=True)
    scopes = serializers.SerializerMethodField()

    class Meta:
        model = Campaign
        fields = [
            "id",
            "year",
            "phase",
            "rule",
            "max_per_scope",
            "submission_opens",
            "study_opens",
            "vote_opens",
            "results_on",
            "delivery_opens",
            "results_published",
            "scopes",
        ]

    def get_scopes(self, obj) -> list[dict]:
        return [{"scope": s.code, "envelope": s.envelope, "popular_share": s.popular_share} for s in obj.scopes.all()]


class BallotInputSerializer(serializers.Serializer):
    projects = serializers.ListField(child=serializers.IntegerField(), help_text="Ids of the projects chosen.")
    arrondissement = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=20, help_text="The arrondissement voted for."
    )


class BallotSerializer(serializers.Serializer):
    campaign = serializers.IntegerField(source="campaign_id")
    arrondissement = serializers.IntegerField(source="district.number", allow_null=True, default=None)
    projects = serializers.SerializerMethodField()
    updated_at = serializers.DateTimeField()

    def get_projects(self, obj) -> list[int]:
        return sorted(p.pk for p in obj.projects.all())


COLLECTION = OpenApiResponse(OpenApiTypes.OBJECT, description="GeoJSON FeatureCollection (RFC 7946)")


def _campaign(pk) -> Campaign:
    campaign = Campaign.objects.filter(pk=pk).first()
    if campaign is None:
        raise exceptions.NotFound(_("This campaign does not exist."))
    return campaign


def _login(request):
    if not request.user.is_authenticated:
        raise exceptions.NotAuthenticated()


class CampaignList(APIView):
    @extend_schema(
        summary="Campaigns (éditions), latest first, with their current phase", responses=CampaignSerializer(many=True)
    )
    def get(self, request):
        qs = selectors.campaigns().prefetch_related("scopes__district")
        return Response(CampaignSerializer(qs, many=True).data)


class ProjectCollection(APIView):
    @extend_schema(
        summary="Projects (GeoJSON): filters by campaign, edition, scope, status, winner, stage and viewport",
        parameters=[
            OpenApiParameter("campaign", {"type": "integer", "minimum": 0}, description="campaign id"),
            OpenApiParameter(
                "edition", {"type": "integer", "minimum": 1000, "maximum": 9999}, description="year of the campaign"
            ),
            OpenApiParameter(
                "scope",
                {"type": "string", "pattern": "^(paris|[1-9]|1[0-9]|20)$"},
                description="“paris” or an arrondissement number 1–20",
            ),
            OpenApiParameter("status", str, enum=Project.Status.values),
            OpenApiParameter("winner", bool),
            OpenApiParameter("stage", str, enum=Project.Stage.values),
            OpenApiParameter(
                "bbox",
                {"type": "string", "pattern": r"^-?\d{1,3}(\.\d{1,8})?(,-?\d{1,3}(\.\d{1,8})?){3}$"},
                description="west,south,east,north in degrees (lon/lat), west < east, south < north",
            ),
        ],
        responses={200: COLLECTION},
    )
    def get(self, request):
        body = selectors.feature_collection_json(selectors.filtered_projects(request.query_params))
        return HttpResponse(body, content_type="application/json")


class BallotView(APIView):
    parser_classes = [JSONParser]
    throttle_scope = "vote"  # serving.throttling: the page's ballot form shares the allowance

    def _answer(self, request, campaign):
        ballot = selectors.ballot_of(request.user, campaign)
        if ballot is None:
            raise exceptions.NotFound(_("You have no ballot in this campaign."))
        return Response(BallotSerializer(ballot).data)

    @extend_schema(summary="My ballot in this campaign", responses=BallotSerializer)
    def get(self, request, pk):
        _login(request)
        return self._answer(request, _campaign(pk))

    @extend_schema(
        summary="Fill or change my ballot (vote phase, verified residents; one per account and campaign)",
        request=BallotInputSerializer,
        responses=BallotSerializer,
    )
    def put(self, request, pk):
        _login(request)
        campaign = _campaign(pk)
        if not isinstance(request.data, dict):
            raise ValidationError({"non_field_errors": [_("Send the fields as a JSON object.")]})
        ballot = services.cast_ballot(
            request.user, campaign, request.data.get("projects"), request.data.get("arrondissement")
        )
        # the ballot as written, not read back: the same fields as GET
        return Response(
            {
                "campaign": ballot.campaign_id,
                "arrondissement": ballot.arrondissement,
                "projects": ballot.projects,
                "updated_at": serializers.DateTimeField().to_representation(ballot.updated_at),
            }
        )

    @extend_schema(summary="Withdraw my ballot", responses={204: None})
    def delete(self, request, pk):
        _login(request)
        campaign = _campaign(pk)
        if not services.withdraw_ballot(request.user, campaign):
            raise exceptions.NotFound(_("You have no ballot in this campaign."))
        return Response(status=204)


class ResultsCSV(APIView):
    @extend_schema(
        summary="Results of a campaign as CSV: totals per project, never who voted for what",
        responses={(200, "text/csv"): OpenApiTypes.STR},
    )
    def get(self, request, pk):
        campaign = _campaign(pk)
        if not campaign.results_published:
            raise exceptions.NotFound(_("The results are not published yet."))
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["scope", "project", "title", "cost", "votes", "winner"])
        for scope, projects, _popular in selectors.results(campaign):
            for project, _reason in projects:
                writer.writerow(
                    [scope.code, project.pk, project.title, project.cost or 0, project.votes, project.winner]
                )
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="budget-participatif-{campaign.year}.csv"'
        return response
