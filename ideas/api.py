"""REST API of the ideas marketplace: parse, call a service or selector, serialise."""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, status
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accounts.models import Organization
from core.contributions import outcomes
from serving.rest import require_perm

from . import selectors, services
from .models import Comment, Connection, Idea, IdeaImage, Message, Need, NeedKind, NewsPost, PartnerProfile
from .serializers import (
    BodySerializer,
    CommentInputSerializer,
    CommentSerializer,
    ConnectionDecisionSerializer,
    ConnectionInputSerializer,
    ConnectionSerializer,
    IdeaImageInputSerializer,
    IdeaImageSerializer,
    IdeaInputSerializer,
    IdeaMatchSerializer,
    IdeaSerializer,
    MessageSerializer,
    MissionLinkSerializer,
    ModerationSerializer,
    NewsSerializer,
    PartnerInputSerializer,
    PartnerMatchSerializer,
    PartnerSerializer,
    ReportSerializer,
    SupportSerializer,
)

FILTER_PARAMS = [
    OpenApiParameter("q", str, description="Full-text search (French, accents ignored)"),
    OpenApiParameter("theme", str, description="Theme slug"),
    OpenApiParameter(
        "district",
        {"type": "integer", "minimum": 1, "maximum": 20},
        description="Arrondissement 1–20 (city-wide items included)",
    ),
    OpenApiParameter("stage", str, enum=Idea.Stage.values),
    OpenApiParameter("need", str, enum=NeedKind.values, description="Kind of uncovered need / of offer"),
    OpenApiParameter("status", str, enum=list(Idea.PUBLIC_STATUSES)),
]


def _filters(request):
    filters = selectors.IdeaFilters.from_params(request.query_params)
    if filters.errors:
        raise ValidationError(filters.errors)
    return filters


class ReadOrAuthenticated(permissions.BasePermission):
    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS or request.user.is_authenticated


def _visible_idea(request, pk) -> Idea:
    idea = get_object_or_404(selectors.idea_list(selectors.IdeaFilters(), base=Idea.objects.all()), pk=pk)
    if not request.user.has_perm("ideas.view_idea", idea):
        raise NotFound()
    return idea


def _idea_payload(request, ideas):
    ideas = list(ideas)
    context = {"request": request, "outcomes": outcomes("idea", [i.pk for i in ideas])}
    return context, ideas


class IdeaListCreate(GenericAPIView):
    throttle_scope = "propose"  # serving.throttling
    permission_classes = [ReadOrAuthenticated]
    serializer_class = IdeaSerializer
    queryset = Idea.objects.none()  # for the schema; get() reads through selectors

    @extend_schema(parameters=FILTER_PARAMS, responses=IdeaSerializer(many=True))
    def get(self, request):
        page = self.paginate_queryset(selectors.idea_list(_filters(request)))
        context, page = _idea_payload(request, page)
        return self.get_paginated_response(IdeaSerializer(page, many=True, context=context).data)

    @extend_schema(request=IdeaInputSerializer, responses={201: IdeaSerializer})
    def post(self, request):
        data = IdeaInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        org_id = values.pop("organization", None)
        organization = None
        if org_id:
            organization = Organization.objects.filter(pk=org_id).first()
            if organization is None:
                raise ValidationError({"organization": [_("This organisation does not exist.")]})
        idea = services.create_idea(request.user, organization=organization, **values)
        idea = selectors.idea_detail(idea.pk)
        context = _idea_payload(request, [idea])[0]
        return Response(IdeaSerializer(idea, context=context).data, status=status.HTTP_201_CREATED)


class IdeaDetail(GenericAPIView):
    serializer_class = IdeaSerializer

    def get(self, request, pk):
        idea = _visible_idea(request, pk)
        context = _idea_payload(request, [idea])[0]
        return Response(IdeaSerializer(idea, context=context).data)


