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
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from rest_framework.exceptions import APIException

from accounts.models import Organization
from core.contributions import outcome
from core.forms import whole_number
from ideas.selectors import idea_for_mission
from serving.throttling import throttle

from . import selectors, services
from .api import applicants_csv, cv_response
from .documents import attestation_response, calendar_response
from .figures import figures_charts, figures_csv
from .forms import (
    ApplicationMessageForm,
    ApplyForm,
    AttestationForm,
    InternshipForm,
    MissionForm,
    NearForm,
    ProfileForm,
    SpontaneousInternshipForm,
    StatusForm,
)
from .models import Application, Attestation, Mission, VolunteerProfile
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


# What each filter is called on the page, for error messages (never the raw parameter name).
SEARCH_LABELS = {
    "q": _lazy("Keywords"),
    "theme": _lazy("Themes"),
    "district": _lazy("Arrondissement"),
    "near": _lazy("Near a place"),
    "radius_km": _lazy("Within (km)"),
    "date_from": _lazy("From"),
    "date_to": _lazy("To"),
    "weekday": _lazy("Days"),
    "time_slot": _lazy("Time of day"),
    "remote": _lazy("Place"),
    "commitment_max": _lazy("At most (hours a week)"),
    "places_left": _lazy("Places left only"),
    "accessible": _lazy("Accessible to people with disabilities"),
    "organization": _lazy("Organisation"),
    "sort": _lazy("Sort by"),
    "trade": _lazy("Trade or domain"),
    "level": _lazy("Level of study"),
    "paid": _lazy("Paid"),
    "duration_min": _lazy("At least (weeks)"),
    "duration_max": _lazy("At most (weeks)"),
}


def _search_params(get: QueryDict, near_form: NearForm, kind: str = Mission.Kind.VOLUNTEERING):
    """The search's filters from the page's query string: a filter in error is left out (and reported), so the
    other filters, their choices and the results stay as they were. Each page searches its own kind of offers."""
    data = get.copy()
    for key in ("near", "near_lon", "near_lat", "near_for", "page"):
        data.pop(key, None)
    data["kind"] = kind
    errors = {}
    if near_form.is_valid():
        if near := near_form.near_param():
            data["near"] = near
    else:
        errors["near"] = list(near_form.errors["near"])
        data.pop("radius_km", None)
        if data.get("sort") == "distance":
            data.pop("sort")
    for _attempt in range(3):  # an error may hide another (a radius without a point): at most a few rounds
        params = MissionSearchSerializer(data=data)
        if params.is_valid():
            return params.filters(), errors
        for field, messages_ in params.errors.items():
            errors.setdefault(field, []).extend(str(m) for m in messages_)
            data.pop(field, None)
            if field == "near":
                data.pop("radius_km", None)
    params = MissionSearchSerializer(data=QueryDict(f"kind={kind}"))
    params.is_valid()
    return params.filters(), errors


def index(request):
    return _search_page(request, Mission.Kind.VOLUNTEERING)


def internships(request):
    return _search_page(request, Mission.Kind.INTERNSHIP)


def _search_page(request, kind):
    near_form = NearForm(request.GET, auto_id="f-%s")
    filters, errors = _search_params(request.GET, near_form, kind)
    page = Paginator(selectors.search_missions(filters), 20).get_page(request.GET.get("page"))
    facet_counts = selectors.facets(filters)
    error_list = [
        {"field": field, "label": SEARCH_LABELS.get(field, field), "messages": messages_}
        for field, messages_ in errors.items()
    ]
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
            "errors": error_list,
            "field_errors": errors,
            "near_form": near_form,
            "querystring": query.urlencode(),
            "values": request.GET,
            "map_points": _map_points(page.object_list),
            "map_tiles_url": settings.MAP_TILES_URL,
            "weekdays": selectors.WEEKDAYS,
            "time_slots": selectors.TimeSlot.choices,
            "internship": kind == Mission.Kind.INTERNSHIP,
            # the account's saved searches of this kind, to open or delete (at most MAX_SAVED_SEARCHES)
            "saved_searches": services.saved_searches_of(request.user, kind) if kind == Mission.Kind.INTERNSHIP else [],
            "search_url": reverse(
                "volunteering:internships" if kind == Mission.Kind.INTERNSHIP else "volunteering:index"
            ),
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
    form = ApplyForm(internship=mission.is_internship)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={request.path}")
        form = ApplyForm(request.POST, request.FILES, internship=mission.is_internship)
        if form.is_valid():
            try:
                services.apply(
                    request.user,
                    mission,
                    form.cleaned_data["message"],
                    form.cleaned_data["cv"],
                    waiting_list=form.cleaned_data.get("waiting_list", False),
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
            "show_contact": request.user.has_perm("volunteering.view_mission_contact", mission),
            "show_tutor": request.user.has_perm("volunteering.view_tutor", mission),
            "response_time": selectors.human_duration(selectors.public_response_time(mission.organization)),
            "outcome": outcome("mission", mission.pk),
            "from_idea": idea_for_mission(mission.pk),
            "map_points": _map_points([mission]),
            "map_tiles_url": settings.MAP_TILES_URL,
        },
    )


