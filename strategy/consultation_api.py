"""Annotations API (contract: /work/shared/API.md, "Strategy"): parse, call a service or selector, serialise."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from core.forms import whole_number
from serving.rest import StandardPagination, require_perm

from . import consultations
from .models import Annotation, Section


class AnnotationSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    outdated = serializers.BooleanField(source="is_outdated", read_only=True)
    accepted = serializers.SerializerMethodField()
    replies = serializers.SerializerMethodField()

    class Meta:
        model = Annotation
        fields = [
            "id",
            "kind",
            "stance",
            "quote",
            "body",
            "replacement",
            "paragraph",
            "outdated",
            "accepted",
            "supporters_count",
            "author",
            "created_at",
            "replies",
        ]

    def get_author(self, obj) -> str | None:
        return obj.author.public_name if obj.author_id and obj.author else None

    def get_accepted(self, obj) -> bool:
        return obj.accepted_at is not None

    def get_replies(self, obj) -> list[dict]:
        return [
            {"body": r.body, "author": r.author.public_name if r.author else None, "created_at": r.created_at}
            for r in obj.replies.all()
        ]


class AnnotationInputSerializer(serializers.Serializer):
    quote = serializers.CharField(max_length=5000, allow_blank=True, required=False, default="")
    paragraph = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    sentence = serializers.IntegerField(
        min_value=0,
        required=False,
        allow_null=True,
        help_text="Without a quote: the number (0 for the first) of a sentence of `paragraph`.",
    )
    body = serializers.CharField(max_length=5000, allow_blank=True, required=False, default="")
    kind = serializers.ChoiceField(choices=Annotation.Kind.choices, default="comment")
    stance = serializers.ChoiceField(choices=Annotation.Stance.choices, default="neutral")
    replacement = serializers.CharField(max_length=5000, allow_blank=True, required=False, default="")


class SectionAnnotations(APIView):
    throttle_scope = "comment"  # serving.throttling: as the consultation page's form

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "paragraph",
                {"type": "integer", "minimum": 0},
                description="Only this paragraph's annotations (0-based).",
            )
        ],
        responses={
            200: inline_serializer(
                "PaginatedAnnotationList",
                {
                    "count": serializers.IntegerField(),
                    "next": serializers.URLField(allow_null=True),
                    "previous": serializers.URLField(allow_null=True),
                    "results": AnnotationSerializer(many=True),
                },
            )
        },
        description="Visible annotations in reading order (paragraph, then date), paginated.",
    )
    def get(self, request, slug):
        section = get_object_or_404(Section, slug=slug)
        consultations.ensure_anchored(section)
        qs = consultations.visible_annotations(section).order_by("paragraph", "created_at", "pk")
        paragraph = request.query_params.get("paragraph")
        if paragraph is not None:
            if (number := whole_number(paragraph)) is None:
                raise ValidationError({"paragraph": [_("Give a paragraph number (0 for the first).")]})
            qs = qs.filter(paragraph=number)
        paginator = StandardPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(AnnotationSerializer(page, many=True).data)

    @extend_schema(
        request=AnnotationInputSerializer,
        responses={201: AnnotationSerializer},
        description="Annotate a paragraph or sentence of a section under consultation (403 outside one).",
    )
    def post(self, request, slug):
        section = get_object_or_404(Section.objects.select_related("theme"), slug=slug)
        require_perm(request.user, "strategy.annotate_section")
        data = AnnotationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        annotation = consultations.annotate(section, request.user, **data.validated_data)
        return Response(AnnotationSerializer(annotation).data, status=status.HTTP_201_CREATED)
