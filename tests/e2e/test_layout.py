"""Every page of the URLconf, in every role that can see it, fits the screen at 360 px and at 1,366 px, and on a phone
its main content (the map, the first result, or <main>'s first element) starts within the first screen.

Pages are enumerated from the URLconf, not from a hand list: a new page is checked as soon as it exists, and a new
page with arguments fails here until _objects() says which object to show. The demo content (`load_demo`) provides
the objects: every space, with applications, connections, versions and contributions."""

import io

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.e2e.helpers import login

pytestmark = [pytest.mark.e2e]

PHONE = {"viewport": {"width": 360, "height": 740}}
DESKTOP = {"viewport": {"width": 1366, "height": 768}}
DEMO_PASSWORD = "participe-demo-2026"
ROLES = {
    "anonymous": None,
    "resident": "habitante@participe.demo",
    "association member": "association@participe.demo",
    "partner company": "entreprise@participe.demo",
    "team": "equipe@participe.demo",
    # internships: a direction's correspondent (its offers, applications and figures), the internship office
    "internship correspondent": "correspondant-stages@participe.demo",
    "internship office": "bureau-des-stages@participe.demo",
}
# Not pages of ours: the API (JSON, its docs are Swagger's), Django's admin, the language switch (POST only).
SKIPPED_PREFIXES = ("api/", "admin/", "i18n/")
# What the top of a page must show on a phone, most specific first: the map, the first result, else the first
# element of <main> (pages mark their main content with data-main-content).
MAIN_CONTENT = ["[data-main-content]", "main > :not(script, style, template, .visually-hidden)"]


def _objects():
    """URL arguments for each parametrised page, taken from the demo content."""
    from accounts.models import Organization
    from ideas.models import Connection, Idea, IdeaImage, PartnerProfile
    from mapvotes.models import Comment, Proposal
    from strategy.models import Contribution, Section, Version
    from volunteering.models import Application, Mission

    org = Organization.objects.get(name="Les Jardins Partagés du 11e")
    proposal = Proposal.objects.filter(is_hidden=False).order_by("pk").first()
    mission = Mission.objects.filter(organization=org).order_by("pk").first()
    idea = Idea.objects.filter(organization=org).order_by("pk").first() or Idea.objects.order_by("pk").first()
    image = IdeaImage.objects.order_by("pk").first()
    need = idea.needs.order_by("pk").first()
    connection = Connection.objects.order_by("pk").first()
    application = Application.objects.filter(organization=org).order_by("pk").first()
    contribution = Contribution.objects.order_by("pk").first()
    from budget.models import Campaign, Project

    campaign = Campaign.objects.order_by("-year").first()
    published = Campaign.objects.filter(results_published=True).order_by("-year").first()
    year = {"year": campaign.year} if campaign else None
    project = Project.objects.order_by("pk").first()
    return {
        "strategy:consultation-section": {"slug": Section.objects.order_by("pk").first().slug},
        **{f"budget:{name}": year for name in ("campaign", "ballot", "submit", "team", "paper")},
        # the results of a campaign that has them: their tables must fit a phone
        "budget:results": {"year": published.year} if published else year,
        "budget:project": {"pk": project.pk} if project else None,
        "budget:project_team": None,  # POST actions of the project page's team forms
        "mapvotes:detail": {"pk": proposal.pk},
        "mapvotes:vote": {"pk": proposal.pk},
        "mapvotes:comment": {"pk": proposal.pk},
        "mapvotes:report": {"pk": proposal.pk},
        "mapvotes:report-comment": {"pk": getattr(Comment.objects.order_by("pk").first(), "pk", 1)},
        "mapvotes:team-action": {"pk": proposal.pk, "action": "hide"},
        "volunteering:mission": {"pk": mission.pk},
        "volunteering:mission_edit": {"pk": mission.pk},
        "volunteering:mission_csv": {"pk": mission.pk},
        "volunteering:application_cv": {"pk": application.pk},
        "volunteering:application_withdraw": {"pk": application.pk},
        "volunteering:dashboard": {"slug": org.slug},
        "volunteering:dashboard_update": {"slug": org.slug},
        **{
            f"ideas:{name}": {"pk": idea.pk}
            for name in ("detail", "edit", "support", "comment", "news", "add_image", "report", "moderate", "connect")
        },
        "ideas:remove_image": {"pk": image.idea_id if image else idea.pk, "image_id": image.pk if image else 1},
        "ideas:mission": {"pk": idea.pk, "need_id": need.pk},
        "ideas:partner": {"pk": PartnerProfile.objects.order_by("pk").first().pk},
        "ideas:connection": {"pk": connection.pk},
        "strategy:version": {"number": Version.objects.order_by("-number").first().number},
        "strategy:export-md": {"number": 1},
        "strategy:export-pdf": {"number": 1},
        "strategy:section-history": {"slug": Section.objects.order_by("pk").first().slug},
        "strategy:section-edit": {"slug": Section.objects.order_by("pk").first().slug},
        "strategy:contribution": {"pk": contribution.pk},
        "strategy:contribution-triage": {"pk": contribution.pk},
        # the trust pages' editor and history (team), on the longest page
        "pages:edit": {"slug": "confidentialite"},
        "pages:history": {"slug": "confidentialite"},
        # allauth's pages behind e-mailed keys: a wrong key still renders a page ("this link is invalid")
        "account_confirm_email": {"key": "cle-invalide"},
        "account_reset_password_from_key": {"uidb36": "0", "key": "cle-invalide"},
        "public-media": None,  # pictures, not pages
        "volunteering:application": {"pk": application.pk},
        # author-only forms and POST actions (the author's pages share the proposal page's layout), files
        **dict.fromkeys(
            (
                "follow",
                "mapvotes:edit",
                "mapvotes:withdraw",
                "mapvotes:edit-comment",
                "mapvotes:delete-comment",
                "ideas:edit-comment",  # at 390 px in test_comment_threads
                "ideas:delete-comment",
                "volunteering:mission_calendar",
                "volunteering:application_attestation",
                "volunteering:delete_saved_search",  # a POST action
                # POST actions and a team form on a recorded workshop (tests/strategy, test_strategy_annotations)
                "strategy:annotation-support",
                "strategy:annotation-reply",
                "strategy:annotation-accept",
                "strategy:consultation-close",
                "strategy:workshop",
            )
        ),
    }