class IdeaMatches(GenericAPIView):
    serializer_class = PartnerMatchSerializer
    queryset = PartnerProfile.objects.none()  # for the schema

    @extend_schema(parameters=FILTER_PARAMS, responses=PartnerMatchSerializer(many=True))
    def get(self, request, pk):
        idea = _visible_idea(request, pk)
        require_perm(request.user, "ideas.view_matches", idea)  # the same named rule as the idea page
        with selectors.no_jit():
            page = self.paginate_queryset(selectors.partners_for_idea(idea, _filters(request)))
            matches = selectors.matches_for_idea(idea, page)
            data = PartnerMatchSerializer(matches, many=True).data
        return self.get_paginated_response(data)


class IdeaSupport(GenericAPIView):
    throttle_scope = "vote"  # serving.throttling
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = SupportSerializer

    @extend_schema(request=None, responses=SupportSerializer)
    def put(self, request, pk):
        count = services.support(request.user, _visible_idea(request, pk))
        return Response({"supporters_count": count})

    @extend_schema(request=None, responses={200: SupportSerializer})  # a body, not drf-spectacular's DELETE 204
    def delete(self, request, pk):
        count = services.unsupport(request.user, _visible_idea(request, pk))
        return Response({"supporters_count": count})


class IdeaConnections(GenericAPIView):
    throttle_scope = "message"  # serving.throttling
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = ConnectionSerializer

    @extend_schema(request=ConnectionInputSerializer, responses={201: ConnectionSerializer})
    def post(self, request, pk):
        idea = _visible_idea(request, pk)
        data = ConnectionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        connection = services.propose_connection(request.user, idea, **data.validated_data)
        return Response(ConnectionSerializer(_connection(request, connection.pk)).data, status=status.HTTP_201_CREATED)


def _connection(request, pk) -> Connection:
    """A connection the user takes part in; anybody else gets 404 (its existence stays private)."""
    connection = Connection.objects.select_related(
        "idea__holder", "idea__organization", "need", "partner__organization"
    ).filter(pk=pk)
    connection = connection.first()
    if connection is None or not request.user.has_perm("ideas.view_connection", connection):
        raise NotFound()
    return connection


class ConnectionList(GenericAPIView):
    queryset = Connection.objects.none()  # for the schema
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = ConnectionSerializer

    @extend_schema(responses=ConnectionSerializer(many=True))
    def get(self, request):
        qs = selectors.connections_of_user(request.user).select_related("idea__holder", "idea__organization")
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(ConnectionSerializer(page, many=True).data)


class ConnectionDetail(GenericAPIView):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = ConnectionSerializer

    def get(self, request, pk):
        return Response(ConnectionSerializer(_connection(request, pk)).data)

    @extend_schema(request=ConnectionDecisionSerializer, responses=ConnectionSerializer)
    def patch(self, request, pk):
        connection = _connection(request, pk)
        data = ConnectionDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.decide_connection(request.user, connection, data.validated_data["status"])
        return Response(ConnectionSerializer(_connection(request, pk)).data)


class ConnectionMessages(GenericAPIView):
    throttle_scope = "message"  # serving.throttling
    queryset = Message.objects.none()  # for the schema
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = MessageSerializer

    @extend_schema(responses=MessageSerializer(many=True))
    def get(self, request, pk):
        connection = _connection(request, pk)
        page = self.paginate_queryset(connection.messages.select_related("author"))
        return self.get_paginated_response(MessageSerializer(page, many=True).data)

    @extend_schema(request=BodySerializer, responses={201: MessageSerializer})
    def post(self, request, pk):
        connection = _connection(request, pk)
        data = BodySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        message = services.post_message(request.user, connection, data.validated_data["body"])
        return Response(MessageSerializer(message).data, status=status.HTTP_201_CREATED)


