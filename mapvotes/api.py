"""REST API of the map (see /api/v1/docs/): parse, call a service or selector, serialise."""

import csv
import json
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.geo import InvalidGeoJSON, geometry_from_geojson
from serving.parsers import JSONParser
from serving.rest import StandardPagination

from . import selectors, services
from .models import Comment, Proposal

# --- request bodies (documentation + parsing of simple fields) ----------------------------------------


class ProposalCreateSerializer(serializers.Serializer):
    title = serializers.CharField(help_text="At most 140 characters.")
    description = serializers.CharField(help_text="Plain text, at most 5,000 characters.")
    theme = serializers.CharField(help_text="Theme slug (see /api/v1/themes/).")
    geometry = serializers.JSONField(help_text="GeoJSON Point, LineString or Polygon (lon/lat), inside Paris.")
    photo = serializers.ImageField(required=False, help_text="JPEG/PNG/WebP/GIF, at most 5 MB (multipart).")


class VoteSerializer(serializers.Serializer):
    value = serializers.ChoiceField(choices=["for", "against"])


class VoteResultSerializer(serializers.Serializer):
    votes_for = serializers.IntegerField()
    votes_against = serializers.IntegerField()
    my_vote = serializers.CharField(allow_null=True)


@extend_schema_serializer(component_name="ProposalComment")
class CommentSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()

    is_deleted = serializers.BooleanField(help_text="Deleted by its author: the body says so, replies stay.")

    class Meta:
        model = Comment
        fields = [
            "id",
            "parent",
            "author",
            "body",
            "stance",
            "created_at",
            "edited_at",
            "is_deleted",
            "is_hidden",
            "hidden_reason",
        ]

    def get_author(self, obj) -> str:
        return obj.author.public_name if obj.author_id else _("deleted account")

    def get_body(self, obj) -> str:
        if obj.is_deleted:
            return _("deleted by its author")
        return "" if obj.is_hidden else obj.body


class CommentCreateSerializer(serializers.Serializer):
    body = serializers.CharField()
    stance = serializers.ChoiceField(choices=["", "for", "against", "question"], required=False)
    parent = serializers.IntegerField(
        required=False, help_text="Id of the comment this one answers (a reply to a reply joins its thread)."
    )


class CommentEditSerializer(serializers.Serializer):
    body = serializers.CharField()


class ProposalEditSerializer(serializers.Serializer):
    title = serializers.CharField(required=False)
    description = serializers.CharField(required=False)
    theme = serializers.CharField(required=False, help_text="Theme slug.")


class RevisionSerializer(serializers.Serializer):
    created_at = serializers.DateTimeField()
    title = serializers.CharField(help_text="The title before this edit.")
    description = serializers.CharField(help_text="The description before this edit.")
    theme = serializers.CharField(source="theme.slug", allow_null=True, default=None)
    substantial = serializers.BooleanField()


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()


class StatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Proposal.Status.values)
    reason = serializers.CharField(required=False, allow_blank=True)


class MergeSerializer(serializers.Serializer):
    into = serializers.IntegerField(help_text="Id of the proposal that is kept.")
    reason = serializers.CharField(required=False, allow_blank=True)


class HideSerializer(serializers.Serializer):
    hidden = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True)


FEATURE = OpenApiResponse(OpenApiTypes.OBJECT, description="GeoJSON Feature (RFC 7946)")
COLLECTION = OpenApiResponse(OpenApiTypes.OBJECT, description="GeoJSON FeatureCollection (RFC 7946)")


def _require_login(request):
    if not request.user.is_authenticated:
        raise exceptions.NotAuthenticated()


def _body(request):
    """The request body as a mapping; a JSON array or scalar is a 400, not a crash."""
    if not isinstance(request.data, dict):
        raise ValidationError({"non_field_errors": [_("Send the fields as a JSON object.")]})
    return request.data


def _text(data, name):
    value = data.get(name)
    if value is not None and not isinstance(value, str):
        raise ValidationError({name: [_("This field must be text.")]})
    return value


