"""Pages of the ideas marketplace: parse, call a service or selector, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.rules import refusal_reason
from core.comments import own_comment_refusal
from core.contributions import outcome
from serving.throttling import throttle

from . import selectors, services
from .forms import (
    CommentEditForm,
    CommentForm,
    ConnectForm,
    IdeaForm,
    ImageForm,
    MessageForm,
    NeedFormSet,
    NewsForm,
    PartnerForm,
    ReportForm,
)
from .models import Comment, Connection, Idea, IdeaImage, Need, NeedKind, PartnerProfile


def _add_errors(form, error: ValidationError):
    for field, msgs in (error.message_dict if hasattr(error, "error_dict") else {None: error.messages}).items():
        form.add_error(field if field in form.fields else None, msgs)


def _querystring(request):
    params = {k: v for k, v in request.GET.items() if k != "page" and v}
    return urlencode(params)


def index(request):
    filters = selectors.IdeaFilters.from_params(request.GET)
    qs = selectors.idea_list(filters) if not filters.errors else selectors.public_ideas().none()
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "ideas/index.html",
        {
            "page": page,
            "filters": filters,
            "querystring": _querystring(request),
            "themes": selectors.themes(),
            "stages": Idea.Stage.choices,
            "need_kinds": NeedKind.choices,
            "statuses": [(s, Idea.Status(s).label) for s in Idea.PUBLIC_STATUSES],
            "districts": range(1, 21),
        },
    )


def _visible(request, pk):
    try:
        idea = selectors.idea_detail(pk)
    except Idea.DoesNotExist:
        raise Http404 from None
    if not request.user.has_perm("ideas.view_idea", idea):
        raise Http404
    return idea


def detail(request, pk):
    idea = _visible(request, pk)
    user = request.user
    is_holder = user.has_perm("ideas.post_news", idea)
    matches = []
    if is_holder and idea.status in Idea.OPEN_STATUSES:
        with selectors.no_jit():
            matches = selectors.matches_for_idea(idea, list(selectors.partners_for_idea(idea)[:5]))
    my_partners = []
    if user.is_authenticated and not is_holder:
        my_partners = list(
            PartnerProfile.objects.filter(organization__memberships__user=user)
            .exclude(organization_id=idea.organization_id)
            .select_related("organization")
        )
    open_needs = [n for n in idea.needs.all() if not n.covered]
    connect_form = None
    if my_partners and open_needs and idea.status in Idea.OPEN_STATUSES:
        connect_form = ConnectForm()
        connect_form.fields["need"].choices = [(n.pk, f"{n.get_kind_display()} — {n.description}") for n in open_needs]
        connect_form.fields["partner"].choices = [(p.pk, p.organization.name) for p in my_partners]
    supported = user.is_authenticated and idea.supports.filter(user=user).exists()
    return render(
        request,
        "ideas/detail.html",
        {
            "idea": idea,
            "is_holder": is_holder,
            "can_moderate": user.has_perm("ideas.moderate_idea"),
            "supported": supported,
            "can_support": user.has_perm("ideas.support_idea", idea),
            "can_comment": user.has_perm("ideas.comment_idea", idea),
            "comments": selectors.comment_threads(idea, user),
            "news": selectors.news_of(idea)[:10],
            "timeline": idea.timeline.all()[:20],
            "matches": matches,
            "connect_form": connect_form,
            "comment_form": CommentForm(auto_id="comment_%s"),
            "news_form": NewsForm(auto_id="news_%s"),
            "report_form": ReportForm(auto_id="report_%s"),
            "image_form": ImageForm(auto_id="image_%s") if is_holder else None,
            "outcome": outcome("idea", idea.pk),
        },
    )


def _idea_form_view(request, idea=None):
    user = request.user
    if idea is None and not user.has_perm("ideas.add_idea"):
        raise PermissionDenied(refusal_reason(user))
    initial, needs_initial = {}, []
    if idea is not None:
        initial = {
            "title": idea.title,
            "pitch": idea.pitch,
            "description": idea.description,
            "themes": list(idea.themes.all()),
            "districts": [d.number for d in idea.districts.all()],
            "stage": idea.stage,
            "team": idea.team,
            "organization": idea.organization_id,
        }
        needs_initial = [
            {"id": n.pk, "kind": n.kind, "description": n.description, "amount": n.amount} for n in idea.needs.all()
        ]
    if request.method == "POST":
        form = IdeaForm(request.POST, request.FILES, user=user, with_image=idea is None)
        formset = NeedFormSet(request.POST, prefix="needs")
        if form.is_valid() and formset.is_valid():
            data = form.cleaned_data
            needs = [n for n in (f.as_need() for f in formset.forms) if n is not None]
            values = {
                "title": data["title"],
                "pitch": data["pitch"],
                "description": data["description"],
                "themes": [t.slug for t in data["themes"]],
                "districts": data["districts"],
                "stage": data["stage"],
                "team": data["team"],
                "needs": needs,
            }
            try:
                if idea is None:
                    org = None
                    if data.get("organization"):
                        org = user.organizations.filter(pk=data["organization"]).first()
                    images = [(data["image"], data["image_alt"])] if data.get("image") else []
                    idea = services.create_idea(
                        user, organization=org, publish="save_draft" not in request.POST, images=images, **values
                    )
                    messages.success(
                        request, _("Your idea is online.") if idea.status != "draft" else _("Draft saved.")
                    )
                else:
                    services.update_idea(user, idea, **values)
                    messages.success(request, _("Your idea was updated."))
                return redirect(idea.get_absolute_url())
            except ValidationError as error:
                _add_errors(form, error)
                if hasattr(error, "error_dict") and "needs" in error.error_dict:
                    form.add_error(None, error.message_dict["needs"])
    else:
        form = IdeaForm(initial=initial, user=user, with_image=idea is None)
        formset = NeedFormSet(initial=needs_initial, prefix="needs")
    return render(request, "ideas/idea_form.html", {"form": form, "formset": formset, "idea": idea})


@login_required
@throttle("propose")
def create(request):
    return _idea_form_view(request)


@login_required
def edit(request, pk):
    idea = _visible(request, pk)
    if not request.user.has_perm("ideas.change_idea", idea):
        raise PermissionDenied(_("Only the holder can edit this idea."))
    return _idea_form_view(request, idea)


def _run(request, action, success=None):
    """Call a service from a POST form; show its refusal or validation message instead of failing."""
    try:
        result = action()
    except ValidationError as error:
        for msg in error.messages:
            messages.error(request, msg)
        return None
    except PermissionDenied as error:
        messages.error(request, str(error) or _("You are not allowed to do this."))
        return None
    if success:
        messages.success(request, success)
    return result


@login_required
@require_POST
@throttle("vote")
def support(request, pk):
    idea = _visible(request, pk)
    if request.POST.get("action") == "remove":
        _run(request, lambda: services.unsupport(request.user, idea), _("You no longer support this idea."))
    else:
        _run(
            request,
            lambda: services.support(request.user, idea),
            _("Thank you for your support! You will get its news."),
        )
    return redirect(idea.get_absolute_url())


@login_required
@require_POST
@throttle("comment")
def comment(request, pk):
    idea = _visible(request, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        comment = _run(
            request,
            lambda: services.add_comment(
                request.user, idea, form.cleaned_data["body"], parent=form.cleaned_data.get("parent")
            ),
            _("Comment published."),
        )
        if comment is not None:
            return redirect(f"{idea.get_absolute_url()}#commentaire-{comment.pk}")
    elif not request.POST.get("body", "").strip():
        messages.error(request, _("Write a comment first."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect(idea.get_absolute_url() + "#commentaires")


def _own_comment(request, pk):
    comment = get_object_or_404(Comment.objects.select_related("idea"), pk=pk)
    if not request.user.has_perm("ideas.view_idea", comment.idea):
        raise Http404
    return comment


@login_required
def edit_comment(request, pk):
    comment = _own_comment(request, pk)
    if not request.user.has_perm("ideas.change_comment", comment):
        raise PermissionDenied(own_comment_refusal(request.user, comment))
    if request.method == "POST":
        form = CommentEditForm(request.POST)
        if form.is_valid():
            try:
                services.edit_comment(request.user, comment, form.cleaned_data["body"])
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("Your comment was updated."))
                return redirect(f"{comment.idea.get_absolute_url()}#commentaire-{comment.pk}")
    else:
        form = CommentEditForm(initial={"body": comment.body})
    return render(request, "ideas/edit_comment.html", {"form": form, "comment": comment})


@login_required
@require_POST
def delete_comment(request, pk):
    comment = _own_comment(request, pk)
    _run(request, lambda: services.delete_comment(request.user, comment), _("Your comment was deleted."))
    return redirect(f"{comment.idea.get_absolute_url()}#commentaire-{comment.pk}")


@login_required
@require_POST
@throttle("propose")
def news(request, pk):
    idea = _visible(request, pk)
    form = NewsForm(request.POST)
    if form.is_valid():
        _run(
            request,
            lambda: services.post_news(request.user, idea, form.cleaned_data["title"], form.cleaned_data["body"]),
            _("News sent to the supporters."),
        )
    else:
        messages.error(request, _("Give the news a title and a text."))
    return redirect(idea.get_absolute_url() + "#actualites")


@login_required
@require_POST
@throttle("propose")
def add_image(request, pk):
    idea = _visible(request, pk)
    form = ImageForm(request.POST, request.FILES)
    if form.is_valid():
        _run(
            request,
            lambda: services.add_image(request.user, idea, form.cleaned_data["image"], form.cleaned_data["alt"]),
            _("Image added."),
        )
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect(idea.get_absolute_url() + "#images")


@login_required
@require_POST
def remove_image(request, pk, image_id):
    idea = _visible(request, pk)
    image = get_object_or_404(IdeaImage.objects.select_related("idea"), pk=image_id, idea=idea)
    _run(request, lambda: services.remove_image(request.user, image), _("Image removed."))
    return redirect(idea.get_absolute_url() + "#images")


@login_required
@require_POST
def report(request, pk):
    idea = _visible(request, pk)
    _run(
        request,
        lambda: services.report(request.user, idea, request.POST.get("reason", "")),
        _("Thank you, the team will look at your report."),
    )
    return redirect(idea.get_absolute_url())


@login_required
@require_POST
def moderate(request, pk):
    idea = _visible(request, pk)
    hidden = request.POST.get("hidden") == "1"
    _run(request, lambda: services.set_hidden(request.user, idea, hidden, request.POST.get("reason", "")), _("Done."))
    return redirect(idea.get_absolute_url())


@login_required
@require_POST
@throttle("message")
def connect(request, pk):
    idea = _visible(request, pk)
    connection = _run(
        request,
        lambda: services.propose_connection(
            request.user,
            idea,
            partner=request.POST.get("partner"),
            need=request.POST.get("need"),
            message=request.POST.get("message", ""),
        ),
        _("Your proposal was sent."),
    )
    if connection is None:
        from django.http import HttpResponseRedirect

        return HttpResponseRedirect(idea.get_absolute_url())
    return redirect(connection.get_absolute_url())


@login_required
def mission(request, pk, need_id):
    """Hand a volunteers need over to the volunteering app, prefilled (holder only)."""
    idea = _visible(request, pk)
    need = get_object_or_404(Need, pk=need_id, idea=idea, kind=NeedKind.VOLUNTEERS)
    if not request.user.has_perm("ideas.link_mission", idea):
        raise PermissionDenied(_("Only the holder can create a mission from this need."))
    return redirect(services.mission_prefill_url(need))


def partners(request):
    filters = selectors.IdeaFilters.from_params(request.GET)
    qs = selectors.partner_list(filters) if not filters.errors else PartnerProfile.objects.none()
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "ideas/partners.html",
        {
            "page": page,
            "filters": filters,
            "querystring": _querystring(request),
            "themes": selectors.themes(),
            "need_kinds": NeedKind.choices,
            "districts": range(1, 21),
        },
    )


def partner(request, pk):
    profile = get_object_or_404(selectors.partner_list(selectors.IdeaFilters()), pk=pk)
    return render(
        request,
        "ideas/partner.html",
        {"partner": profile, "can_edit": request.user.has_perm("ideas.change_partner", profile)},
    )


def _my_partner(user):
    return (
        PartnerProfile.objects.filter(organization__memberships__user=user)
        .select_related("organization")
        .prefetch_related("offers", "themes", selectors.districts_prefetch())
        .first()
    )


@login_required
@throttle("propose")
def partner_form(request):
    user = request.user
    profile = _my_partner(user)
    if profile is None and not user.has_perm("ideas.add_partner"):
        raise PermissionDenied(_("Only verified members of an organisation can become partners."))
    initial = {}
    if profile is not None:
        initial = {
            "description": profile.description,
            "themes": list(profile.themes.all()),
            "districts": [d.number for d in profile.districts.all()],
            "capacity": profile.capacity,
            **{f"offer_{o.kind}": o.description or o.get_kind_display() for o in profile.offers.all()},
        }
    form = PartnerForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        values = {
            "description": data["description"],
            "themes": [t.slug for t in data["themes"]],
            "districts": data["districts"],
            "capacity": data["capacity"],
            "offers": form.offers(),
        }
        try:
            if profile is None:
                profile = services.create_partner(user, **values)
            else:
                services.update_partner(user, profile, **values)
            messages.success(request, _("Your partner profile is saved."))
            return redirect("ideas:suggestions")
        except ValidationError as error:
            _add_errors(form, error)
            if hasattr(error, "error_dict") and "offers" in error.error_dict:
                form.add_error(None, error.message_dict["offers"])
    return render(request, "ideas/partner_form.html", {"form": form, "profile": profile})


@login_required
def suggestions(request):
    """“Ideas for you”: the ideas the user's partner organisation can help, ranked with reasons."""
    profile = _my_partner(request.user)
    if profile is None:
        return redirect("ideas:partner_form")
    filters = selectors.IdeaFilters.from_params(request.GET)
    qs = selectors.ideas_for_partner(profile, filters) if not filters.errors else Idea.objects.none()
    with selectors.no_jit():
        page = Paginator(qs, 20).get_page(request.GET.get("page"))
        page.object_list = selectors.matches_for_partner(profile, list(page.object_list))
    return render(
        request,
        "ideas/suggestions.html",
        {
            "partner": profile,
            "page": page,
            "filters": filters,
            "querystring": _querystring(request),
            "themes": selectors.themes(),
            "stages": Idea.Stage.choices,
            "need_kinds": NeedKind.choices,
            "districts": range(1, 21),
        },
    )


