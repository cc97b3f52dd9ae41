"""Everything that changes the participatory budget: submissions, verdicts, ballots, results, follow-up."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, pgettext_lazy

from accounts.rules import refusal_reason
from core import contributions, follows, images, moderation
from core.forms import clean_text, whole_number
from core.geo import GeometryValidator, locate
from core.notifications import Message, notify
from core.side_effects import side_effect
from serving.db import prepared_cursor

from .models import (
    DESCRIPTION_MAX,
    TITLE_MAX,
    Ballot,
    BallotChoice,
    Campaign,
    PaperCount,
    Phase,
    Project,
    ProjectNote,
    ProjectPhoto,
    Scope,
)

# The team's actions on the budget that the audit log records (core.moderation), with their names on its page.
AUDIT_LABELS = {
    "budget.verdict": _("Participatory budget: verdict of the study"),
    "budget.merge": _("Participatory budget: projects merged"),
    "budget.publish_results": _("Participatory budget: results published"),
}

PHASE_FIELDS = [
    (Phase.SUBMISSION, "submission_opens"),
    (Phase.STUDY, "study_opens"),
    (Phase.VOTE, "vote_opens"),
    (Phase.RESULTS, "results_on"),
    (Phase.DELIVERY, "delivery_opens"),
]


def scope_for(campaign: Campaign, code) -> Scope:
    """`paris` or an arrondissement number 1–20 → the campaign's scope, or a 400 on `scope`."""
    code = str(code or "").strip().lower()
    scopes = Scope.objects.filter(campaign=campaign).select_related("district")
    if code == "paris":
        scope = scopes.filter(district__isnull=True).first()
    elif (number := whole_number(code)) is not None and 1 <= number <= 20:
        scope = scopes.filter(district__number=number).first()
    else:
        raise ValidationError({"scope": [_("Choose “paris” or an arrondissement number from 1 to 20.")]})
    if scope is None:
        raise ValidationError({"scope": [_("This campaign has no envelope for this scope.")]})
    return scope


def submit_project(
    author, campaign, *, title, description, scope, geometry, estimated_need=None, photo=None, address=""
) -> Project:
    """A verified resident submits a project placed in Paris during the submission phase."""
    if not author.has_perm("budget.submit_project", campaign):
        if author.is_authenticated and author.is_verified:
            raise PermissionDenied(_("Projects can only be submitted during the submission phase."))
        raise PermissionDenied(refusal_reason(author))
    errors, values = {}, {}
    for name, check in (
        ("title", lambda: clean_text(title, "title", TITLE_MAX)),
        ("description", lambda: clean_text(description, "description", DESCRIPTION_MAX)),
        ("scope", lambda: scope_for(campaign, scope)),
        ("geometry", lambda: _check_geometry(geometry)),
        ("estimated_need", lambda: _amount(estimated_need, "estimated_need")),
        ("photo", lambda: images.reencode(photo, field="photo", name="photo.jpg")),
    ):
        try:
            values[name] = check()
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    location = values["geometry"]
    chosen = values["scope"]
    if chosen.district_id is not None and chosen.district_id != location.district.pk:
        raise ValidationError(
            {
                "scope": [
                    _(
                        "An arrondissement project must be placed in that arrondissement (this place is in the %(name)s)."
                    )
                    % {"name": location.district.name}
                ]
            }
        )
    with transaction.atomic():
        project = Project.objects.create(
            campaign=campaign,
            scope=chosen,
            title=values["title"],
            description=values["description"],
            address=str(address or "")[:255],
            geometry=geometry,
            point=geometry if geometry.geom_type == "Point" else geometry.point_on_surface,
            district=location.district,
            quartier=location.quartier,
            author=author,
            estimated_need=values["estimated_need"],
        )
        if values["photo"] is not None:
            picture = ProjectPhoto(project=project, added_by=author)
            picture.image.save(values["photo"].name, values["photo"], save=False)
            picture.save()
        with side_effect("author of budget project %s follows it", project.pk):
            follows.follow(author, project)
    return project


