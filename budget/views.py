"""Pages of the participatory budget: campaign, projects, ballot (works without JavaScript), results."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core.forms import whole_number
from serving.throttling import throttle

from . import selectors, services
from .forms import PaperCountForm, PhaseDatesForm, SubmitForm
from .models import Campaign, PaperCount, Project, ProjectNote, Scope


def index(request):
    campaign = selectors.current_campaign()
    if campaign is None:
        return render(request, "budget/campaign.html", {"campaign": None})
    return redirect(campaign)


def campaign(request, year):
    campaign = get_object_or_404(Campaign, year=year)
    counts = {"projects": campaign.projects.exclude(status=Project.Status.MERGED).count()}
    return render(
        request,
        "budget/campaign.html",
        {"campaign": campaign, "phase": campaign.phase, "counts": counts, "campaigns": selectors.campaigns()},
    )


def project_list(request):
    try:
        qs = selectors.filtered_projects(request.GET)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        qs = Project.objects.none()
    page = Paginator(selectors.project_list(qs), 30).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "budget/list.html",
        {
            "page": page,
            "querystring": query.urlencode(),
            "campaigns": selectors.campaigns(),
            "stages": Project.Stage.choices,
            "statuses": Project.Status.choices,
            "districts": range(1, 21),
            "params": request.GET,
        },
    )


def project_detail(request, pk, errors=None, posted=None, status=200):
    project = selectors.project_detail(pk)
    if project is None:
        raise Http404
    from core import contributions

    context = {
        "project": project,
        "team_errors": errors or [],
        "posted": posted or {},
        "outcome": contributions.outcome("budget", project.pk),
    }
    if request.user.has_perm("budget.study_project", project):
        context["stages"] = Project.Stage.choices
        context["others"] = (
            Project.objects.filter(campaign=project.campaign_id)
            .exclude(pk=project.pk)
            .exclude(status=Project.Status.MERGED)
            .only("id", "title")
            .order_by("title")
        )
    return render(request, "budget/detail.html", context, status=status)


def project_team(request, pk):
    """The services' work on a project from its page: verdict, regroupement, co-construction notes, follow-up."""
    project = get_object_or_404(Project.objects.select_related("campaign", "author"), pk=pk)
    if request.method != "POST":
        return redirect(project)
    if not request.user.has_perm("budget.study_project", project):
        raise PermissionDenied
    action, data = request.POST.get("action"), request.POST
    try:
        if action == "verdict":
            from accounts.models import Organization

            lead = whole_number(data.get("lead_direction"))
            lead = Organization.objects.filter(pk=lead).first() if lead is not None else None
            services.study_verdict(
                request.user,
                project,
                admissible=data.get("admissible") == "yes",
                reason=data.get("reason", ""),
                cost=data.get("cost") or None,
                lead_direction=lead,
                popular_quartier=data.get("popular_quartier") == "on",
            )
            done = _("The verdict is recorded; the author is notified.")
        elif action == "merge":
            raw = whole_number(data.get("into"))
            into = Project.objects.filter(pk=raw).first() if raw is not None else None
            if into is None:
                raise ValidationError({"into": [_("Choose the project it joins.")]})
            services.merge_projects(request.user, project, into, data.get("reason", ""))
            done = _("The projects are merged; the authors are notified.")
        elif action == "note":
            services.add_note(request.user, project, data.get("text", ""), ProjectNote.Kind.COCONSTRUCTION)
            done = _("The note is published on the project's page.")
        elif action == "follow_up":
            services.follow_up(
                request.user,
                project,
                stage=data.get("stage", ""),
                progress=data.get("progress") or None,
                reason=data.get("reason", ""),
            )
            done = _("The follow-up is published; the followers are notified.")
        elif action == "photo":
            services.add_photo(request.user, project, request.FILES.get("photo"), data.get("caption", ""))
            done = _("The picture is added.")
        else:
            raise ValidationError(_("Unknown action."))
    except ValidationError as error:
        return project_detail(request, pk, errors=error.messages, posted=data, status=400)
    messages.success(request, done)
    return redirect(project)


@throttle("vote")
def ballot(request, year):
    campaign = get_object_or_404(Campaign, year=year)
    ballot = selectors.ballot_of(request.user, campaign)
    arrondissement = request.POST.get("arrondissement") or request.GET.get("arrondissement")
    if not arrondissement and ballot is not None and ballot.district_id:
        arrondissement = ballot.district.number
    arrondissement = whole_number(arrondissement)
    chosen = {p.pk for p in ballot.projects.all()} if ballot else set()
    errors = []
    if request.method == "POST" and request.POST.get("action") == "residence":
        from accounts.services import declare_home_district

        if not request.user.is_authenticated:
            raise PermissionDenied
        try:
            declare_home_district(request.user, request.POST.get("home_district"))
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, _("Your arrondissement of residence is recorded on your account."))
            return redirect("budget:ballot", year=year)
    elif request.method == "POST":
        ids = []
        for raw in request.POST.getlist("projects"):
            if (number := whole_number(raw)) is not None:
                ids.append(number)
        try:
            if request.POST.get("action") == "withdraw":
                services.withdraw_ballot(request.user, campaign)
                messages.success(request, _("Your ballot has been withdrawn."))
            else:
                services.cast_ballot(request.user, campaign, ids, arrondissement)
                messages.success(request, _("Your ballot has been recorded. You can change it until the vote closes."))
            return redirect("budget:ballot", year=year)
        except PermissionDenied as error:
            errors = [str(error)]
        except ValidationError as error:
            errors = error.messages
        chosen = set(ids)
    scopes = selectors.scopes_with_projects(campaign, arrondissement)
    for scope in scopes:
        spent = sum(p.cost or 0 for p in scope.open_projects if p.pk in chosen)
        scope.left = scope.envelope - spent
        scope.chosen_count = sum(1 for p in scope.open_projects if p.pk in chosen)
    return render(
        request,
        "budget/ballot.html",
        {
            "campaign": campaign,
            "scopes": scopes,
            "chosen": chosen,
            "arrondissement": arrondissement,
            "districts": range(1, 21),
            "errors": errors,
            "can_vote": request.user.has_perm("budget.vote", campaign),
            "needs_residence": request.user.is_authenticated
            and request.user.is_verified
            and not request.user.home_district_id,
            "has_ballot": ballot is not None,
        },
    )


