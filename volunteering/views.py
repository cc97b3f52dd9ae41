"""Pages of the volunteering marketplace: parse, call a service or selector, render."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rest_framework.exceptions import APIException

from accounts.models import Organization
from core.contributions import outcome
from core.throttling import throttle
from ideas.selectors import idea_for_mission

from . import selectors, services
from .api import applicants_csv, cv_response
from .forms import ApplyForm, MissionForm, ProfileForm, StatusForm
from .models import Application, Mission, VolunteerProfile
from .serializers import MissionSearchSerializer


def _add_errors(form, error: ValidationError):
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _map_points(missions):
    return [
        {
            "id": m.pk,
            "title": m.title,
            "url": m.get_absolute_url(),
            "lon": round(m.location.x, 6),
            "lat": round(m.location.y, 6),
            "organization": m.organization.name,
        }
        for m in missions
        if m.location
    ]


def index(request):
    params = MissionSearchSerializer(data=request.GET)
    errors = {}
    if params.is_valid():
        filters = params.filters()
        page = Paginator(selectors.search_missions(filters), 20).get_page(request.GET.get("page"))
        facet_counts = selectors.facets(filters)
    else:
        errors = params.errors
        filters, page, facet_counts = None, Paginator(Mission.objects.none(), 20).get_page(1), None
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "volunteering/index.html",
        {
            "page": page,
            "missions": page.object_list,
            "filters": filters,
            "facets": facet_counts,
            "errors": errors,
            "querystring": query.urlencode(),
            "values": request.GET,
            "map_points": _map_points(page.object_list),
            "map_tiles_url": settings.MAP_TILES_URL,
            "weekdays": selectors.WEEKDAYS,
            "time_slots": selectors.TimeSlot.choices,
        },
    )


@throttle("apply")
def mission_detail(request, pk):
    mission = get_object_or_404(
        Mission.objects.select_related("organization", "district").prefetch_related("themes"), pk=pk
    )
    if not request.user.has_perm("volunteering.view_mission", mission):
        raise Http404
    own = None
    if request.user.is_authenticated:
        own = Application.objects.filter(volunteer=request.user, mission=mission).first()
    form = ApplyForm()
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={request.path}")
        form = ApplyForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.apply(
                    request.user,
                    mission,
                    form.cleaned_data["message"],
                    form.cleaned_data["cv"],
                    waiting_list=form.cleaned_data["waiting_list"],
                )
            except ValidationError as error:
                _add_errors(form, error)
            except PermissionDenied as error:
                form.add_error(None, str(error))
            except APIException as error:
                form.add_error(None, str(error.detail))
            else:
                messages.success(
                    request, _("Your application has been sent. The organisation will answer you here and by e-mail.")
                )
                return redirect("volunteering:my_applications")
    else:
        services.record_view(mission)
    return render(
        request,
        "volunteering/mission_detail.html",
        {
            "mission": mission,
            "form": form,
            "own_application": own,
            "can_apply": request.user.has_perm("volunteering.apply"),
            "can_edit": request.user.has_perm("volunteering.change_mission", mission),
            "response_time": selectors.human_duration(selectors.public_response_time(mission.organization)),
            "outcome": outcome("mission", mission.pk),
            "from_idea": idea_for_mission(mission.pk),
            "map_points": _map_points([mission]),
            "map_tiles_url": settings.MAP_TILES_URL,
        },
    )


def _mission_form_view(request, mission=None):
    organizations = list(request.user.organizations.filter(verified=True)) if mission is None else None
    if mission is None and not request.user.has_perm("volunteering.add_mission"):
        raise PermissionDenied(_("Only members of a verified organisation can publish missions."))
    if mission is not None and not request.user.has_perm("volunteering.change_mission", mission):
        raise Http404
    initial = MissionForm.initial_for(mission) if mission else _prefill_from_idea(request.GET)
    form = MissionForm(request.POST or None, initial=initial, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        try:
            if mission is None:
                publish = request.POST.get("action") != "draft"
                mission = services.create_mission(
                    request.user, form.mission_data(), organization=form.organization(), publish=publish
                )
            else:
                mission = services.update_mission(request.user, mission, form.mission_data())
                action = request.POST.get("action")
                if action in ("publish", "unpublish", "close"):
                    getattr(services, f"{action}_mission")(request.user, mission)
        except ValidationError as error:
            _add_errors(form, error)
        except APIException as error:
            form.add_error(None, str(error.detail))
        else:
            messages.success(request, _("The mission has been saved."))
            if request.GET.get("from_need") and initial.get("from_idea"):
                _link_idea_need(request, mission)
            return redirect(mission.get_absolute_url())
    return render(
        request,
        "volunteering/mission_form.html",
        {"form": form, "mission": mission, "map_tiles_url": settings.MAP_TILES_URL},
    )


def _prefill_from_idea(params) -> dict:
    """A "volunteers" need of an idea (ideas.services.mission_prefill_url) opens this form prefilled."""
    if not params.get("from_idea"):
        return {}
    from core.models import Theme

    return {
        "from_idea": params.get("from_idea"),
        "title": params.get("title", "")[:160],
        "description": params.get("description", ""),
        "themes": list(Theme.objects.filter(slug=params.get("theme", ""))),
    }


def _link_idea_need(request, mission):
    """Store the link back on the idea's need; the mission stays created even if the link is refused."""
    from ideas import services as idea_services
    from ideas.models import Need

    need = Need.objects.filter(pk=request.GET.get("from_need"), idea_id=request.GET.get("from_idea")).first()
    if need is None:
        return
    try:
        idea_services.link_need_to_mission(request.user, need, mission.pk)
    except (ValidationError, PermissionDenied, APIException):
        messages.warning(request, _("The mission could not be linked to the idea's need."))