def _patterns(patterns=None, prefix="", namespace=None):
    """(route, qualified name, takes arguments) for every named URL pattern."""
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}:{p.namespace}" if namespace and p.namespace else (p.namespace or namespace)
            yield from _patterns(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern) and p.name:
            name = f"{namespace}:{p.name}" if namespace else p.name
            yield prefix + str(p.pattern), name, bool(p.pattern.regex.groupindex)


def page_urls():
    """Every URL of the URLconf that may be a page, with the objects to show; fails on a page nobody can fill."""
    objects = _objects()
    urls, missing = [], []
    for route, name, takes_arguments in _patterns():
        if route.startswith(SKIPPED_PREFIXES):
            continue
        if not takes_arguments:
            urls.append(reverse(name))
        elif name not in objects:
            missing.append(f"{name} ({route})")
        elif objects[name] is not None:
            urls.append(reverse(name, kwargs=objects[name]))
    assert not missing, "pages with arguments and no object in test_layout._objects(): " + ", ".join(missing)
    return urls + internship_urls()


def internship_urls():
    """The pages above show a volunteering mission and application: the same pages for an internship of the demo,
    with the internship search filtered, and a direction's own figures."""
    from accounts.models import Organization
    from volunteering.models import Application, Mission

    direction = Organization.objects.get(name="Direction des espaces verts et de l'environnement")
    offer = Mission.objects.filter(organization=direction, kind="internship").order_by("pk").first()
    application = Application.objects.filter(mission=offer).order_by("pk").first()
    spontaneous = Application.objects.filter(organization=direction, kind="internship", mission=None).first()
    return [
        reverse("volunteering:internships") + "?level=cap_bac&paid=true&near=République",
        reverse("volunteering:mission", args=[offer.pk]),
        reverse("volunteering:mission_edit", args=[offer.pk]),
        reverse("volunteering:application", args=[application.pk]),
        reverse("volunteering:application", args=[spontaneous.pk]),
        reverse("volunteering:dashboard", args=[direction.slug]) + f"?mission={offer.pk}",
        reverse("volunteering:internship_office") + f"?direction={direction.slug}",
    ]