def mission_calendar(request, pk):
    mission = get_object_or_404(Mission.objects.select_related("organization"), pk=pk)
    if not request.user.has_perm("volunteering.view_mission", mission):
        raise Http404
    return calendar_response(mission)


def _mission_form_view(request, mission=None, kind=Mission.Kind.VOLUNTEERING):
    kind = mission.kind if mission is not None else kind
    form_class = InternshipForm if kind == Mission.Kind.INTERNSHIP else MissionForm
    organizations = None
    if mission is None:
        organizations = list(request.user.organizations.filter(verified=True))
        if kind == Mission.Kind.INTERNSHIP:
            organizations = [o for o in organizations if request.user.has_perm("volunteering.manage_internships", o)]
            if not organizations:
                raise PermissionDenied(
                    _(
                        "Only the administrators and internship correspondents of a City direction can offer internships."
                    )
                )
    if mission is None and not request.user.has_perm("volunteering.add_mission"):
        raise PermissionDenied(_("Only members of a verified organisation can publish missions."))
    if mission is not None and not request.user.has_perm("volunteering.change_mission", mission):
        raise Http404
    initial = form_class.initial_for(mission) if mission else _prefill_from_idea(request.GET)
    form = form_class(request.POST or None, initial=initial, organizations=organizations)
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
        {
            "form": form,
            "mission": mission,
            "internship": kind == Mission.Kind.INTERNSHIP,
            "map_tiles_url": settings.MAP_TILES_URL,
        },
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
@throttle("propose")
def internship_create(request):
    return _mission_form_view(request, kind=Mission.Kind.INTERNSHIP)


@login_required
def mission_edit(request, pk):
    return _mission_form_view(request, get_object_or_404(Mission.objects.select_related("organization"), pk=pk))


@login_required
def mission_csv(request, pk):
    mission = get_object_or_404(Mission.objects.select_related("organization"), pk=pk)
    # The mission's managers: for an internship, its direction's administrators and correspondents only.
    if not request.user.has_perm("volunteering.change_mission", mission):
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