class IdeaComments(GenericAPIView):
    throttle_scope = "comment"  # serving.throttling
    queryset = Comment.objects.none()  # for the schema
    permission_classes = [ReadOrAuthenticated]
    serializer_class = CommentSerializer

    @extend_schema(responses=CommentSerializer(many=True))
    def get(self, request, pk):
        page = self.paginate_queryset(selectors.comments_of(_visible_idea(request, pk)))
        return self.get_paginated_response(CommentSerializer(page, many=True).data)

    @extend_schema(request=CommentInputSerializer, responses={201: CommentSerializer})
    def post(self, request, pk):
        data = CommentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comment = services.add_comment(
            request.user, _visible_idea(request, pk), data.validated_data["body"], data.validated_data.get("parent")
        )
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)


class IdeaComment(GenericAPIView):
    """One comment; its author edits it (marked as edited) or deletes it (its replies stay)."""

    throttle_scope = "comment"  # serving.throttling
    queryset = Comment.objects.none()  # for the schema
    permission_classes = [ReadOrAuthenticated]
    serializer_class = CommentSerializer

    def _comment(self, request, pk, cid):
        return get_object_or_404(Comment.objects.select_related("author"), pk=cid, idea=_visible_idea(request, pk))

    @extend_schema(summary="One comment", responses={200: CommentSerializer})
    def get(self, request, pk, cid):
        return Response(CommentSerializer(self._comment(request, pk, cid)).data)

    @extend_schema(
        summary="Edit one's own comment (marked as edited)", request=BodySerializer, responses={200: CommentSerializer}
    )
    def patch(self, request, pk, cid):
        comment = self._comment(request, pk, cid)
        data = BodySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comment = services.edit_comment(request.user, comment, data.validated_data["body"])
        return Response(CommentSerializer(comment).data)

    @extend_schema(
        summary="Delete one's own comment (its replies stay; it reads “deleted by its author”)",
        request=None,
        responses={200: CommentSerializer},
    )
    def delete(self, request, pk, cid):
        comment = services.delete_comment(request.user, self._comment(request, pk, cid))
        return Response(CommentSerializer(comment).data)


class IdeaNews(GenericAPIView):
    throttle_scope = "propose"  # serving.throttling
    queryset = NewsPost.objects.none()  # for the schema
    permission_classes = [ReadOrAuthenticated]
    serializer_class = NewsSerializer

    @extend_schema(responses=NewsSerializer(many=True))
    def get(self, request, pk):
        page = self.paginate_queryset(selectors.news_of(_visible_idea(request, pk)))
        return self.get_paginated_response(NewsSerializer(page, many=True).data)

    @extend_schema(request=NewsSerializer, responses={201: NewsSerializer})
    def post(self, request, pk):
        data = NewsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        post = services.post_news(request.user, _visible_idea(request, pk), **data.validated_data)
        return Response(NewsSerializer(post).data, status=status.HTTP_201_CREATED)


class IdeaReports(GenericAPIView):
    throttle_scope = "comment"  # a report is written like a comment: same allowance
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = ReportSerializer

    @extend_schema(request=ReportSerializer, responses={201: None})
    def post(self, request, pk):
        idea = _visible_idea(request, pk)
        data = ReportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        target = idea
        if data.validated_data.get("comment"):
            target = get_object_or_404(Comment, pk=data.validated_data["comment"], idea=idea)
        services.report(request.user, target, data.validated_data["reason"])
        return Response({"detail": _("Thank you, the team will look at your report.")}, status=201)


class IdeaModeration(GenericAPIView):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = ModerationSerializer

    @extend_schema(request=ModerationSerializer, responses=IdeaSerializer)
    def post(self, request, pk):
        idea = _visible_idea(request, pk)
        data = ModerationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.set_hidden(request.user, idea, data.validated_data["hidden"], data.validated_data["reason"])
        idea = selectors.idea_detail(pk)
        return Response(IdeaSerializer(idea, context=_idea_payload(request, [idea])[0]).data)