def add_photo(agent, project, upload, caption="") -> ProjectPhoto:
    """The services add a picture (of the site, of the works) to a project's page."""
    if not agent.has_perm("budget.follow_up", project):
        raise PermissionDenied(refusal_reason(agent))
    if upload is None:
        raise ValidationError({"photo": [_("Choose a picture.")]})
    content = images.reencode(upload, field="photo", name="photo.jpg")
    picture = ProjectPhoto(project=project, added_by=agent, caption=clean_text(caption, "caption", 200, required=False))
    picture.image.save(content.name, content, save=False)
    picture.save()
    return picture


def add_note(agent, project, text, kind=ProjectNote.Kind.COCONSTRUCTION) -> ProjectNote:
    """A public co-construction note (the services and the author refine the project), shown on its page."""
    if not agent.has_perm("budget.study_project", project):
        raise PermissionDenied(refusal_reason(agent))
    if kind not in ProjectNote.Kind.values:
        raise ValidationError({"kind": [_("Unknown kind of note.")]})
    note = ProjectNote.objects.create(project=project, kind=kind, text=clean_text(text, "text", 2000), author=agent)
    if kind == ProjectNote.Kind.COCONSTRUCTION and project.author_id and project.author_id != agent.pk:
        message = Message(
            gettext_noop("A co-construction note was added to your project “{target}”"), target=project.title
        )
        notify(project.author, "budget.verdict", message, note.text, url=project.get_absolute_url())
    return note


def _check_geometry(geometry):
    if geometry is None:
        raise ValidationError({"geometry": [_("Place the project on the map.")]})
    if geometry.srid is None:
        geometry.srid = 4326
    try:
        GeometryValidator()(geometry)
    except ValidationError as error:
        raise ValidationError({"geometry": error.messages}) from None
    return locate(geometry)


def _amount(value, field):
    if value in (None, ""):
        return None
    try:
        amount = int(value)
    except (TypeError, ValueError):
        raise ValidationError({field: [_("Give an amount in whole euros.")]}) from None
    if amount < 0 or amount > 100_000_000:
        raise ValidationError({field: [_("Give an amount between 0 and 100,000,000 euros.")]})
    return amount


def study_verdict(
    agent, project, *, admissible: bool, reason="", cost=None, lead_direction=None, popular_quartier=None
) -> Project:
    """The services' verdict: admissible with a cost (and a lead direction), or not with a public reason."""
    if not agent.has_perm("budget.study_project", project):
        raise PermissionDenied(refusal_reason(agent))
    reason = clean_text(reason, "reason", 2000, required=not admissible)
    cost = _amount(cost, "cost")
    if lead_direction is not None and lead_direction.kind != "city_service":
        raise ValidationError({"lead_direction": [_("The lead direction must be one of the City's services.")]})
    project.status = Project.Status.ADMISSIBLE if admissible else Project.Status.INADMISSIBLE
    project.status_reason = reason
    if cost is not None:
        project.cost = cost
    if lead_direction is not None:
        project.lead_direction = lead_direction
    if popular_quartier is not None:
        project.popular_quartier = bool(popular_quartier)
    with transaction.atomic():
        project.save()
        moderation.record(
            agent,
            "budget.verdict",
            project,
            reason,
            status=project.status,
            cost=project.cost,
            lead_direction=project.lead_direction_id,
            popular_quartier=project.popular_quartier,
        )
    if admissible:
        title = Message(
            gettext_noop("Your project “{target}” is admissible: it will be put to the vote"), target=project.title
        )
    else:
        title = Message(gettext_noop("Your project “{target}” is not admissible"), target=project.title)
    notify(project.author, "budget.verdict", title, reason, url=project.get_absolute_url())
    return project