def parse_geometry(raw):
    """GeoJSON (object or string) → GEOS geometry in SRID 4326, or a 400 on `geometry`."""
    if raw in (None, ""):
        raise ValidationError({"geometry": [_("Place the proposal on the map.")]})
    if not isinstance(raw, dict | str):
        raise ValidationError({"geometry": [_("The geometry must be a GeoJSON object.")]})
    try:
        return geometry_from_geojson(raw)
    except InvalidGeoJSON as error:
        raise ValidationError({"geometry": [str(error)]}) from None


def _proposal_or_404(pk, user=None):
    proposal = selectors.proposal_for_display(pk)
    if proposal is None:
        raise exceptions.NotFound(_("This proposal does not exist."))
    return proposal


# --- proposals ----------------------------------------------------------------------------------------


class ProposalCollection(APIView):
    throttle_scope = "propose"  # serving.throttling
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        operation_id="api_v1_map_proposals_list",
        summary="Proposals in a viewport (GeoJSON), clustered below zoom 15",
        parameters=[
            OpenApiParameter(
                "bbox",
                {"type": "string", "pattern": r"^-?\d{1,3}(\.\d{1,8})?(,-?\d{1,3}(\.\d{1,8})?){3}$"},
                description="west,south,east,north in degrees (lon/lat), west < east, south < north",
            ),
            OpenApiParameter(
                "zoom",
                {"type": "integer", "minimum": 0, "maximum": 22},
                description="map zoom; below 15 clusters {cluster: true, count}",
            ),
            OpenApiParameter("theme", str, description="theme slug (repeatable or comma-separated)"),
            OpenApiParameter(
                "district", {"type": "integer", "minimum": 1, "maximum": 20}, description="arrondissement 1–20"
            ),
            OpenApiParameter("status", str, enum=Proposal.Status.values),
            OpenApiParameter("period", str, enum=list(selectors.PERIODS)),
            OpenApiParameter("q", str, description="words (French stemming, accents ignored)"),
            OpenApiParameter("sort", str, enum=[*selectors.SORTS, "relevance"]),
        ],
        responses={200: COLLECTION},
    )
    def get(self, request):
        return Response(selectors.viewport(request.query_params))

    @extend_schema(
        summary="Propose (verified accounts)",
        request={"application/json": ProposalCreateSerializer, "multipart/form-data": ProposalCreateSerializer},
        responses={201: FEATURE},
    )
    def post(self, request):
        _require_login(request)
        data = _body(request)
        proposal = services.create_proposal(
            request.user,
            title=_text(data, "title"),
            description=_text(data, "description"),
            theme=_text(data, "theme"),
            geometry=parse_geometry(data.get("geometry")),
            photo=request.FILES.get("photo"),
        )
        feature = selectors.detail_feature(selectors.proposal_for_display(proposal.pk), request.user)
        return Response(feature, status=status.HTTP_201_CREATED)


class ProposalDetail(APIView):
    @extend_schema(summary="One proposal (GeoJSON Feature)", responses={200: FEATURE})
    def get(self, request, pk):
        return Response(selectors.detail_feature(_proposal_or_404(pk), request.user))

    @extend_schema(
        summary="Edit one's own open proposal (author; the previous text is kept in the history)",
        request=ProposalEditSerializer,
        responses={200: FEATURE},
    )
    def patch(self, request, pk):
        _require_login(request)
        proposal = get_object_or_404(Proposal, pk=pk)
        data = _body(request)
        services.edit_proposal(
            request.user,
            proposal,
            title=_text(data, "title"),
            description=_text(data, "description"),
            theme=_text(data, "theme"),
        )
        return Response(selectors.detail_feature(selectors.proposal_for_display(pk), request.user))


class ProposalWithdraw(APIView):
    @extend_schema(
        summary="Withdraw one's own open proposal (author; the reason is public, votes are frozen)",
        request=ReasonSerializer,
        responses={200: FEATURE},
    )
    def post(self, request, pk):
        _require_login(request)
        proposal = get_object_or_404(Proposal, pk=pk)
        services.withdraw_proposal(request.user, proposal, _text(_body(request), "reason"))
        return Response(selectors.detail_feature(selectors.proposal_for_display(pk), request.user))