@login_required
@throttle("apply")
def internship_spontaneous(request):
    """A spontaneous internship application to a City direction: wished domain, level and period, a letter, a CV."""
    directions = Organization.objects.filter(kind=Organization.Kind.CITY_SERVICE, verified=True).order_by("name")
    initial = {}
    if (direction := whole_number(request.GET.get("direction"))) is not None:
        initial["organization"] = direction
    form = SpontaneousInternshipForm(
        request.POST or None, request.FILES or None, directions=directions, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        internship = {k: d[k] for k in ("wished_trade", "wished_level", "available_from", "available_weeks")}
        try:
            services.apply_spontaneously(request.user, d["organization"], d["message"], d["cv"], internship=internship)
        except ValidationError as error:
            _add_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        except APIException as error:
            form.add_error(None, str(error.detail))
        else:
            messages.success(
                request, _("Your application has been sent. The direction will answer you here and by e-mail.")
            )
            return redirect("volunteering:my_applications")
    return render(request, "volunteering/internship_spontaneous.html", {"form": form})


@login_required
@require_POST
def save_search(request):
    kind = request.POST.get("kind", Mission.Kind.INTERNSHIP)
    query = request.POST.get("query", "")[:2000]  # as stored: the address we send back to stays as long
    back = reverse(services.SEARCH_PAGES.get(kind, "volunteering:internships"))
    try:
        services.save_search(request.user, kind, query, weekly_email=request.POST.get("weekly_email") == "on")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your search has been saved."))
    return redirect(back + (f"?{QueryDict(query).urlencode()}" if query else ""))


def _figures_scope(request):
    """Whose figures: the whole City for the internship office (or one direction, ?direction=slug), a direction's
    own for its administrators and correspondents; 404 for anybody else."""
    slug = request.GET.get("direction", "")
    organization = Organization.objects.filter(slug=slug, kind=Organization.Kind.CITY_SERVICE).first() if slug else None
    if request.user.has_perm("volunteering.view_internship_office"):
        if slug and organization is None:
            raise Http404
        return organization
    if organization is None or not request.user.has_perm("volunteering.manage_internships", organization):
        raise Http404
    return organization


@login_required
@require_POST
def delete_saved_search(request, pk):
    saved = services.delete_saved_search(request.user, pk)
    if saved is None:
        raise Http404
    messages.success(request, _("The saved search is deleted; its e-mails stop."))
    return redirect(services.SEARCH_PAGES.get(saved.kind, "volunteering:internships"))


@login_required
def internship_office(request):
    """The internship office's figures and every internship offer; a direction's managers see their own figures."""
    organization = _figures_scope(request)
    figures = selectors.cached_internship_figures(organization)
    context = {"figures": figures, "organization": organization, "charts": figures_charts(figures)}
    return render(request, "volunteering/internship_office.html", context)


@login_required
def internship_figures_csv(request):
    organization = _figures_scope(request)
    name = f"stages-{organization.slug}" if organization else "stages-ville-de-paris"
    return figures_csv(selectors.cached_internship_figures(organization), name)


def _organization_for_member(request, slug) -> Organization:
    organization = get_object_or_404(Organization, slug=slug)
    if not request.user.has_perm("volunteering.manage_applications", organization):
        raise Http404
    return organization


# The dashboard lists an organisation's offers a page at a time: a City direction has hundreds.
MISSIONS_PER_PAGE = 25


def _statistics_blocks(organization, manages_internships: bool, selected=None) -> list:
    """The dashboard's figures, one block per kind of offers (never added together), or the one offer's."""
    if selected is not None:
        blocks = [selectors.organization_statistics(organization, selected.kind, mission=selected)]
    else:
        blocks = [selectors.organization_statistics(organization, Mission.Kind.VOLUNTEERING)]
        if manages_internships:
            blocks.append(selectors.organization_statistics(organization, Mission.Kind.INTERNSHIP))
    for block in blocks:
        block["response_time"] = selectors.human_duration(block["response_time_hours"])
    return blocks


@login_required
def dashboard(request, slug, form=None):
    organization = _organization_for_member(request, slug)
    missions = Mission.objects.filter(organization=organization).order_by("-created_at", "-pk")
    # A direction's plain members see its volunteering only: internships are its administrators' and correspondents'.
    manages_internships = request.user.has_perm("volunteering.manage_internships", organization)
    if not manages_internships:
        missions = missions.exclude(kind=Mission.Kind.INTERNSHIP)
    selected, page = None, None
    mission_param = request.GET.get("mission")
    if mission_param == "spontaneous":
        applications = selectors.organization_applications(organization).filter(mission__isnull=True)
    elif (mission_pk := whole_number(mission_param)) is not None:
        # One offer: only its row, its applications and its figures are read, whatever the organisation's size.
        selected = missions.filter(pk=mission_pk).first()
        if selected is None:
            raise Http404
        applications = selectors.organization_applications(organization, mission=selected)
    else:
        applications = selectors.organization_applications(organization)
    if selected is not None:
        shown = [selected]
    else:
        page = Paginator(missions, MISSIONS_PER_PAGE).get_page(request.GET.get("page"))
        shown = list(page.object_list)
    counts = selectors.mission_status_counts(organization, shown)
    for m in shown:
        by_status = counts.get(m.pk, {})
        # (French label, count) in the order of the statuses: the raw values never reach the page.
        m.status_counts = [
            (label, by_status[value]) for value, label in Application.Status.choices if value in by_status
        ]
        m.applications_total = sum(by_status.values())
    if not manages_internships:
        applications = applications.exclude(kind=Mission.Kind.INTERNSHIP)
    status = request.GET.get("status")
    if status in Application.Status.values:
        applications = applications.filter(status=status)
    applications = list(applications[:200])
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "volunteering/dashboard.html",
        {
            "organization": organization,
            "missions": shown,
            "page": page,
            "querystring": query.urlencode(),
            "selected": selected,
            "mission_param": mission_param or "",
            "applications": applications,
            "statuses": Application.Status.choices,
            "status_filter": status or "",
            "form": form or StatusForm(),
            "statistics": _statistics_blocks(organization, manages_internships, selected),
            "manages_internships": manages_internships,
        },
    )


