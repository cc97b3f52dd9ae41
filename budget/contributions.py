"""How participatory budget projects appear in the strategy inbox (key "budget"): the team links them to the
strategy and their outcome is traced like any other contribution."""

from django.utils.translation import gettext_lazy as _

from core import follows
from core.contributions import ContributionData, register_model_source

from .models import Project


def describe(project: Project) -> ContributionData:
    return ContributionData(
        source="budget",
        source_id=project.pk,
        title=project.title,
        text=project.description,
        url=project.get_absolute_url(),
        created_at=project.created_at,
        district=project.scope.district.number if project.scope.district_id else None,
        location=project.geometry,
        support=project.votes,
        author_id=project.author_id,
        public=project.status != Project.Status.MERGED,
    )


register_model_source(
    "budget",
    _("Participatory budget project"),
    Project,
    describe=describe,
    select_related=("scope__district",),
    # votes, online and validated paper ballots, copied on the project when the results are counted
    support_field="votes",
    followers=follows.followers,  # those who follow the project's page
)
