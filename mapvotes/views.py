"""Pages of the map: the map itself, the accessible list, a proposal, the territorial view, the team's desk."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.rules import refusal_reason
from core import contributions, moderation
from core.comments import own_comment_refusal
from core.forms import place_at
from core.models import District, Theme
from serving.throttling import throttle

from . import selectors, services
from .forms import (
    CommentEditForm,
    CommentForm,
    HideForm,
    MapGotoForm,
    MergeForm,
    ProposalEditForm,
    ProposalForm,
    ReportForm,
    StatusForm,
    WithdrawForm,
)
from .models import Comment, Proposal


def _filters(request):
    try:
        return selectors.parse_filters(request.GET), None
    except ValidationError as error:
        return selectors.parse_filters(QueryDict()), "; ".join(error.messages)


def _filter_context(request, filters):
    query = request.GET.copy()
    for own in ("page", "measure", "level"):  # the territorial view adds its own
        query.pop(own, None)
    return {
        "filters": filters,
        "themes": Theme.objects.all(),
        "districts": range(1, 21),
        "statuses": Proposal.Status.choices,
        "periods": [
            ("7d", _("Last 7 days")),
            ("30d", _("Last 30 days")),
            ("90d", _("Last 90 days")),
            ("365d", _("Last year")),
        ],
        "sorts": [("votes", _("Most supported")), ("recent", _("Most recent")), ("debated", _("Most debated"))],
        "querystring": query.urlencode(),
    }


def index(request):
    filters, error = _filters(request)
    context = _filter_context(request, filters)
    # "Aller à une adresse" without JavaScript, or a shared link (?aller=…): the map opens there.
    goto = MapGotoForm(request.GET if request.GET.get("aller") else None)
    there = goto.cleaned_data["aller"] if goto.is_valid() else None
    context.update(
        {
            "filter_error": error,
            "goto": goto,
            "form": ProposalForm(),
            "map_config": {
                "tiles": settings.MAP_TILES_URL,
                "api": "/api/v1/map/proposals/",
                "similar": "/api/v1/map/proposals/similar/",
                "clusterBelow": selectors.CLUSTER_BELOW_ZOOM,
                "center": [there.lat, there.lon] if there else [48.8566, 2.3522],
                "zoom": 17 if there else 12,
                "themes": {t.slug: {"name": t.label, "color": t.color} for t in context["themes"]},
                "canPropose": request.user.has_perm("mapvotes.add_proposal"),
            },
        }
    )
    return render(request, "mapvotes/index.html", context)


def proposal_list(request):
    filters, error = _filters(request)
    qs = selectors.ordered(selectors.filtered(filters), filters).select_related("theme", "district")
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    ids = [p.pk for p in page]
    votes = selectors.my_votes(request.user, ids)
    outcomes = contributions.outcomes("map", ids)
    for proposal in page:
        proposal.my_vote = votes.get(proposal.pk)
        proposal.outcome = outcomes.get(proposal.pk, contributions.Outcome())
    context = _filter_context(request, filters)
    context.update({"page": page, "filter_error": error, "can_vote": request.user.has_perm("mapvotes.vote_proposal")})
    return render(request, "mapvotes/list.html", context)


def proposal_detail(request, pk):
    proposal = selectors.proposal_for_display(pk)
    if proposal is None:
        raise Http404
    team = request.user.has_perm("mapvotes.moderate_proposal")
    threads = selectors.comment_threads(proposal, request.user)
    if request.user.is_authenticated:  # what the reader may do with each comment, asked of rules.py once per comment
        for comment in [c for thread in threads for c in (thread, *thread.thread_replies)]:
            comment.can_edit = request.user.has_perm("mapvotes.change_comment", comment)
            comment.can_delete = request.user.has_perm("mapvotes.delete_comment", comment)
    withdrawn = proposal.status == Proposal.Status.WITHDRAWN
    context = {
        "proposal": proposal,
        "feature": selectors.detail_feature(proposal, request.user),
        "comments": threads,
        "withdrawn": withdrawn,
        "timeline": selectors.timeline(proposal),
        "my_vote": selectors.my_vote(request.user, proposal.pk),
        "outcome": contributions.outcome("map", proposal.pk),
        "can_vote": request.user.has_perm("mapvotes.vote_proposal") and proposal.is_public and not withdrawn,
        "can_comment": request.user.has_perm("mapvotes.comment_proposal") and proposal.is_public,
        "can_edit": request.user.has_perm("mapvotes.change_proposal", proposal),
        "can_withdraw": request.user.has_perm("mapvotes.withdraw_proposal", proposal),
        "refusal": refusal_reason(request.user),
        "is_team": team,
        "comment_form": CommentForm(),
        "report_form": ReportForm(),
        "status_form": StatusForm(initial={"status": proposal.status}),
        "merge_form": MergeForm(),
        "hide_form": HideForm(),
        "map_config": {"tiles": settings.MAP_TILES_URL, "feature": None},
    }
    return render(request, "mapvotes/detail.html", context)


def _back(request, default):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(default)


@login_required
@throttle("propose")
def propose(request):
    if request.method == "POST":
        form = ProposalForm(request.POST, request.FILES)
        if form.is_valid():
            from .api import parse_geometry

            try:
                proposal = services.create_proposal(
                    request.user,
                    title=form.cleaned_data["title"],
                    description=form.cleaned_data["description"],
                    theme=form.cleaned_data["theme"],
                    geometry=parse_geometry(form.geometry_value()),
                    photo=form.cleaned_data.get("photo"),
                )
            except PermissionDenied as error:
                messages.error(request, str(error))
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("Thank you! Your proposal is on the map."))
                return redirect(proposal)
    else:
        form = ProposalForm(initial={"address": place_at(request.GET.get("lon"), request.GET.get("lat"))})
    return render(request, "mapvotes/propose.html", {"form": form, "refusal": refusal_reason(request.user)})


@require_POST
@login_required
@throttle("vote")
def vote(request, pk):
    proposal = get_object_or_404(Proposal.objects.only("pk"), pk=pk)
    value = request.POST.get("value")
    try:
        if value == "withdraw":
            services.withdraw_vote(request.user, proposal.pk)
            messages.success(request, _("Your vote was withdrawn."))
        else:
            services.cast_vote(request.user, proposal.pk, value)
            messages.success(request, _("Your vote was recorded."))
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    return _back(request, proposal)


@require_POST
@login_required
@throttle("comment")
def comment(request, pk):
    proposal = get_object_or_404(Proposal.objects.only("pk"), pk=pk)
    form = CommentForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors.get_json_data())
        comment = services.add_comment(
            request.user,
            proposal.pk,
            form.cleaned_data["body"],
            form.cleaned_data["stance"],
            parent=form.cleaned_data.get("parent"),
        )
        messages.success(request, _("Your comment was published."))
        return redirect(f"{proposal.get_absolute_url()}#commentaire-{comment.pk}")
    except ValidationError as error:
        messages.error(request, _("Your comment could not be published: %(reason)s") % {"reason": _messages(error)})
    except PermissionDenied as error:
        messages.error(request, str(error))
    return redirect(f"{proposal.get_absolute_url()}#commentaires")


# --- own content ----------------------------------------------------------------------------------------


def _form_errors(form, error):
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@login_required
def edit_proposal(request, pk):
    proposal = get_object_or_404(Proposal.objects.select_related("theme"), pk=pk)
    if not request.user.has_perm("mapvotes.change_proposal", proposal):
        raise PermissionDenied(services.own_proposal_refusal(request.user, proposal))
    if request.method == "POST":
        form = ProposalEditForm(request.POST)
        if form.is_valid():
            try:
                services.edit_proposal(
                    request.user,
                    proposal,
                    title=form.cleaned_data["title"],
                    description=form.cleaned_data["description"],
                    theme=form.cleaned_data["theme"],
                )
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(request, _("Your proposal was updated; its previous version stays in its history."))
                return redirect(proposal)
    else:
        form = ProposalEditForm(
            initial={"title": proposal.title, "description": proposal.description, "theme": proposal.theme}
        )
    return render(request, "mapvotes/edit.html", {"form": form, "proposal": proposal})


@login_required
def withdraw_proposal(request, pk):
    proposal = get_object_or_404(Proposal, pk=pk)
    if not request.user.has_perm("mapvotes.withdraw_proposal", proposal):
        raise PermissionDenied(services.own_proposal_refusal(request.user, proposal))
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw_proposal(request.user, proposal, form.cleaned_data["reason"])
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Your proposal was withdrawn; its votes are frozen."))
            return redirect(proposal)
    return render(request, "mapvotes/withdraw.html", {"form": form, "proposal": proposal})


@login_required
def edit_comment(request, pk):
    comment = get_object_or_404(Comment.objects.select_related("proposal"), pk=pk)
    if not request.user.has_perm("mapvotes.change_comment", comment):
        raise PermissionDenied(own_comment_refusal(request.user, comment))
    if request.method == "POST":
        form = CommentEditForm(request.POST)
        if form.is_valid():
            try:
                services.edit_comment(request.user, comment, form.cleaned_data["body"])
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(request, _("Your comment was updated."))
                return redirect(f"{comment.proposal.get_absolute_url()}#commentaire-{comment.pk}")
    else:
        form = CommentEditForm(initial={"body": comment.body})
    return render(request, "mapvotes/edit_comment.html", {"form": form, "comment": comment})


@require_POST
@login_required
def delete_comment(request, pk):
    comment = get_object_or_404(Comment.objects.select_related("proposal"), pk=pk)
    try:
        services.delete_comment(request.user, comment)
        messages.success(request, _("Your comment was deleted."))
    except PermissionDenied as error:
        messages.error(request, str(error))
    return redirect(f"{comment.proposal.get_absolute_url()}#commentaire-{comment.pk}")


def _messages(error):
    if hasattr(error, "error_dict"):
        return " ".join(m for msgs in error.message_dict.values() for m in msgs)
    return " ".join(str(m) for m in error.messages)


@require_POST
@login_required
def report(request, pk, kind="proposal"):
    model = Proposal if kind == "proposal" else Comment
    target = get_object_or_404(model, pk=pk)
    proposal = target if kind == "proposal" else target.proposal
    try:
        services.report(request.user, target, request.POST.get("reason", ""))
        messages.success(request, _("Thank you: the team will look at your report."))
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _messages(error) if isinstance(error, ValidationError) else str(error))
    return redirect(proposal)


# --- the team -----------------------------------------------------------------------------------------


def _team_only(request):
    if not request.user.has_perm("mapvotes.moderate_proposal"):
        raise PermissionDenied(_("Only the Participe team can do this."))


@require_POST
@login_required
def team_action(request, pk, action):
    _team_only(request)
    if action.startswith("comment-"):
        target = get_object_or_404(Comment, pk=pk)
        proposal = target.proposal
    else:
        target = proposal = get_object_or_404(Proposal, pk=pk)
    try:
        if action == "status":
            services.change_status(
                request.user, proposal, request.POST.get("status", ""), request.POST.get("reason", "")
            )
        elif action == "merge":
            try:
                kept = Proposal.objects.get(pk=int(request.POST.get("into", "")))
            except (ValueError, Proposal.DoesNotExist):
                raise ValidationError({"into": [_("This proposal does not exist.")]}) from None
            services.merge_proposals(request.user, proposal, kept, request.POST.get("reason", ""))
        elif action in ("hide", "restore", "comment-hide", "comment-restore"):
            services.set_hidden(request.user, target, action.endswith("hide"), request.POST.get("reason", ""))
        else:
            raise Http404
        messages.success(request, _("Done."))
    except ValidationError as error:
        messages.error(request, _messages(error))
    return _back(request, proposal)


@login_required
def moderation_desk(request):
    _team_only(request)
    reports = list(moderation.open_reports(Proposal)[:100]) + list(moderation.open_reports(Comment)[:100])
    proposals = {
        p.pk: p
        for p in Proposal.objects.filter(pk__in=[r.object_id for r in reports if r.content_type.model == "proposal"])
    }
    comments = {
        c.pk: c
        for c in Comment.objects.select_related("proposal").filter(
            pk__in=[r.object_id for r in reports if r.content_type.model == "comment"]
        )
    }
    for r in reports:
        r.item = proposals.get(r.object_id) if r.content_type.model == "proposal" else comments.get(r.object_id)
    context = {
        "reports": [r for r in reports if r.item is not None],
        "hidden": Proposal.objects.filter(is_hidden=True).select_related("theme")[:100],
        "hide_form": HideForm(),
    }
    return render(request, "mapvotes/moderation.html", context)


# --- territorial view ---------------------------------------------------------------------------------

MEASURES = {
    "count": _("Number of proposals"),
    "votes": _("Number of votes"),
    "share_for": _("Share of votes “for”"),
    "polarisation": _("Polarisation (many votes on both sides)"),
}
PALETTE = ["#f1eef6", "#d0d1e6", "#a6bddb", "#74a9cf", "#2b8cbe", "#045a8d"]


def _area_paths(level):
    table = "core_quartier" if level == "quartier" else "core_district"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT number, ST_AsSVG(ST_SimplifyPreserveTopology(geometry, 0.0002), 0, 5) FROM {table} ORDER BY number"  # noqa: S608 - fixed table names
        )
        return dict(cursor.fetchall())


def territory(request):
    filters, error = _filters(request)
    measure = request.GET.get("measure") if request.GET.get("measure") in MEASURES else "count"
    level = request.GET.get("level") if request.GET.get("level") in selectors.TERRITORY_LEVELS else "district"
    rows = selectors.territory(filters, level=level)
    values = [r[measure] for r in rows if r[measure] is not None]
    top = max(values) if values else 0
    bins = []
    steps = len(PALETTE) - 1
    for i in range(steps):
        low = top * i / steps
        high = top * (i + 1) / steps
        bins.append({"color": PALETTE[i + 1], "low": low, "high": high})
    paths = _area_paths(level)
    for row in rows:
        value = row[measure]
        if value is None or top == 0:
            row["color"] = PALETTE[0]
        else:
            row["color"] = PALETTE[min(steps, 1 + int(value / top * steps * 0.9999))]
        row["path"] = paths.get(row["number"], "")
        row["value"] = value
    extent = District.objects.all()
    context = _filter_context(request, filters)
    box = _svg_box(extent)
    context.update(
        {
            "rows": rows,
            "measure": measure,
            "measures": MEASURES.items(),
            "measure_label": MEASURES[measure],
            "level": level,
            "bins": bins,
            "percent": measure in ("share_for", "polarisation"),
            "viewbox": box,
            "x_scale": SVG_X_SCALE,
            "filter_error": error,
        }
    )
    return render(request, "mapvotes/territory.html", context)


def _svg_box(districts):
    from django.contrib.gis.db.models import Extent

    extent = districts.aggregate(e=Extent("geometry"))["e"] or (2.22, 48.81, 2.47, 48.91)
    w, s, e, n = extent
    k = SVG_X_SCALE
    return f"{w * k:.4f} {-n:.4f} {(e - w) * k:.4f} {n - s:.4f}"


SVG_X_SCALE = 0.658  # cos(48.86°): a degree of longitude is shorter than a degree of latitude in Paris
