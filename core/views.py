from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseNotModified, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import http_date, url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from django.views.static import was_modified_since

from . import follows
from .forms import NotificationSettingsForm
from .models import AuditLog
from .moderation import action_label


@login_required
def notifications(request):
    page = Paginator(request.user.notifications.all(), 30).get_page(request.GET.get("page"))
    return render(request, "core/notifications.html", {"page": page})


@login_required
@require_POST
def notifications_read(request):
    request.user.notifications.filter(read_at__isnull=True).update(read_at=timezone.now())
    return render(
        request, "core/notifications.html", {"page": Paginator(request.user.notifications.all(), 30).get_page(1)}
    )


@login_required
def notification_settings(request):
    form = NotificationSettingsForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your notification settings have been saved."))
        return redirect("notification-settings")
    return render(request, "core/notification_settings.html", {"form": form})


@login_required
@require_POST
def follow(request, kind, pk):
    """The follow button of the proposal, idea, mission and section pages (a form: works without JavaScript)."""
    target = follows.followable(kind, pk)
    if target is None:
        raise Http404
    if request.POST.get("action") == "unfollow":
        follows.unfollow(request.user, target)
        messages.success(request, _("You no longer follow this page."))
    else:
        follows.follow(request.user, target)
        messages.success(request, _("You follow this page: you will be told what happens to it."))
    return redirect(target.get_absolute_url())


@login_required
def audit_log(request):
    if not request.user.has_perm("core.view_auditlog"):
        raise PermissionDenied(_("Only the mission team can read the audit log."))
    qs = AuditLog.objects.select_related("actor", "content_type")
    if action := request.GET.get("action"):
        qs = qs.filter(action=action)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    for entry in page:
        entry.label = action_label(entry.action)
    querystring = urlencode({"action": action}) if action else ""
    return render(request, "core/audit_log.html", {"page": page, "action": action, "querystring": querystring})


def _wants_json(request):
    return request.path.startswith("/api/")


def error_404(request, exception=None):
    if _wants_json(request):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return render(request, "404.html", status=404)


def error_403(request, exception=None):
    message = str(exception) if exception and str(exception) else _("You are not allowed to see this page.")
    if _wants_json(request):
        return JsonResponse({"detail": message}, status=403)
    return render(request, "403.html", {"message": message}, status=403)


def csrf_failure(request, reason=""):
    """A write refused for its missing or stale CSRF token: say it in French and show what was typed, to copy.
    No button sends it again: that button, on a page a foreign site can post to, would be the forgery it prevents."""
    from serving.authentication import CSRF_REFUSAL

    if _wants_json(request):
        return JsonResponse({"detail": str(CSRF_REFUSAL)}, status=403)
    typed = [
        value
        for name, values in request.POST.lists()
        for value in values
        if name not in ("csrfmiddlewaretoken", "next") and (" " in value.strip() or len(value) > 40)
    ]
    back = request.META.get("HTTP_REFERER", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, require_https=request.is_secure()):
        back = ""  # a link back to our own form only, never to the site that sent the forgery
    return render(request, "403_csrf.html", {"message": CSRF_REFUSAL, "typed": typed, "back": back}, status=403)


def error_400(request, exception=None):
    if _wants_json(request):
        return JsonResponse({"detail": _("Bad request.")}, status=400)
    return render(request, "400.html", status=400)


def error_500(request):
    if _wants_json(request):
        return JsonResponse({"detail": _("An unexpected error occurred; the team has been told.")}, status=500)
    return render(request, "500.html", status=500)


# Uploaded files anyone may see (map proposal photos, re-encoded without EXIF) live under MEDIA_ROOT/public/; private
# files (CVs) live under MEDIA_ROOT/private/ and are only served by permission-checking views.
PUBLIC_IMAGE_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".gif": "image/gif",
}
PUBLIC_MEDIA_MAX_AGE = 30 * 24 * 3600


@require_safe
def public_media(request, path):
    """Serve a file under MEDIA_ROOT/public/ (never outside it): images inline, anything else as a download."""
    root = (Path(settings.MEDIA_ROOT) / "public").resolve()
    if any(part.startswith(".") for part in Path(path).parts):  # "..", and hidden files
        raise Http404
    try:
        target = (root / path).resolve(strict=True)  # follows symbolic links, which must stay inside too
    except (OSError, RuntimeError, ValueError):  # missing, a loop, a NUL byte
        raise Http404 from None
    if not target.is_relative_to(root) or not target.is_file():
        raise Http404
    stat = target.stat()
    if not was_modified_since(request.headers.get("If-Modified-Since"), stat.st_mtime):
        return HttpResponseNotModified()
    content_type = PUBLIC_IMAGE_TYPES.get(target.suffix.lower())
    response = FileResponse(
        target.open("rb"),
        content_type=content_type or "application/octet-stream",
        as_attachment=content_type is None,  # "inline" for images only
        filename=target.name,
    )
    response["Last-Modified"] = http_date(stat.st_mtime)
    response["Cache-Control"] = f"public, max-age={PUBLIC_MEDIA_MAX_AGE}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response
