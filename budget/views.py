"""Pages of the participatory budget: campaign, projects, ballot (works without JavaScript), results."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core.forms import whole_number
from serving.throttling import throttle

from . import selectors, services
from .forms import PaperCountForm, PhaseDatesForm, SubmitForm
from .models import Campaign, Project, Scope


def index(request):
    campaign = selectors.current_campaign()
    if campaign is None:
        return render(request, "budget/campaign.html", {"campaign": None})
    return redirect(campaign)


def campaign(request, year):
    campaign = get_object_or_404(Campaign, year=year)
    counts = {"projects": selectors.projects_count(campaign)}
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
        context["others"] = selectors.merge_targets(project)
    return render(request, "budget/detail.html", context, status=status)


def project_team(request, pk):
    """The services' work on a project from its page: verdict, regroupement, co-construction notes, follow-up."""
    project = get_object_or_404(Project.objects.select_related("campaign", "author"), pk=pk)
    if request.method != "POST":
        return redirect(project)
    if not request.user.has_perm("budget.study_project", project):
        raise PermissionDenied
    errors = _act(
        request, services.project_action, request.user, project, request.POST.get("action"), request.POST, request.FILES
    )
    if errors:
        return project_detail(request, pk, errors=errors, posted=request.POST, status=400)
    return redirect(project)


def _act(request, action, *args) -> list[str]:
    """Run a team action posted from a page: its message is queued and [] returned, or its errors to show."""
    try:
        done = action(*args)
    except ValidationError as error:
        return error.messages
    messages.success(request, done)
    return []


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
    scopes = selectors.scopes_with_projects(campaign, arrondissement, chosen)
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
    initial = {field: getattr(campaign, field) for _phase, field in services.PHASE_FIELDS}
    action = request.POST.get("action")
    form = PhaseDatesForm(request.POST if action == "dates" else None, initial=initial)
    errors = []
    if request.method == "POST":
        dates = form.cleaned_data if form.is_bound and form.is_valid() else None
        errors = _act(request, services.campaign_action, request.user, campaign, action, request.POST, dates)
        if not errors:
            return redirect("budget:team", year=year)
    scopes = list(Scope.objects.filter(campaign=campaign).select_related("district"))
    if errors and action == "envelopes":  # none was saved: show what the agent typed, to correct it
        for scope in scopes:
            scope.envelope = request.POST.get(f"envelope-{scope.pk}", scope.envelope)
            scope.popular_share = request.POST.get(f"share-{scope.pk}", scope.popular_share)
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
    action = request.POST.get("action")
    form = PaperCountForm(request.POST if action == "enter" else None, projects=projects)
    errors = []
    if request.method == "POST":
        entry = form.cleaned_data if form.is_bound and form.is_valid() else None
        errors = _act(request, services.paper_action, request.user, campaign, action, request.POST, entry)
        if not errors:
            return redirect("budget:paper", year=year)
    return render(
        request,
        "budget/paper.html",
        {"campaign": campaign, "form": form, "counts": selectors.paper_counts(campaign), "errors": errors},
        status=400 if errors else 200,
    )
