"""Missions as contributions for strategy/ (engagement by theme and place)."""

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from core.contributions import ContributionData, Source, register

from .models import Mission

PUBLIC = ("published", "full", "closed", "expired")


def describe(mission: Mission) -> ContributionData:
    themes = list(mission.themes.all())
    support = getattr(mission, "applications_count", None)
    if support is None:
        support = mission.applications.exclude(status="withdrawn").count()
    return ContributionData(
        source="mission",
        source_id=mission.pk,
        title=mission.title,
        text=mission.description,
        url=mission.get_absolute_url(),
        created_at=mission.created_at,
        theme=themes[0].slug if themes else None,
        district=mission.district.number if mission.district_id else None,
        location=mission.location,
        support=support,
        author_id=mission.created_by_id,
        public=mission.status in PUBLIC,
    )


def queryset():
    return (
        Mission.objects.select_related("district")
        .prefetch_related("themes")
        .annotate(applications_count=Count("applications", filter=~Q(applications__status="withdrawn")))
    )


def support():
    """Applications not withdrawn, computed by SQL (services call support_changed() when one comes or goes)."""
    return Mission.objects.annotate(support=Count("applications", filter=~Q(applications__status="withdrawn")))


def followers(mission: Mission):
    return list(mission.organization.members.all())


register(
    Source(
        key="mission",
        label=_("Volunteering mission"),
        model=Mission,
        describe=describe,
        queryset=queryset,
        followers=followers,
        # describe() reads the themes, which create_mission() sets after the first save.
        depends_on=(Mission.themes.through,),
        support=support,
    )
)