def merge_projects(agent, project, into, reason="") -> Project:
    """Regroupement: `project` joins `into`; both authors are told."""
    if not agent.has_perm("budget.study_project", project):
        raise PermissionDenied(refusal_reason(agent))
    if project.pk == into.pk or into.campaign_id != project.campaign_id:
        raise ValidationError({"into": [_("Merge into another project of the same campaign.")]})
    project.status = Project.Status.MERGED
    project.merged_into = into
    project.status_reason = clean_text(reason, "reason", 2000, required=False)
    with transaction.atomic():
        project.save()
        moderation.record(agent, "budget.merge", project, project.status_reason, into=into.pk)
    message = Message(gettext_noop("Your project “{target}” was merged with a similar one"), target=project.title)
    notify(project.author, "budget.verdict", message, url=into.get_absolute_url())
    return project


# --- ballots ------------------------------------------------------------------------------------------


def _ballot_refusal(voter, campaign):
    if not voter.is_authenticated or not voter.is_verified:
        raise PermissionDenied(refusal_reason(voter))
    if campaign.phase != "vote":
        raise PermissionDenied(_("The vote of this campaign is not open."))
    if not voter.home_district_id:
        raise PermissionDenied(
            _(
                "The participatory budget is for residents of Paris: declare your arrondissement of residence on "
                "your account to vote."
            )
        )


MAX_BALLOT_CHOICES = 500  # far more than all of Paris and one arrondissement put to the vote


@dataclass(frozen=True)
class BallotProject:
    """What a ballot needs to know of a project it holds: its cost and its scope (no geometry, no model)."""

    id: int
    title: str
    cost: int
    scope_id: int
    arrondissement: int | None  # of its scope; None for all of Paris
    scope_name: str  # the arrondissement's name, "" for all of Paris
    envelope: int

    @property
    def scope_label(self):
        return self.scope_name or _("All of Paris")


@dataclass(frozen=True)
class CastBallot:
    """A ballot as it was just written: what the API answers, without reading it back."""

    pk: int
    campaign_id: int
    arrondissement: int | None
    projects: list[int]  # sorted ids
    updated_at: datetime.datetime


# One query for the chosen projects with their scope and its envelope. The ids travel as one array, so that the
# statement is the same for every ballot and is prepared on each pooled connection (serving/db.py).
_BALLOT_PROJECTS_SQL = """
SELECT p.id, p.title, coalesce(p.cost, 0), p.scope_id, d.number, coalesce(d.name, ''), s.envelope
FROM budget_project p JOIN budget_scope s ON s.id = p.scope_id LEFT JOIN core_district d ON d.id = s.district_id
WHERE p.id = ANY(%s::bigint[]) AND p.campaign_id = %s AND p.status = %s
"""
_CAST_BALLOT_SQL = "SELECT ballot_id, updated_at FROM budget_cast_ballot(%s, %s, %s, %s::bigint[])"


def _ballot_projects(campaign, project_ids) -> list[BallotProject]:
    if not project_ids:
        return []
    with prepared_cursor() as cursor:
        cursor.execute(_BALLOT_PROJECTS_SQL, [list(project_ids), campaign.pk, Project.Status.ADMISSIBLE.value])
        return [BallotProject(*row) for row in cursor.fetchall()]


def _arrondissement(value) -> int | None:
    """The arrondissement a ballot is for (1–20), None when none is given, or a ValidationError."""
    if value in (None, ""):
        return None
    try:
        number = None if isinstance(value, bool) else int(value)
    except (TypeError, ValueError):
        number = None
    if number is None or not 1 <= number <= 20:
        raise ValidationError({"arrondissement": [_("Choose an arrondissement from 1 to 20.")]})
    return number


def _euros(amount: int) -> str:
    """An amount grouped by thousands as the reader's language writes it (1\u00a0000\u00a0000 in French, 1,000,000 in
    English), like the pages' `floatformat:"0g"`."""
    return number_format(amount, force_grouping=True)