@login_required
@throttle("propose")
def mission_create(request):
    return _mission_form_view(request)


@login_required
def mission_edit(request, pk):
    return _mission_form_view(request, get_object_or_404(Mission.objects.select_related("organization"), pk=pk))


@login_required
def mission_csv(request, pk):
    mission = get_object_or_404(Mission.objects.select_related("organization"), pk=pk)
    if not request.user.has_perm("volunteering.manage_applications", mission.organization):
        raise Http404
    return applicants_csv(mission)


@login_required
def for_you(request):
    profile = VolunteerProfile.objects.filter(user=request.user).first()
    missions = selectors.recommendations(request.user, limit=20)
    return render(request, "volunteering/for_you.html", {"missions": missions, "profile": profile})


@login_required
def profile(request):
    current = VolunteerProfile.objects.filter(user=request.user).prefetch_related("themes").first()
    form = ProfileForm(request.POST or None, initial=ProfileForm.initial_for(current))
    if request.method == "POST" and form.is_valid():
        try:
            services.save_profile(request.user, form.profile_data())
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Your volunteer profile has been saved."))
            return redirect("volunteering:for_you")
    return render(request, "volunteering/profile.html", {"form": form})


@login_required
def my_applications(request):
    applications = (
        Application.objects.filter(volunteer=request.user)
        .select_related("mission", "organization")
        .prefetch_related("events")
        .order_by("-created_at")
    )
    return render(request, "volunteering/my_applications.html", {"applications": applications})


@login_required
def application_cv(request, pk):
    return cv_response(get_object_or_404(selectors.applications_visible_to(request.user), pk=pk))


@login_required
@require_POST
def application_withdraw(request, pk):
    application = get_object_or_404(Application, pk=pk, volunteer=request.user)
    try:
        services.withdraw(request.user, application)
    except APIException as error:
        messages.error(request, str(error.detail))
    else:
        messages.success(request, _("Your application has been withdrawn."))
    return redirect("volunteering:my_applications")


def _organization_for_member(request, slug) -> Organization:
    organization = get_object_or_404(Organization, slug=slug)
    if not request.user.has_perm("volunteering.manage_applications", organization):
        raise Http404
    return organization


@login_required
def dashboard(request, slug, form=None):
    organization = _organization_for_member(request, slug)
    missions = list(Mission.objects.filter(organization=organization).order_by("-created_at"))
    counts = selectors.mission_status_counts(organization)
    for m in missions:
        m.status_counts = counts.get(m.pk, {})
        m.applications_total = sum(m.status_counts.values())
    selected = None
    mission_param = request.GET.get("mission")
    if mission_param == "spontaneous":
        applications = selectors.organization_applications(organization).filter(mission__isnull=True)
    elif mission_param and mission_param.isdigit():
        selected = next((m for m in missions if m.pk == int(mission_param)), None)
        if selected is None:
            raise Http404
        applications = selectors.organization_applications(organization, mission=selected)
    else:
        applications = selectors.organization_applications(organization)
    status = request.GET.get("status")
    if status in Application.Status.values:
        applications = applications.filter(status=status)
    applications = list(applications[:200])
    return render(
        request,
        "volunteering/dashboard.html",
        {
            "organization": organization,
            "missions": missions,
            "selected": selected,
            "mission_param": mission_param or "",
            "applications": applications,
            "statuses": Application.Status.choices,
            "status_filter": status or "",
            "form": form or StatusForm(),
            "stats": selectors.organization_statistics(organization),
            "response_time": selectors.human_duration(selectors.public_response_time(organization)),
        },
    )


@login_required
@require_POST
@throttle("message")
def dashboard_update(request, slug):
    organization = _organization_for_member(request, slug)
    ids = [int(v) for v in request.POST.getlist("ids") if v.isdigit()]
    form = StatusForm(request.POST, application_ids=ids)
    back = reverse("volunteering:dashboard", args=[organization.slug])
    if request.POST.get("back", "").startswith("?"):
        back += "?" + QueryDict(request.POST["back"][1:]).urlencode()
    if form.is_valid():
        d = form.cleaned_data
        convocation = {"convocation_at": d["convocation_at"], "convocation_place": d["convocation_place"]}
        try:
            changed = services.bulk_change_status(request.user, d["ids"], d["status"], d["message"], convocation)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except APIException as error:
            messages.error(request, str(error.detail))
        else:
            messages.success(
                request,
                _("%(count)s application(s) updated; the volunteers have been told.") % {"count": len(changed)},
            )
        return redirect(back)
    messages.error(request, " ".join(f"{e}" for errs in form.errors.values() for e in errs))
    return redirect(back)