def bulk_update_message(count: int) -> str:
    return ngettext(
        "%(count)s application updated; the volunteer has been told.",
        "%(count)s applications updated; the volunteers have been told.",
        count,
    ) % {"count": count}


@login_required
@require_POST
@throttle("message")
def dashboard_update(request, slug):
    organization = _organization_for_member(request, slug)
    ids = [n for v in request.POST.getlist("ids") if (n := whole_number(v)) is not None]
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
                bulk_update_message(len(changed)),
            )
        return redirect(back)
    messages.error(request, " ".join(f"{e}" for errs in form.errors.values() for e in errs))
    return redirect(back)


def _application_for(request, pk) -> Application:
    application = (
        Application.objects.select_related("volunteer", "organization", "mission__organization", "attestation")
        .filter(pk=pk)
        .first()
    )
    if application is None or not request.user.has_perm("volunteering.view_application", application):
        raise Http404
    return application


def _post_on_application(request, application):
    """One POST of the application page: a message, or the organisation issuing the attestation."""
    if request.POST.get("action") == "attestation":
        form = AttestationForm(request.POST)
        if not form.is_valid():
            return None, form
        try:
            services.issue_attestation(request.user, application, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
            return None, form
        except PermissionDenied as error:
            form.add_error(None, str(error))
            return None, form
        messages.success(request, _("The attestation has been issued; the volunteer has been told."))
        return redirect(reverse("volunteering:application", args=[application.pk]) + "#attestation"), None
    form = ApplicationMessageForm(request.POST)
    if form.is_valid():
        try:
            services.post_application_message(request.user, application, form.cleaned_data["body"])
        except ValidationError as error:
            _add_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            return redirect(reverse("volunteering:application", args=[application.pk]) + "#messages"), None
    return None, form


@login_required
@throttle("message")
def application_detail(request, pk):
    application = _application_for(request, pk)
    user = request.user
    is_member = user.has_perm("volunteering.change_application", application)
    message_form = ApplicationMessageForm()
    hours = None
    if application.mission and application.mission.commitment == Mission.Commitment.TOTAL_HOURS:
        hours = application.mission.commitment_hours
    attestation = getattr(application, "attestation", None)
    attestation_form = AttestationForm(
        initial={
            "signer_name": attestation.signer_name if attestation else user.public_name,
            "signer_role": attestation.signer_role if attestation else "",
            "hours": attestation.hours if attestation else hours,
        }
    )
    if request.method == "POST":
        done, form = _post_on_application(request, application)
        if done is not None:
            return done
        if isinstance(form, AttestationForm):
            attestation_form = form
        else:
            message_form = form
    return render(
        request,
        "volunteering/application_detail.html",
        {
            "application": application,
            "mission": application.mission,
            "is_member": is_member,
            "thread": application.messages.select_related("author"),
            "message_form": message_form,
            "can_message": user.has_perm("volunteering.message_application", application),
            "contact": selectors.application_contact(application)
            if user.has_perm("volunteering.view_contact", application)
            else None,
            "attestation": attestation,
            "attestation_form": attestation_form,
            "can_issue": is_member
            and application.status == Application.Status.ACCEPTED
            and services.mission_has_ended(application.mission),
            "events": application.events.all(),
        },
    )


@login_required
def application_attestation(request, pk):
    application = _application_for(request, pk)
    attestation = Attestation.objects.filter(application=application).first()
    if attestation is None or not request.user.has_perm("volunteering.view_attestation", application):
        raise Http404
    return attestation_response(attestation, request.build_absolute_uri("/"))