class IdeaImages(GenericAPIView):
    """POST (multipart) adds a picture with its description; the holder's side only; 6 at most."""

    queryset = IdeaImage.objects.none()  # for the schema
    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]
    serializer_class = IdeaImageSerializer

    @extend_schema(request={"multipart/form-data": IdeaImageInputSerializer}, responses={201: IdeaImageSerializer})
    def post(self, request, pk):
        idea = _visible_idea(request, pk)
        data = IdeaImageInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        image = services.add_image(request.user, idea, data.validated_data["image"], data.validated_data["alt"])
        return Response(IdeaImageSerializer(image).data, status=status.HTTP_201_CREATED)


class IdeaImageDetail(GenericAPIView):
    queryset = IdeaImage.objects.none()  # for the schema
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = IdeaImageSerializer

    @extend_schema(responses={204: None})
    def delete(self, request, pk, image_id):
        idea = _visible_idea(request, pk)
        services.remove_image(
            request.user, get_object_or_404(IdeaImage.objects.select_related("idea"), pk=image_id, idea=idea)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class NeedMission(GenericAPIView):
    """GET: the prefilled volunteering mission-creation URL; PUT {"mission_id"}: store the link back."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = MissionLinkSerializer

    def _need(self, request, pk, need_id):
        idea = _visible_idea(request, pk)
        return get_object_or_404(Need.objects.select_related("idea"), pk=need_id, idea=idea)

    @extend_schema(responses={200: dict})
    def get(self, request, pk, need_id):
        need = self._need(request, pk, need_id)
        return Response({"url": services.mission_prefill_url(need), "mission_id": need.mission_id})

    @extend_schema(request=MissionLinkSerializer, responses={200: dict})
    def put(self, request, pk, need_id):
        need = self._need(request, pk, need_id)
        data = MissionLinkSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        need = services.link_need_to_mission(request.user, need, data.validated_data["mission_id"])
        return Response({"id": need.pk, "mission_id": need.mission_id})


class PartnerListCreate(GenericAPIView):
    throttle_scope = "propose"  # serving.throttling
    permission_classes = [ReadOrAuthenticated]
    serializer_class = PartnerSerializer
    queryset = PartnerProfile.objects.none()  # for the schema

    @extend_schema(parameters=FILTER_PARAMS, responses=PartnerSerializer(many=True))
    def get(self, request):
        page = self.paginate_queryset(selectors.partner_list(_filters(request)))
        return self.get_paginated_response(PartnerSerializer(page, many=True).data)

    @extend_schema(request=PartnerInputSerializer, responses={201: PartnerSerializer})
    def post(self, request):
        data = PartnerInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        partner = services.create_partner(request.user, **data.validated_data)
        partner = selectors.partner_list(selectors.IdeaFilters()).get(pk=partner.pk)
        return Response(PartnerSerializer(partner).data, status=status.HTTP_201_CREATED)


class PartnerDetail(GenericAPIView):
    serializer_class = PartnerSerializer

    def get(self, request, pk):
        partner = get_object_or_404(selectors.partner_list(selectors.IdeaFilters()), pk=pk)
        return Response(PartnerSerializer(partner).data)


class PartnerMatches(GenericAPIView):
    serializer_class = IdeaMatchSerializer
    queryset = Idea.objects.none()  # for the schema

    @extend_schema(parameters=FILTER_PARAMS, responses=IdeaMatchSerializer(many=True))
    def get(self, request, pk):
        partner = get_object_or_404(
            PartnerProfile.objects.select_related("organization").prefetch_related(
                "offers", "themes", selectors.districts_prefetch()
            ),
            pk=pk,
        )
        # The same named rule as the "Ideas for you" page: a partner's matches are for its members and the team.
        require_perm(
            request.user,
            "ideas.view_partner_matches",
            partner,
            _("Only members of the partner organisation and the City team can see its matches."),
        )
        with selectors.no_jit():
            page = self.paginate_queryset(selectors.ideas_for_partner(partner, _filters(request)))
            matches = selectors.matches_for_partner(partner, page)
        context = {"request": request, "outcomes": outcomes("idea", [m.obj.pk for m in matches])}
        return self.get_paginated_response(IdeaMatchSerializer(matches, many=True, context=context).data)