def results(request, year):
    campaign = get_object_or_404(Campaign, year=year)
    rows = selectors.results(campaign) if campaign.results_published else []
    return render(
        request,
        "budget/results.html",
        {
            "campaign": campaign,
            "rows": rows,
            "voters": selectors.voters_count(campaign),
            "paper": selectors.paper_ballots_total(campaign) if campaign.results_published else 0,
        },
    )


@throttle("propose")
def submit(request, year):
    campaign = get_object_or_404(Campaign, year=year)
    form = SubmitForm(request.POST or None, request.FILES or None)
    similar = []
    if request.method == "POST" and form.is_valid():
        from mapvotes.api import parse_geometry

        place = form.cleaned_data["address"]
        if not form.cleaned_data.get("confirm"):
            similar = selectors.similar_projects(campaign, form.cleaned_data["title"], place.point)
        try:
            if similar:  # the map's duplicate warning: the resident looks at them, then confirms
                raise ValidationError({"confirm": [_("Similar projects already exist nearby: look at them first.")]})
            project = services.submit_project(
                request.user,
                campaign,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                scope=form.cleaned_data["scope"],
                geometry=parse_geometry(place.point.json),
                estimated_need=form.cleaned_data.get("estimated_need"),
                photo=form.cleaned_data.get("photo"),
                address=place.text,
            )
        except PermissionDenied as error:
            messages.error(request, str(error))
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Thank you! Your project is submitted; the City's services will study it."))
            return redirect(project)
    return render(
        request,
        "budget/submit.html",
        {
            "campaign": campaign,
            "form": form,
            "similar": similar,
            "can_submit": request.user.has_perm("budget.submit_project", campaign),
        },
    )


def team(request, year):
    """The team moves the campaign through its phases, sets the envelopes and publishes the results."""
    campaign = get_object_or_404(Campaign, year=year)
    if not request.user.has_perm("budget.manage_campaign", campaign):
        raise PermissionDenied
    scopes = list(Scope.objects.filter(campaign=campaign).select_related("district"))
    initial = {field: getattr(campaign, field) for _phase, field in services.PHASE_FIELDS}
    form = PhaseDatesForm(request.POST if request.POST.get("action") == "dates" else None, initial=initial)
    errors = []
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "next":
                services.start_next_phase(request.user, campaign)
                done = _("The next phase is open from today.")
            elif action == "dates":
                if not form.is_valid():
                    raise ValidationError(_("Check the dates."))
                services.set_phase_dates(request.user, campaign, form.cleaned_data)
                done = _("The dates of the phases are saved.")
            elif action == "envelopes":
                with transaction.atomic():
                    for scope in scopes:
                        services.set_envelope(
                            request.user,
                            scope,
                            request.POST.get(f"envelope-{scope.pk}"),
                            request.POST.get(f"share-{scope.pk}"),
                        )
                done = _("The envelopes are saved.")
            elif action == "publish":
                services.compute_results(request.user, campaign)
                done = _("Results published.")
            else:
                raise ValidationError(_("Unknown action."))
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, done)
            return redirect("budget:team", year=year)
    return render(
        request,
        "budget/team.html",
        {
            "campaign": campaign,
            "phase": campaign.phase,
            "form": form,
            "scopes": scopes,
            "errors": errors,
            "posted": request.POST,
        },
        status=400 if errors else 200,
    )


def paper(request, year):
    """Paper ballots from the polling places: an agent enters the counts, a second agent validates them."""
    campaign = get_object_or_404(Campaign, year=year)
    if not request.user.has_perm("budget.count_paper", campaign):
        raise PermissionDenied
    projects = (
        Project.objects.filter(campaign=campaign, status=Project.Status.ADMISSIBLE)
        .select_related("scope__district")
        .order_by("scope__district__number", "title")
    )
    form = PaperCountForm(request.POST if request.POST.get("action") == "enter" else None, projects=projects)
    errors = []
    if request.method == "POST":
        try:
            if request.POST.get("action") == "validate":
                raw = whole_number(request.POST.get("count"))
                count = PaperCount.objects.filter(campaign=campaign, pk=raw).first() if raw is not None else None
                if count is None:
                    raise ValidationError(_("This count does not exist."))
                services.validate_paper_count(request.user, count)
                done = _("The count is validated: it is added to the results.")
            elif form.is_valid():
                project = next(p for p in projects if p.pk == form.cleaned_data["project"])
                services.enter_paper_count(
                    request.user, project, form.cleaned_data["polling_place"], form.cleaned_data["count"]
                )
                done = _("The count is entered; a second agent must validate it.")
            else:
                raise ValidationError(_("Check the count."))
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, done)
            return redirect("budget:paper", year=year)
    return render(
        request,
        "budget/paper.html",
        {"campaign": campaign, "form": form, "counts": selectors.paper_counts(campaign), "errors": errors},
        status=400 if errors else 200,
    )