class ProposalRevisions(APIView):
    @extend_schema(
        summary="Earlier versions of a proposal, oldest first (one per edit by its author)",
        responses={200: RevisionSerializer(many=True)},
    )
    def get(self, request, pk):
        proposal = _proposal_or_404(pk)
        if proposal.is_hidden and not request.user.has_perm("mapvotes.moderate_proposal"):
            return Response([])
        return Response(RevisionSerializer(selectors.revisions(proposal), many=True).data)


class ProposalVote(APIView):
    throttle_scope = "vote"  # serving.throttling

    @extend_schema(
        summary="Vote for or against (repeating it changes nothing)",
        request=VoteSerializer,
        responses={200: VoteResultSerializer},
    )
    def put(self, request, pk):
        _require_login(request)
        with _not_found_first(pk):
            return Response(services.cast_vote(request.user, pk, _body(request).get("value")))

    @extend_schema(summary="Withdraw one's vote", request=None, responses={200: VoteResultSerializer})
    def delete(self, request, pk):
        _require_login(request)
        with _not_found_first(pk):
            return Response(services.withdraw_vote(request.user, pk))


@contextmanager
def _not_found_first(pk):
    """The vote path asks nothing before voting (the vote statement itself finds the proposal: one round trip); when
    it refuses, a proposal that does not exist is a 404 first, as on every other endpoint."""
    try:
        yield
    except Exception:
        get_object_or_404(Proposal.objects.only("pk"), pk=pk)
        raise


class ProposalComments(APIView):
    throttle_scope = "comment"  # serving.throttling
    pagination_class = StandardPagination  # documents the paginated list in the schema

    @extend_schema(summary="Comments of a proposal (paginated)", responses={200: CommentSerializer(many=True)})
    def get(self, request, pk):
        proposal = get_object_or_404(Proposal, pk=pk)
        paginator = StandardPagination()
        page = paginator.paginate_queryset(selectors.comments(proposal, request.user), request, view=self)
        return paginator.get_paginated_response(CommentSerializer(page, many=True).data)

    @extend_schema(
        summary="Comment (verified accounts)", request=CommentCreateSerializer, responses={201: CommentSerializer}
    )
    def post(self, request, pk):
        _require_login(request)
        get_object_or_404(Proposal.objects.only("pk"), pk=pk)
        data = _body(request)
        comment = services.add_comment(
            request.user, pk, _text(data, "body"), _text(data, "stance") or "", parent=data.get("parent")
        )
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)


class ProposalComment(APIView):
    throttle_scope = "comment"  # serving.throttling

    def _comment(self, pk, cid):
        return get_object_or_404(Comment.objects.select_related("author"), pk=cid, proposal_id=pk)

    @extend_schema(summary="One comment", responses={200: CommentSerializer})
    def get(self, request, pk, cid):
        comment = self._comment(pk, cid)
        if comment.proposal.is_hidden and not request.user.has_perm("mapvotes.moderate_proposal"):
            raise exceptions.NotFound(_("This comment does not exist."))
        return Response(CommentSerializer(comment).data)

    @extend_schema(
        summary="Edit one's own comment (marked as edited)",
        request=CommentEditSerializer,
        responses={200: CommentSerializer},
    )
    def patch(self, request, pk, cid):
        _require_login(request)
        comment = services.edit_comment(request.user, self._comment(pk, cid), _text(_body(request), "body"))
        return Response(CommentSerializer(comment).data)

    @extend_schema(
        summary="Delete one's own comment (its replies stay; it reads “deleted by its author”)",
        request=None,
        responses={200: CommentSerializer},
    )
    def delete(self, request, pk, cid):
        _require_login(request)
        comment = services.delete_comment(request.user, self._comment(pk, cid))
        return Response(CommentSerializer(comment).data)


