"""Pages of the consultations on the draft: a section open to annotations, and the team's consultations and
workshops."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.forms import whole_number
from serving.rest import Conflict
from serving.throttling import throttle

from . import consultations, workshops
from .models import Annotation, Consultation, Section, Workshop

REPLY_DRAFTS = "strategy:reply-drafts"  # session key: {annotation id: the text of a refused reply}


def _section_url(slug, anchor=""):
    return reverse("strategy:consultation-section", args=[slug]) + (f"#{anchor}" if anchor else "")


def _errors(request, e: ValidationError):
    for errs in e.message_dict.values():
        for err in errs:
            messages.error(request, err)


@throttle("comment")
def consultation_section(request, slug):
    section = Section.objects.filter(slug=slug).select_related("theme__referent", "chapter").first()
    if section is None:
        raise Http404(_("This section does not exist."))
    item = consultations.consultation_item(section)
    errors, posted = {}, {}
    if request.method == "POST":
        posted = request.POST
        try:
            annotation = consultations.annotate(
                section,
                request.user,
                quote=posted.get("quote", ""),
                body=posted.get("body", ""),
                kind=posted.get("kind", "comment"),
                stance=posted.get("stance", "neutral"),
                replacement=posted.get("replacement", ""),
                paragraph=posted.get("paragraph"),
                sentence=posted.get("sentence"),
            )
        except PermissionDenied as e:
            messages.error(request, str(e))
        except ValidationError as e:
            errors = e.message_dict
        else:
            messages.success(request, _("Thank you: your annotation is published and reaches the mission team."))
            return redirect(_section_url(slug, f"annotation-{annotation.pk}"))
    focus = request.GET.get("paragraphe", "")
    focus = whole_number(focus)
    page = request.GET.get("page", "")
    page = min(whole_number(page) or 1, 100_000)  # past the last page: empty; never an OFFSET beyond bigint
    rows = consultations.annotated_paragraphs(section, request.user, paragraph=focus, page=page)
    # A refused reply comes back in its form, open, with the message above it (annotation_reply kept it here).
    drafts = request.session.pop(REPLY_DRAFTS, {}) if hasattr(request, "session") else {}
    for row in rows:
        for annotation in row.annotations:
            annotation.reply_draft = drafts.get(str(annotation.pk), "")
    return render(
        request,
        "strategy/consultation/section.html",
        {
            "section": section,
            "item": item,
            "rows": rows,
            "focus": focus,
            "page": page,
            "has_next": focus is not None
            and any(r.paragraph.index == focus and r.count > page * consultations.PARAGRAPH_PAGE for r in rows),
            "can_annotate": item is not None and request.user.has_perm("strategy.annotate_section"),
            "can_accept": request.user.has_perm("strategy.edit_section", section),
            "errors": errors,
            "posted": posted,
            "error_paragraph": str(posted.get("paragraph", "")) if errors else "",
            "kinds": Annotation.Kind.choices,
            "stances": Annotation.Stance.choices,
        },
        status=400 if errors else 200,
    )


@require_POST
@login_required
@throttle("vote")
def annotation_support(request, pk):
    annotation = get_object_or_404(Annotation.objects.select_related("section"), pk=pk, is_hidden=False)
    try:
        if request.POST.get("action") == "withdraw":
            consultations.unsupport(request.user, annotation)
        else:
            consultations.support(request.user, annotation)
    except PermissionDenied as e:
        messages.error(request, str(e))
    return redirect(_section_url(annotation.section.slug, f"annotation-{pk}"))


@require_POST
@login_required
@throttle("comment")
def annotation_reply(request, pk):
    annotation = get_object_or_404(Annotation.objects.select_related("section"), pk=pk, is_hidden=False)
    body = request.POST.get("body", "")
    try:
        consultations.reply(request.user, annotation, body)
    except (PermissionDenied, ValidationError) as e:
        if isinstance(e, ValidationError):
            _errors(request, e)
        else:
            messages.error(request, str(e))
        if body.strip():  # nothing typed is lost: the form shows it again
            request.session[REPLY_DRAFTS] = {**request.session.get(REPLY_DRAFTS, {}), str(pk): body[:20000]}
    else:
        messages.success(request, _("Your reply is published."))
    return redirect(_section_url(annotation.section.slug, f"annotation-{pk}"))


@require_POST
@login_required
def annotation_accept(request, pk):
    annotation = get_object_or_404(Annotation.objects.select_related("section"), pk=pk)
    try:
        consultations.accept_amendment(request.user, annotation, request.POST.get("revision"))
    except Conflict as e:
        messages.error(request, str(e.detail))
        return redirect(_section_url(annotation.section.slug, f"annotation-{pk}"))
    except ValidationError as e:
        _errors(request, e)
    else:
        messages.success(
            request, _("The amendment is applied to the draft; it will be integrated at the next version.")
        )
    return redirect(_section_url(annotation.section.slug, f"annotation-{pk}"))


def _team(request, perm):
    if not request.user.has_perm(perm):
        raise PermissionDenied(_("Only the mission team can see this page."))


def _parse_moment(value, end=False):
    day = parse_date(value or "") if value else None
    if day is None:
        return None
    moment = datetime.datetime.combine(day, datetime.time.max if end else datetime.time.min)
    return timezone.make_aware(moment)


@login_required
def consultation_list(request):
    _team(request, "strategy.open_consultation")
    errors, posted = {}, {}
    sections = list(Section.objects.select_related("chapter"))
    if request.method == "POST":
        posted = request.POST
        try:
            consultations.open_consultation(
                request.user,
                title=posted.get("title", ""),
                starts_at=_parse_moment(posted.get("starts_at")),
                ends_at=_parse_moment(posted.get("ends_at"), end=True),
                sections=posted.getlist("sections") or None,
                questions={s.slug: posted.get(f"question-{s.slug}", "") for s in sections},
            )
        except ValidationError as e:
            errors = e.message_dict
        else:
            messages.success(request, _("The consultation is open; the followers of its sections are told."))
            return redirect("strategy:consultations")
    return render(
        request,
        "strategy/consultation/list.html",
        {
            "consultations": Consultation.objects.prefetch_related("sections"),
            "sections": sections,
            "errors": errors,
            "posted": posted,
            "chosen": posted.getlist("sections") if posted else [],
            "now": timezone.now(),
        },
        status=400 if errors else 200,
    )


@require_POST
@login_required
def consultation_close(request, pk):
    consultation = get_object_or_404(Consultation, pk=pk)
    consultations.close_consultation(request.user, consultation)
    messages.success(request, _("The consultation is closed."))
    return redirect("strategy:consultations")


@login_required
def workshop_list(request):
    _team(request, "strategy.record_workshop")
    errors, posted = {}, {}
    if request.method == "POST":
        posted = request.POST
        try:
            workshop = workshops.record_workshop(
                request.user,
                title=posted.get("title", ""),
                held_on=parse_date(posted.get("held_on") or "") if posted.get("held_on") else None,
                place=posted.get("place", ""),
                participants=posted.get("participants"),
                organiser=posted.get("organiser", ""),
            )
        except (ValidationError, ValueError) as e:
            errors = e.message_dict if isinstance(e, ValidationError) else {"held_on": [_("Enter a valid date.")]}
        else:
            messages.success(request, _("The workshop is recorded: enter its contributions."))
            return redirect("strategy:workshop", pk=workshop.pk)
    return render(
        request,
        "strategy/consultation/workshops.html",
        {"workshops": Workshop.objects.all(), "errors": errors, "posted": posted},
        status=400 if errors else 200,
    )


@login_required
def workshop_detail(request, pk):
    _team(request, "strategy.record_workshop")
    workshop = get_object_or_404(Workshop, pk=pk)
    line_errors, rows = [], workshops.empty_rows()
    if request.method == "POST":
        try:
            if request.FILES.get("csv"):
                created = workshops.import_csv(request.user, workshop, request.FILES["csv"])
            else:
                rows = workshops.rows_from_form(request.POST)
                created = workshops.add_contributions(request.user, workshop, rows)
        except workshops.RowErrors as e:
            line_errors = e.errors
        else:
            messages.success(
                request,
                ngettext("%(n)s contribution entered.", "%(n)s contributions entered.", len(created))
                % {"n": len(created)},
            )
            return redirect("strategy:workshop", pk=workshop.pk)
    return render(
        request,
        "strategy/consultation/workshop.html",
        {
            "workshop": workshop,
            "contributions": workshop.contributions.select_related("theme"),
            "rows": rows,
            "line_errors": line_errors,
            "themes": workshops.theme_choices(),
        },
        status=400 if line_errors else 200,
    )