def check_ballot(campaign, project_ids, arrondissement) -> tuple[list[BallotProject], int | None]:
    """The projects of a ballot and its arrondissement, or a ValidationError saying which rule it breaks (nothing is
    saved). One query: the chosen projects with their scopes."""
    if not isinstance(project_ids, list | tuple) or not all(
        isinstance(i, int) and not isinstance(i, bool) for i in project_ids
    ):
        raise ValidationError({"projects": [_("Give a list of project ids.")]})
    if len(project_ids) > MAX_BALLOT_CHOICES:  # before any query: 200,000 ids took 9 s to refuse
        raise ValidationError({"projects": [_("A ballot holds at most %(n)s projects.") % {"n": MAX_BALLOT_CHOICES}]})
    if len(set(project_ids)) != len(project_ids):
        raise ValidationError({"projects": [_("A project can be chosen only once.")]})
    number = _arrondissement(arrondissement)
    projects = _ballot_projects(campaign, project_ids)
    if len(projects) != len(project_ids):
        raise ValidationError({"projects": [_("Some of these projects are not put to the vote in this campaign.")]})
    by_scope: dict[int, list[BallotProject]] = {}
    for project in projects:
        if project.arrondissement is not None:
            if number is None:
                raise ValidationError({"arrondissement": [_("Choose the arrondissement whose projects you vote for.")]})
            if project.arrondissement != number:
                raise ValidationError(
                    {
                        "projects": [
                            _("“%(title)s” belongs to another arrondissement than the one you chose.")
                            % {"title": project.title}
                        ]
                    }
                )
        by_scope.setdefault(project.scope_id, []).append(project)
    for chosen in by_scope.values():
        scope = chosen[0]
        if campaign.rule == Campaign.Rule.COUNT and len(chosen) > campaign.max_per_scope:
            raise ValidationError(
                {
                    "projects": [
                        _("At most %(k)s projects for %(scope)s.")
                        % {"k": campaign.max_per_scope, "scope": scope.scope_label}
                    ]
                }
            )
        if campaign.rule == Campaign.Rule.ENVELOPE:
            total = sum(p.cost for p in chosen)
            if total > scope.envelope:
                raise ValidationError(
                    {
                        "projects": [
                            _(
                                "These projects cost %(total)s\u00a0€ for %(scope)s, more than its envelope of %(envelope)s\u00a0€."
                            )
                            % {"total": _euros(total), "scope": scope.scope_label, "envelope": _euros(scope.envelope)}
                        ]
                    }
                )
    return projects, number


def cast_ballot(voter, campaign, project_ids, arrondissement=None) -> CastBallot:
    """Fill or replace the one ballot of `voter` in `campaign`: all of it is saved, or nothing.

    Two round trips: the projects chosen (one query, then the rules in Python), and one call of the function
    budget_cast_ballot (migration 0003), a single statement, hence one transaction: its upsert takes the ballot's
    row lock, so parallel requests of one account follow each other and the last one wins whole."""
    _ballot_refusal(voter, campaign)
    projects, number = check_ballot(campaign, project_ids, arrondissement)
    ids = sorted(p.id for p in projects)
    with prepared_cursor() as cursor:
        cursor.execute(_CAST_BALLOT_SQL, [campaign.pk, voter.pk, number, ids])
        ballot_id, updated_at = cursor.fetchone()
    return CastBallot(ballot_id, campaign.pk, number, ids, updated_at)


def withdraw_ballot(voter, campaign) -> bool:
    _ballot_refusal(voter, campaign)
    deleted, _rows = Ballot.objects.filter(campaign=campaign, voter=voter).delete()
    return bool(deleted)


# --- results ------------------------------------------------------------------------------------------


def tie_break_key(project):
    """Published rule: more votes first; on a tie the cheaper project, then the earlier submitted."""
    return (-project.votes, project.cost or 0, project.pk)


