"""Strategy pages: the public document (versions, history, diff, feed, exports) and the team's workspace."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.syndication.views import Feed
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.forms import whole_number
from core.models import District, Theme
from serving.rest import Conflict
from serving.throttling import throttle

from . import consultations, selectors, services
from .charts import bar_chart, choropleth, month_chart
from .consultations import credited_amendments
from .contributions import outcome_of
from .forms import CommentForm, OfflineContributionForm, PublishForm, SectionEditForm, TriageForm
from .models import Contribution, Section, Version


def _team_only(request, perm="strategy.view_inbox"):
    if not request.user.has_perm(perm):
        raise PermissionDenied(_("Only the mission team can see this page."))


def _version_context(version):
    sections = selectors.version_sections(version)
    return {
        "version": version,
        "chapters": selectors.chapters_of(sections),
        "credits": credited_amendments(version, sections),
        "latest": selectors.current_version(),
        "versions": Version.objects.order_by("-number").only("number", "published_at"),
    }


def index(request):
    version = selectors.current_version()
    if version is None:
        return render(request, "strategy/empty.html")
    # Readers of the strategy learn here that its draft is open to annotations (the home page is not the only way in).
    under_consultation = list(consultations.sections_under_consultation())
    return render(
        request,
        "strategy/version.html",
        {**_version_context(version), "is_current": True, "under_consultation": under_consultation},
    )


def version_detail(request, number):
    version = get_object_or_404(Version.objects.select_related("published_by"), number=number)
    context = _version_context(version)
    context["is_current"] = context["latest"] and context["latest"].pk == version.pk
    return render(request, "strategy/version.html", context)


def version_list(request):
    versions = list(Version.objects.order_by("-number"))
    return render(request, "strategy/versions.html", {"versions": versions})


def diff(request):
    versions = list(Version.objects.order_by("-number").only("number"))
    if not versions:
        raise Http404(_("No version has been published yet."))
    default_to = versions[0].number
    default_from = versions[1].number if len(versions) > 1 else default_to
    try:
        old, new, sections = selectors.diff_versions(
            request.GET.get("from", default_from), request.GET.get("to", default_to)
        )
    except ValidationError as e:
        return render(request, "strategy/diff.html", {"versions": versions, "errors": e.message_dict}, status=400)
    return render(
        request,
        "strategy/diff.html",
        {
            "versions": versions,
            "old": old,
            "new": new,
            "sections": sections,
            "changed": [s for s in sections if s.state != "unchanged"],
        },
    )


@throttle("comment")
def section_history(request, slug):
    history = list(selectors.section_history(slug))
    draft = Section.objects.filter(slug=slug).select_related("theme__referent", "chapter").first()
    if not history and draft is None:
        raise Http404(_("This section does not exist."))
    form = CommentForm()
    if request.method == "POST":
        if draft is None:
            raise Http404(_("This section can no longer be commented on."))
        form = CommentForm(request.POST)
        if form.is_valid():
            try:
                services.add_comment(draft, request.user, form.cleaned_data["body"], form.cleaned_data["quote"])
            except PermissionDenied as e:
                messages.error(request, str(e))
            except ValidationError as e:
                for field, errs in e.message_dict.items():
                    for err in errs:
                        form.add_error(field if field in form.fields else None, err)
            else:
                messages.success(request, _("Thank you: your comment is published and reaches the mission team."))
                return redirect(reverse("strategy:section-history", args=[slug]) + "#commentaires")
    return render(
        request,
        "strategy/section_history.html",
        {
            "slug": slug,
            "draft": draft,
            "history": history,
            "title": history[0].title if history else draft.title,
            "contributions": selectors.section_contributions(slug),
            "comments": selectors.visible_comments(slug),
            "form": form,
            "can_comment": request.user.has_perm("strategy.comment_section"),
            "can_edit": draft is not None and request.user.has_perm("strategy.edit_section", draft),
        },
        status=400 if form.errors else 200,
    )


def contribution_detail(request, pk):
    """Public page of an inbox entry: what became of it (status, version and sections that used it)."""
    qs = Contribution.objects.select_related("theme", "district", "duplicate_of")
    contribution = get_object_or_404(qs, pk=pk)
    is_team = request.user.has_perm("strategy.view_inbox")
    if not contribution.is_public and not is_team:
        raise Http404
    links = list(contribution.links.select_related("section", "version").order_by("linked_at"))
    previous, diffs = selectors.integration_diffs(contribution)
    context = {
        "c": contribution,
        "links": links,
        "outcome": outcome_of(contribution),
        "is_team": is_team,
        "previous": previous,
        "diffs": diffs,
    }
    if is_team:
        context["triage_form"] = TriageForm(
            initial={
                "status": contribution.status,
                "sections": [link.section.slug for link in links if not link.version_id],
                "public_reason": contribution.public_reason,
                "duplicate_of": contribution.duplicate_of_id,
            }
        )
    return render(request, "strategy/contribution.html", context)


@login_required
@require_POST
def contribution_triage(request, pk):
    _team_only(request, "strategy.triage_contribution")
    contribution = get_object_or_404(Contribution, pk=pk)
    form = TriageForm(request.POST)
    if form.is_valid():
        try:
            services.triage(contribution, request.user, **form.service_kwargs())
        except ValidationError as e:
            for field, errs in e.message_dict.items():
                for err in errs:
                    form.add_error(field if field in form.fields else None, err)
        else:
            messages.success(request, _("Contribution updated."))
            return redirect("strategy:contribution", pk=pk)
    links = list(contribution.links.select_related("section", "version"))
    return render(
        request,
        "strategy/contribution.html",
        {"c": contribution, "links": links, "integrated": [], "is_team": True, "triage_form": form},
        status=400,
    )


# --- Exports and feed ---------------------------------------------------------------------------------------------


def _export_context(version):
    sections = selectors.version_sections(version)
    return {
        "version": version,
        "chapters": selectors.chapters_of(sections),
        "credits": credited_amendments(version, sections),
    }


def export_markdown(request, number):
    version = get_object_or_404(Version, number=number)
    text = render_to_string("strategy/export.md", _export_context(version), request=request)
    response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="strategie-paris-v{version.number}.md"'
    return response


def export_pdf(request, number):
    from weasyprint import HTML

    version = get_object_or_404(Version, number=number)
    html = render_to_string("strategy/export_pdf.html", _export_context(version), request=request)
    # Tagged PDF/UA-1: structure, language (html lang), title (shown instead of the file name) and bookmarks.
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf(pdf_variant="pdf/ua-1")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="strategie-paris-v{version.number}.pdf"'
    return response


class VersionFeed(Feed):
    feed_type = Atom1Feed
    link = "/strategie/"

    def title(self):
        return _("Paris intelligente et durable — versions of the strategy")

    def subtitle(self):
        return _("Each published version of the City of Paris' living strategy, with its summary of changes.")

    def items(self):
        return Version.objects.order_by("-number")[:30]

    def item_title(self, item):
        return _("Version %(number)s") % {"number": item.number}

    def item_description(self, item):
        return escape(item.summary)  # the feed says type="html": the summary is text, never markup

    def item_link(self, item):
        return item.get_absolute_url()

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.published_at


# --- Team workspace -----------------------------------------------------------------------------------------------


@login_required
def inbox(request):
    _team_only(request)
    params = request.GET
    try:
        filters = selectors.parse_filters(params, request.user)
        errors = {}
    except ValidationError as e:
        filters, errors = selectors.InboxFilters(), e.message_dict
    page = Paginator(selectors.with_sections(selectors.inbox(filters, request.user)), 25).get_page(params.get("page"))
    querystring = urlencode({k: v for k, v in params.items() if k != "page" and v})
    return render(
        request,
        "strategy/inbox.html",
        {
            "page": page,
            "filters": filters,
            "errors": errors,
            "querystring": querystring,
            "themes": Theme.objects.all(),
            "districts": District.objects.only("number", "name"),
            "sources": Contribution.Sources.choices,
            "statuses": Contribution.Status.choices,
            "sections": Section.objects.only("slug", "title"),
            "sorts": [
                ("recent", _("Most recent")),
                ("oldest", _("Oldest")),
                ("support", _("Most supported")),
                ("relevance", _("Relevance (with a search)")),
            ],
        },
        status=400 if errors else 200,
    )


@login_required
@require_POST
def inbox_bulk(request):
    _team_only(request, "strategy.triage_contribution")
    ids = request.POST.getlist("ids")
    action = request.POST.get("status") or None
    sections = [s for s in request.POST.getlist("sections") if s] or None
    try:
        n = services.bulk_triage(
            ids, request.user, status=action, sections=sections, public_reason=request.POST.get("public_reason") or None
        )
    except ValidationError as e:
        for errs in e.message_dict.values():
            for err in errs:
                messages.error(request, err)
    else:
        messages.success(request, ngettext("%(n)s contribution updated.", "%(n)s contributions updated.", n) % {"n": n})
    back = request.POST.get("next", "")
    return redirect(reverse("strategy:inbox") + (f"?{back}" if back and not back.startswith(("/", "http")) else ""))


@login_required
def similar(request):
    _team_only(request)
    if request.method == "POST":
        _team_only(request, "strategy.triage_contribution")
        ids = [n for i in request.POST.getlist("ids") if (n := whole_number(i)) is not None]
        primary = Contribution.objects.filter(pk=whole_number(request.POST.get("primary")) or 0).first()
        if primary is None:
            messages.error(request, _("Choose the contribution to keep."))
        else:
            try:
                n = services.merge(primary, Contribution.objects.filter(pk__in=ids), request.user)
                messages.success(
                    request, ngettext("%(n)s contribution merged.", "%(n)s contributions merged.", n) % {"n": n}
                )
            except ValidationError as e:
                for errs in e.message_dict.values():
                    for err in errs:
                        messages.error(request, err)
        return redirect("strategy:similar")
    return render(request, "strategy/similar.html", {"groups": selectors.similar_groups()})


@login_required
def offline_new(request):
    _team_only(request, "strategy.add_offline_contribution")
    form = OfflineContributionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            c = services.add_offline_contribution(request.user, **form.cleaned_data)
        except ValidationError as e:
            for field, errs in e.message_dict.items():
                for err in errs:
                    form.add_error(field if field in form.fields else None, err)
        else:
            messages.success(request, _("The offline contribution is in the inbox."))
            return redirect("strategy:contribution", pk=c.pk)
    return render(request, "strategy/offline_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def section_edit(request, slug):
    _team_only(request, "strategy.edit_section")
    section = get_object_or_404(selectors.draft_sections(), slug=slug)
    services.check_can_edit_section(request.user, section)
    conflict = None
    if request.method == "POST":
        form = SectionEditForm(request.POST)
        if form.is_valid():
            try:
                services.edit_section(
                    section,
                    request.user,
                    form.cleaned_data["body"],
                    form.cleaned_data["revision"],
                    title=form.cleaned_data["title"],
                )
            except Conflict as e:
                conflict = str(e.detail)
                section.refresh_from_db()
            except ValidationError as e:
                for field, errs in e.message_dict.items():
                    for err in errs:
                        form.add_error(field if field in form.fields else None, err)
            else:
                messages.success(request, _("Section saved (revision %(n)s).") % {"n": section.revision})
                return redirect("strategy:section-edit", slug=slug)
    else:
        form = SectionEditForm(initial={"title": section.title, "body": section.body, "revision": section.revision})
    return render(
        request,
        "strategy/section_edit.html",
        {
            "section": section,
            "form": form,
            "conflict": conflict,
            "pending": section.links.filter(version__isnull=True).select_related("contribution"),
        },
        status=409 if conflict else (400 if form.errors else 200),
    )


@login_required
def draft(request):
    _team_only(request, "strategy.edit_section")
    latest = selectors.current_version()
    changed, integrated, unchanged = selectors.publication_preview(latest)
    form = PublishForm(request.POST or None, unchanged=unchanged)
    if request.method == "POST":
        _team_only(request, "strategy.publish_version")
        if form.is_valid():
            try:
                version = services.publish_version(
                    request.user, form.cleaned_data["summary"], confirm=form.cleaned_data["confirm"]
                )
            except ValidationError as e:
                for field, errs in e.message_dict.items():
                    for err in errs:
                        form.add_error(field if field in form.fields else None, err)
            else:
                messages.success(request, _("Version %(n)s is published.") % {"n": version.number})
                return redirect(version.get_absolute_url())
    ticked = {str(v) for v in (form["confirm"].value() or [])}
    return render(
        request,
        "strategy/draft.html",
        {
            "sections": selectors.draft_sections(),
            "latest": latest,
            "form": form,
            "changed": changed,
            "to_integrate": integrated,
            "unchanged": unchanged,
            "ticked": ticked,
        },
        status=400 if form.errors else 200,
    )


def dashboard(request):
    figures = selectors.dashboard_figures()
    is_team = request.user.has_perm("strategy.view_team_dashboard")
    district_counts = {number: n for number, _name, n in figures["by_district"]}
    return render(
        request,
        "strategy/dashboard.html",
        {
            "figures": figures,
            "is_team": is_team,
            "source_chart": bar_chart(figures["by_source"], _("Contributions by source")),
            "theme_chart": bar_chart(figures["by_theme"], _("Contributions by theme")),
            "status_chart": bar_chart(figures["by_status"], _("Contributions by status")),
            "district_chart": bar_chart(
                [(str(n), name, v) for n, name, v in figures["by_district"]], _("Contributions by arrondissement")
            ),
            "month_chart": month_chart(figures["by_month"], _("Contributions per month and source")),
            "map": choropleth(
                selectors.district_shapes(),
                selectors.district_viewbox(),
                district_counts,
                _("Contributions per arrondissement (map)"),
            ),
            "assigned": (
                Contribution.objects.filter(assigned_to=request.user, status__in=["new", "reviewing"]).count()
                if is_team
                else None
            ),
        },
    )