@login_required
def connections(request):
    return render(request, "ideas/connections.html", {"connections": selectors.connections_of_user(request.user)[:200]})


def _connection(request, pk):
    connection = (
        Connection.objects.select_related("idea__holder", "idea__organization", "need", "partner__organization")
        .filter(pk=pk)
        .first()
    )
    if connection is None or not request.user.has_perm("ideas.view_connection", connection):
        raise Http404
    return connection


@login_required
@throttle("message")
def connection(request, pk):
    conn = _connection(request, pk)
    if request.method == "POST":
        if "status" in request.POST:
            _run(
                request,
                lambda: services.decide_connection(request.user, conn, request.POST["status"]),
                _("Answer recorded."),
            )
        else:
            form = MessageForm(request.POST)
            if form.is_valid():
                _run(request, lambda: services.post_message(request.user, conn, form.cleaned_data["body"]))
            else:
                messages.error(request, _("Write a message first."))
        return redirect(reverse("ideas:connection", args=[conn.pk]) + "#messages")
    conn = _connection(request, pk)
    is_holder_side = request.user.has_perm("ideas.post_news", conn.idea)
    my_side = Connection.Side.HOLDER if is_holder_side else Connection.Side.PARTNER
    return render(
        request,
        "ideas/connection.html",
        {
            "connection": conn,
            "thread": conn.messages.select_related("author"),
            "contacts": selectors.contacts(conn),
            "can_accept": conn.status == Connection.Status.PENDING and my_side != conn.initiated_by,
            "can_decline": conn.status == Connection.Status.PENDING,
            "form": MessageForm(),
        },
    )