def compute_results(agent, campaign) -> dict:
    """Count the ballots and select the winners per scope while the envelope allows (a project that does not fit
    is skipped and the next one considered). Returns {scope: [(project, selected)]}."""
    if not agent.has_perm("budget.publish_results", campaign):
        raise PermissionDenied(refusal_reason(agent))
    with transaction.atomic():
        outcome = count_and_select(campaign)
        winners = sorted(p.pk for rows in outcome.values() for p, selected in rows if selected)
        moderation.record(agent, "budget.publish_results", campaign, winners=winners, ballots=campaign.ballots.count())
    return outcome


def paper_totals(campaign) -> dict[int, int]:
    """Validated paper ballots per project (counts awaiting their second agent are not counted)."""
    return dict(
        PaperCount.objects.filter(campaign=campaign, validated_by__isnull=False)
        .values("project")
        .annotate(n=Sum("count"))
        .values_list("project", "n")
    )


def select_winners(scope, projects) -> tuple[list, int]:
    """The published rule for one scope. `projects` carry their votes. First the share reserved for the
    quartiers populaires: their projects, by votes, while it allows; then the whole envelope that is left, every
    project by votes. A project that does not fit is skipped and the next one considered; a project without
    votes is never selected. Returns ([(project, reason)], spent on the quartiers populaires) where reason is
    "popular" (selected on the share), "envelope" (selected), "skipped" (does not fit) or "no_votes"."""
    ranked = sorted(projects, key=tie_break_key)
    reasons = {}
    left, popular_spent = scope.envelope, 0
    share = min(scope.popular_share, scope.envelope)
    for project in ranked:
        cost = project.cost or 0
        if project.popular_quartier and project.votes > 0 and popular_spent + cost <= share and cost <= left:
            reasons[project.pk] = "popular"
            popular_spent += cost
            left -= cost
    for project in ranked:
        if project.pk in reasons:
            continue
        cost = project.cost or 0
        if project.votes <= 0:
            reasons[project.pk] = "no_votes"
        elif cost <= left:
            reasons[project.pk] = "envelope"
            left -= cost
            if project.popular_quartier:
                popular_spent += cost
        else:
            reasons[project.pk] = "skipped"
    return [(p, reasons[p.pk]) for p in ranked], popular_spent


def count_and_select(campaign) -> dict:
    """One GROUP BY over the choices (joined to the campaign's projects, not to its ballots: a few hundred rows
    instead of 200,000), the selection in Python, and one UPDATE of the rows that changed (from arrays)."""
    totals = dict(
        BallotChoice.objects.filter(project__campaign=campaign)
        .values("project")
        .annotate(n=Count("id"))
        .values_list("project", "n")
    )
    paper = paper_totals(campaign)
    outcome = {}
    with transaction.atomic():
        projects = list(
            Project.objects.select_for_update()
            .filter(campaign=campaign, status=Project.Status.ADMISSIBLE)
            .only("id", "scope_id", "cost", "votes", "winner", "stage", "popular_quartier", "title")
        )
        for project in projects:
            project.votes = totals.get(project.pk, 0) + paper.get(project.pk, 0)
        for scope in Scope.objects.filter(campaign=campaign).select_related("district"):
            rows, _spent = select_winners(scope, [p for p in projects if p.scope_id == scope.pk])
            for project, reason in rows:
                fits = reason in ("popular", "envelope")
                project.winner = fits
                if fits and not project.stage:
                    project.stage = Project.Stage.STUDY
                if not fits:
                    project.stage = ""
            outcome[scope] = [(p, reason in ("popular", "envelope")) for p, reason in rows]
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE budget_project p SET votes = v.votes, winner = v.winner, stage = v.stage "
                "FROM unnest(%s::bigint[], %s::int[], %s::bool[], %s::text[]) AS v(id, votes, winner, stage) "
                "WHERE p.id = v.id AND (p.votes, p.winner, p.stage) IS DISTINCT FROM (v.votes, v.winner, v.stage)",
                [
                    [p.pk for p in projects],
                    [p.votes for p in projects],
                    [p.winner for p in projects],
                    [p.stage for p in projects],
                ],
            )
        Campaign.objects.filter(pk=campaign.pk).update(results_published=True)
        for project in projects:
            contributions.support_changed("budget", project.pk)
    campaign.results_published = True
    return outcome