class ProposalReport(APIView):
    throttle_scope = "comment"  # a report is written like a comment: same allowance

    @extend_schema(summary="Report a proposal to the team", request=ReasonSerializer, responses={201: None})
    def post(self, request, pk):
        _require_login(request)
        proposal = get_object_or_404(Proposal, pk=pk)
        services.report(request.user, proposal, _text(_body(request), "reason"))
        return Response({"detail": _("Thank you: the team will look at your report.")}, status=status.HTTP_201_CREATED)


class CommentReport(APIView):
    throttle_scope = "comment"  # a report is written like a comment: same allowance

    @extend_schema(summary="Report a comment to the team", request=ReasonSerializer, responses={201: None})
    def post(self, request, pk):
        _require_login(request)
        comment = get_object_or_404(Comment, pk=pk)
        services.report(request.user, comment, _text(_body(request), "reason"))
        return Response({"detail": _("Thank you: the team will look at your report.")}, status=status.HTTP_201_CREATED)


class ProposalStatus(APIView):
    @extend_schema(summary="Change the status (team)", request=StatusSerializer, responses={200: FEATURE})
    def post(self, request, pk):
        _require_login(request)
        proposal = get_object_or_404(Proposal, pk=pk)
        services.change_status(
            request.user, proposal, _text(_body(request), "status"), _text(_body(request), "reason") or ""
        )
        return Response(selectors.detail_feature(selectors.proposal_for_display(pk), request.user))


class ProposalMerge(APIView):
    @extend_schema(
        summary="Merge this proposal into another one (team)", request=MergeSerializer, responses={200: FEATURE}
    )
    def post(self, request, pk):
        _require_login(request)
        if not request.user.has_perm("mapvotes.moderate_proposal"):
            raise exceptions.PermissionDenied(_("Only the Participe team can merge proposals."))
        duplicate = get_object_or_404(Proposal, pk=pk)
        try:
            into = int(_body(request).get("into"))
        except (TypeError, ValueError):
            raise ValidationError({"into": [_("Give the id of the proposal to keep.")]}) from None
        kept = Proposal.objects.filter(pk=into).first()
        if kept is None:
            raise ValidationError({"into": [_("This proposal does not exist.")]})
        kept = services.merge_proposals(request.user, duplicate, kept, _text(_body(request), "reason") or "")
        return Response(selectors.detail_feature(selectors.proposal_for_display(kept.pk), request.user))


def _hidden_flag(data):
    value = data.get("hidden", True)
    if isinstance(value, bool):
        return value
    if str(value).lower() in ("true", "1", "on"):
        return True
    if str(value).lower() in ("false", "0", "off"):
        return False
    raise ValidationError({"hidden": [_("hidden is true or false.")]})


class ProposalHide(APIView):
    @extend_schema(
        summary="Hide or restore a proposal (team; the reason is public)",
        request=HideSerializer,
        responses={200: FEATURE},
    )
    def post(self, request, pk):
        _require_login(request)
        proposal = get_object_or_404(Proposal, pk=pk)
        services.set_hidden(request.user, proposal, _hidden_flag(_body(request)), _text(_body(request), "reason") or "")
        return Response(selectors.detail_feature(selectors.proposal_for_display(pk), request.user))


class CommentHide(APIView):
    @extend_schema(
        summary="Hide or restore a comment (team; the reason is public)",
        request=HideSerializer,
        responses={200: CommentSerializer},
    )
    def post(self, request, pk):
        _require_login(request)
        comment = get_object_or_404(Comment, pk=pk)
        services.set_hidden(request.user, comment, _hidden_flag(_body(request)), _text(_body(request), "reason") or "")
        comment.refresh_from_db()
        return Response(CommentSerializer(comment).data)