MEASURE = """(selectors) => {
  const doc = document.documentElement;
  const visible = el => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
  };
  const main = selectors.map(s => [...document.querySelectorAll(s)].find(visible)).find(Boolean);
  const wide = [...document.querySelectorAll('body *')].filter(el => el.getBoundingClientRect().right > innerWidth + 1)
    .slice(0, 3).map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof
      el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : ''));
  return {scrollWidth: doc.scrollWidth, innerWidth, innerHeight, wide,
          main: main ? {top: main.getBoundingClientRect().top + scrollY, what: main.tagName.toLowerCase() +
            (main.id ? '#' + main.id : '')} : null};
}"""


def check_page(page, url):
    """Problems of the loaded page at the current size, as sentences (empty: fine)."""
    m = page.evaluate(MEASURE, MAIN_CONTENT)
    problems = []
    if m["scrollWidth"] > m["innerWidth"]:
        problems.append(f"{m['scrollWidth']} px wide on a {m['innerWidth']} px screen (too wide: {m['wide']})")
    if m["innerWidth"] < 500:
        if m["main"] is None:
            problems.append("no main content")
        # at least a line of the main content must show without scrolling
        elif m["main"]["top"] > m["innerHeight"] - 48:
            problems.append(f"main content {m['main']['what']} starts {m['main']['top']:.0f} px down")
    return [f"{url}: {p}" for p in problems]


def _open(browser, live_server_url, email, **device):
    context = browser.new_context(locale="fr-FR", extra_http_headers={"Accept-Language": "fr-FR"}, **device)
    context.set_default_timeout(30000)
    page = context.new_page()
    if email:
        login(page, live_server_url, email, DEMO_PASSWORD)
    return context, page


def survey(browser, live_server_url, urls):
    """Visit every URL in every role, on a phone then (the same page resized) on a desktop screen; returns
    (problems, {url: roles that could see it})."""
    problems, seen = [], {url: [] for url in urls}
    for role, email in ROLES.items():
        context, page = _open(browser, live_server_url, email, viewport=PHONE["viewport"], has_touch=True)
        for url in urls:
            # a page this role cannot see (redirect to log in, 403, 404, 405) or that is not HTML is skipped;
            # asked first without the browser, so that files are not downloaded and actions not posted
            response = page.request.get(live_server_url + url, max_redirects=0)
            if response.status != 200 or "text/html" not in (response.headers.get("content-type") or ""):
                continue
            seen[url].append(role)
            for size, device in (("phone", PHONE), ("desktop", DESKTOP)):
                if size == "phone":
                    page.set_viewport_size(device["viewport"])
                    page.goto(live_server_url + url, wait_until="load")
                else:
                    page.set_viewport_size(device["viewport"])
                    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
                problems += [f"[{role}, {size}] {p}" for p in check_page(page, url)]
        context.close()
    return problems, seen


@pytest.fixture
def demo(reference_data):
    call_command("load_demo", stdout=io.StringIO())


def test_every_page_fits_phone_and_desktop_in_every_role(browser, live_server_url, demo):
    urls = page_urls()
    problems, seen = survey(browser, live_server_url, urls)
    assert not problems, f"{len(problems)} layout problems:\n" + "\n".join(problems)
    # every page that renders HTML for someone was checked; the rest are actions, files and feeds
    checked = [url for url, roles in seen.items() if roles]
    assert len(checked) >= 40, f"only {len(checked)} pages were checked: {checked}"
    for page_name in ("/", "/carte/", "/benevolat/", "/idees/", "/strategie/", "/strategie/equipe/"):
        assert seen[page_name], f"{page_name} was not checked"
    assert "internship office" in seen["/benevolat/stages/bureau-des-stages/"]
    for url in internship_urls()[1:]:
        assert "internship correspondent" in seen[url], f"{url} was not checked for the correspondent"