# --- paper ballots ------------------------------------------------------------------------------------


def enter_paper_count(agent, project, polling_place, count) -> PaperCount:
    """An agent enters the paper ballots of a polling place for a project; a second agent must validate them."""
    if not agent.has_perm("budget.count_paper", project.campaign):
        raise PermissionDenied(refusal_reason(agent))
    if project.status != Project.Status.ADMISSIBLE:
        raise ValidationError({"project": [_("This project is not put to the vote.")]})
    if project.campaign.results_published:
        raise ValidationError({"project": [_("The results of this campaign are published: paper ballots are closed.")]})
    place = clean_text(polling_place, "polling_place", 120)
    try:
        count = int(count)
    except (TypeError, ValueError):
        raise ValidationError({"count": [_("Give a whole number of ballots.")]}) from None
    if not 0 <= count <= 1_000_000:
        raise ValidationError({"count": [_("Give a number of ballots between 0 and 1,000,000.")]})
    with transaction.atomic():
        existing = PaperCount.objects.select_for_update().filter(project=project, polling_place=place).first()
        if existing is not None and existing.validated_by_id:
            raise ValidationError({"polling_place": [_("This count is validated: it can no longer be changed.")]})
        if existing is not None:
            existing.count, existing.entered_by = count, agent
            existing.save(update_fields=["count", "entered_by"])
            return existing
        return PaperCount.objects.create(
            campaign=project.campaign, project=project, polling_place=place, count=count, entered_by=agent
        )


def validate_paper_count(agent, paper: PaperCount) -> PaperCount:
    """The second agent checks the count against the minutes and validates it: then it is counted, and frozen."""
    if not agent.has_perm("budget.count_paper", paper.campaign):
        raise PermissionDenied(refusal_reason(agent))
    with transaction.atomic():
        paper = PaperCount.objects.select_for_update().get(pk=paper.pk)
        if paper.validated_by_id:
            raise ValidationError({"count": [_("This count is already validated.")]})
        if paper.entered_by_id == agent.pk:
            raise ValidationError({"count": [_("A second agent must validate the count you entered.")]})
        paper.validated_by, paper.validated_at = agent, timezone.now()
        paper.save(update_fields=["validated_by", "validated_at"])
    return paper


# --- the team moves a campaign through its phases --------------------------------------------------------


def set_phase_dates(agent, campaign, dates: dict) -> Campaign:
    """New opening dates of the phases (the current phase follows the dates); they must stay in order."""
    if not agent.has_perm("budget.manage_campaign", campaign):
        raise PermissionDenied(refusal_reason(agent))
    values = {}
    for _phase, field in PHASE_FIELDS:
        value = dates.get(field, getattr(campaign, field))
        if not isinstance(value, datetime.date):
            raise ValidationError({field: [_("Give a date.")]})
        values[field] = value
    ordered = [values[field] for _phase, field in PHASE_FIELDS]
    if not (ordered[0] <= ordered[1] <= ordered[2] < ordered[3] <= ordered[4]):
        raise ValidationError(
            {"__all__": [_("The phases must follow each other: submission, study, vote, results, delivery.")]}
        )
    for field, value in values.items():
        setattr(campaign, field, value)
    campaign.save(update_fields=list(values))
    return campaign