class SimilarProposals(APIView):
    @extend_schema(
        summary="Proposals within about 200 m with a similar title (duplicate warning)",
        parameters=[
            OpenApiParameter("lon", {"type": "number", "minimum": -180, "maximum": 180}, required=True),
            OpenApiParameter("lat", {"type": "number", "minimum": -90, "maximum": 90}, required=True),
            OpenApiParameter("title", str),
        ],
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT)},
    )
    def get(self, request):
        from django.contrib.gis.geos import Point

        try:
            lon, lat = float(request.query_params["lon"]), float(request.query_params["lat"])
        except (KeyError, ValueError):
            raise ValidationError({"lon": [_("Give lon and lat in degrees.")]}) from None
        # NaN and infinities fail these comparisons too (GEOS aborts the process on them).
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise ValidationError({"lon": [_("Give lon and lat in degrees.")]})
        point = Point(lon, lat, srid=4326)
        results = selectors.similar_nearby(request.query_params.get("title", ""), point)
        for r in results:
            r["similarity"] = round(r["similarity"], 2)
            r["url"] = f"/carte/propositions/{r['id']}/"
        return Response({"results": results})


class Territory(APIView):
    @extend_schema(
        summary="Per arrondissement (or quartier): proposals, votes, share for, polarisation",
        parameters=[OpenApiParameter("level", str, enum=list(selectors.TERRITORY_LEVELS))],
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT)},
    )
    def get(self, request):
        level = request.query_params.get("level") or "district"
        if level not in selectors.TERRITORY_LEVELS:
            raise ValidationError({"level": [_("Choose “district” or “quartier”.")]})
        filters = selectors.parse_filters(request.query_params)
        return Response({"level": level, "results": selectors.territory(filters, level=level)})


# --- open data ----------------------------------------------------------------------------------------


@extend_schema(summary="All published proposals as GeoJSON (RFC 7946)", responses={200: COLLECTION})
class ExportGeoJSON(APIView):
    @extend_schema(
        summary="Open data: every published proposal with its counts (GeoJSON, RFC 7946)",
        responses={(200, "application/geo+json"): OpenApiResponse(OpenApiTypes.OBJECT)},
    )
    def get(self, request):
        def stream():
            yield '{"type":"FeatureCollection","features":['
            first = True
            for row in selectors.export_rows().iterator(chunk_size=2000):
                feature = {
                    "type": "Feature",
                    "id": row["id"],
                    "geometry": json.loads(row["geojson"]),
                    "properties": {
                        "id": row["id"],
                        "title": row["title"],
                        "description": row["description"],
                        "theme": row["theme__slug"],
                        "district": row["district__number"],
                        "quartier": row["quartier__name"],
                        "status": row["status"],
                        "status_reason": row["status_reason"],
                        "votes_for": row["votes_for"],
                        "votes_against": row["votes_against"],
                        "comments_count": row["comments_count"],
                        "created_at": row["created_at"].isoformat(),
                    },
                }
                yield ("" if first else ",") + json.dumps(feature, ensure_ascii=False)
                first = False
            yield "]}"

        response = StreamingHttpResponse(stream(), content_type="application/geo+json")
        response["Content-Disposition"] = 'inline; filename="propositions-carte-participe.geojson"'
        return response


class _Echo:
    def write(self, value):
        return value


CSV_COLUMNS = [
    "id",
    "title",
    "theme",
    "district",
    "quartier",
    "status",
    "votes_for",
    "votes_against",
    "comments_count",
    "created_at",
    "longitude",
    "latitude",
]


@extend_schema(summary="All published proposals as CSV", responses={200: OpenApiResponse(OpenApiTypes.STR)})
class ExportCSV(APIView):
    @extend_schema(
        summary="Open data: every published proposal with its counts (CSV)",
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR)},
    )
    def get(self, request):
        writer = csv.writer(_Echo())

        def rows():
            yield "\ufeff" + writer.writerow(CSV_COLUMNS)
            qs = selectors.export_rows()
            for row in qs.iterator(chunk_size=2000):
                yield writer.writerow(
                    [
                        row["id"],
                        _csv_safe(row["title"]),
                        row["theme__slug"],
                        row["district__number"],
                        row["quartier__name"] or "",
                        row["status"],
                        row["votes_for"],
                        row["votes_against"],
                        row["comments_count"],
                        timezone.localtime(row["created_at"]).isoformat(),  # Paris time, with its offset
                        round(row["lon"], 6),
                        round(row["lat"], 6),
                    ]
                )

        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="propositions-carte-participe.csv"'
        return response


def _csv_safe(text):
    """Keep spreadsheets from running a title as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