def start_next_phase(agent, campaign) -> Campaign:
    """Open the next phase today: its date becomes today and the later phases move so that they follow it."""
    if not agent.has_perm("budget.manage_campaign", campaign):
        raise PermissionDenied(refusal_reason(agent))
    today = timezone.localdate()
    names = [phase for phase, _field in PHASE_FIELDS]
    current = names.index(campaign.phase)
    if current == len(names) - 1:
        raise ValidationError({"__all__": [_("The campaign is already in its last phase.")]})
    dates = {field: getattr(campaign, field) for _phase, field in PHASE_FIELDS}
    day = datetime.timedelta(days=1)
    for index, (_phase, field) in enumerate(PHASE_FIELDS):
        if index <= current:
            dates[field] = min(dates[field], today - day * (current + 1 - index))
        elif index == current + 1:
            dates[field] = today
        else:
            dates[field] = max(dates[field], today + day * (index - current - 1 + (1 if index == 3 else 0)))
    # A stored campaign's dates are in order (budget_campaign_phases_in_order) and the moves above keep them so (the
    # results a day after the vote closes); set_phase_dates checks it again.
    return set_phase_dates(agent, campaign, dates)


def set_envelope(agent, scope, envelope, popular_share) -> Scope:
    if not agent.has_perm("budget.manage_campaign", scope.campaign):
        raise PermissionDenied(refusal_reason(agent))
    envelope = _amount(envelope, "envelope")
    share = _amount(popular_share, "popular_share") or 0
    if envelope is None:
        raise ValidationError({"envelope": [_("Give an amount in whole euros.")]})
    if share > envelope:
        raise ValidationError({"popular_share": [_("The share of the quartiers populaires is part of the envelope.")]})
    scope.envelope, scope.popular_share = envelope, share
    scope.save(update_fields=["envelope", "popular_share"])
    return scope


def follow_up(agent, project, *, stage, progress=None, reason="") -> Project:
    if not agent.has_perm("budget.follow_up", project):
        raise PermissionDenied(refusal_reason(agent))
    if not project.winner:
        raise ValidationError({"stage": [_("Only winning projects are followed through their stages.")]})
    if stage not in Project.Stage.values:
        raise ValidationError({"stage": [pgettext_lazy("budget", "Unknown stage.")]})
    reason = clean_text(reason, "reason", 2000, required=stage == Project.Stage.ABANDONED)
    previous = project.stage
    project.stage, project.stage_reason = stage, reason
    if progress is not None:
        try:
            project.progress = max(0, min(100, int(progress)))
        except (TypeError, ValueError):
            raise ValidationError({"progress": [_("Give the progress as a whole percentage.")]}) from None
    with transaction.atomic():
        project.save()
        if stage != previous:
            label = Project.Stage(stage).label
            ProjectNote.objects.create(
                project=project, kind=ProjectNote.Kind.DELIVERY, text=reason or str(label), author=agent
            )
    if stage != previous:
        message = Message(
            gettext_noop("The project “{target}” moved to a new stage: {stage}"), target=project.title, stage=label
        )
        follows.notify_followers(project, "follow.status", message, reason, url=project.get_absolute_url())
    return project


# --- the team's pages: each form posts an action ---------------------------------------------------------------
# The pages parse their forms and call one of these; each returns what to tell the agent, or raises a ValidationError
# (shown on the page) or PermissionDenied. Side effects (notifications, e-mails) never make an action fail.


def project_action(agent, project, action, data, files=None) -> str:
    """The services' work on a project from its page: verdict, regroupement, co-construction note, follow-up, picture.
    `data` holds the posted fields."""
    if not agent.has_perm("budget.study_project", project):
        raise PermissionDenied(refusal_reason(agent))
    if action == "verdict":
        study_verdict(
            agent,
            project,
            admissible=data.get("admissible") == "yes",
            reason=data.get("reason", ""),
            cost=data.get("cost") or None,
            lead_direction=_lead_direction(data.get("lead_direction")),
            popular_quartier=data.get("popular_quartier") == "on",
        )
        return _("The verdict is recorded; the author is notified.")
    if action == "merge":
        number = whole_number(data.get("into"))
        into = Project.objects.filter(pk=number).first() if number is not None else None
        if into is None:
            raise ValidationError({"into": [_("Choose the project it joins.")]})
        merge_projects(agent, project, into, data.get("reason", ""))
        return _("The projects are merged; the authors are notified.")
    if action == "note":
        add_note(agent, project, data.get("text", ""), ProjectNote.Kind.COCONSTRUCTION)
        return _("The note is published on the project's page.")
    if action == "follow_up":
        follow_up(
            agent,
            project,
            stage=data.get("stage", ""),
            progress=data.get("progress") or None,
            reason=data.get("reason", ""),
        )
        return _("The follow-up is published; the followers are notified.")
    if action == "photo":
        add_photo(agent, project, (files or {}).get("photo"), data.get("caption", ""))
        return _("The picture is added.")
    raise ValidationError(_("Unknown action."))


def _lead_direction(raw):
    """The organisation chosen as lead direction, None when none is (study_verdict checks it is a City service)."""
    from accounts.models import Organization

    number = whole_number(raw)
    return Organization.objects.filter(pk=number).first() if number is not None else None


def campaign_action(agent, campaign, action, data, dates=None) -> str:
    """The team page of a campaign: open the next phase, save the dates of the phases (`dates`: the form's clean
    dates, None when it is not valid), save the envelopes (`envelope-<scope id>`, `share-<scope id>` in `data`),
    publish the results."""
    if not agent.has_perm("budget.manage_campaign", campaign):
        raise PermissionDenied(refusal_reason(agent))
    if action == "next":
        start_next_phase(agent, campaign)
        return _("The next phase is open from today.")
    if action == "dates":
        if dates is None:
            raise ValidationError(_("Check the dates."))
        set_phase_dates(agent, campaign, dates)
        return _("The dates of the phases are saved.")
    if action == "envelopes":
        set_envelopes(
            agent,
            campaign,
            {
                scope.pk: (data.get(f"envelope-{scope.pk}"), data.get(f"share-{scope.pk}"))
                for scope in Scope.objects.filter(campaign=campaign).select_related("campaign")
            },
        )
        return _("The envelopes are saved.")
    if action == "publish":
        compute_results(agent, campaign)
        return _("Results published.")
    raise ValidationError(_("Unknown action."))


def set_envelopes(agent, campaign, amounts: dict) -> list[Scope]:
    """Every scope's envelope and share at once ({scope id: (envelope, share)}): all are saved, or none."""
    scopes = Scope.objects.filter(campaign=campaign, pk__in=list(amounts)).select_related("campaign")
    with transaction.atomic():
        return [set_envelope(agent, scope, *amounts[scope.pk]) for scope in scopes]


def paper_action(agent, campaign, action, data, entry=None) -> str:
    """The paper ballots page: validate a count (`count` in `data`: its id), or enter one (`entry`: the form's clean
    project, polling place and count, None when the form is not valid)."""
    if not agent.has_perm("budget.count_paper", campaign):
        raise PermissionDenied(refusal_reason(agent))
    if action == "validate":
        number = whole_number(data.get("count"))
        count = PaperCount.objects.filter(campaign=campaign, pk=number).first() if number is not None else None
        if count is None:
            raise ValidationError(_("This count does not exist."))
        validate_paper_count(agent, count)
        return _("The count is validated: it is added to the results.")
    if entry is None:
        raise ValidationError(_("Check the count."))
    project = (
        Project.objects.filter(campaign=campaign, pk=entry["project"], status=Project.Status.ADMISSIBLE)
        .select_related("campaign")
        .first()
    )
    if project is None:
        raise ValidationError({"project": [_("This project is not put to the vote.")]})
    enter_paper_count(agent, project, entry["polling_place"], entry["count"])
    return _("The count is entered; a second agent must validate it.")
