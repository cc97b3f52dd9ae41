"""Take the screenshots of docs/screenshots/ from a running demo server (make run):

    .venv/bin/python scripts/screenshots.py [BASE_URL [NAME ...]]   (names: only those pages, e.g. budget internships)

Every space on a phone (390 × 844) and a desktop (1280 × 800), first screen only (not the full page), so that the
PNGs stay small. `NAME.png` is the desktop view, `NAME-phone.png` the phone view. Pages that need an account log in
as the demo accounts (password DEMO_PASSWORD, as `make run`). Paths with {budget_year} or {consultation} are those of
the demo's current budget campaign and of the first section open to annotations (read from the running site)."""

import os
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
PASSWORD = os.environ.get("DEMO_PASSWORD", "participe-demo-2026")
# name: (path, demo account or None)
PAGES = {
    "home": ("/", None),
    "map": ("/carte/", None),
    "map-list": ("/carte/liste/", "habitante@participe.demo"),
    "map-territory": ("/carte/territoire/?level=quartier&measure=votes", None),
    "volunteering": ("/benevolat/", None),
    "volunteering-dashboard": (
        "/benevolat/organisations/les-jardins-partages-du-11e/tableau-de-bord/",
        "association@participe.demo",
    ),
    "ideas": ("/idees/", None),
    "strategy": ("/strategie/", None),
    "strategy-inbox": ("/strategie/equipe/", "equipe@participe.demo"),
    "strategy-consultation": ("{consultation}", "habitante@participe.demo"),
    "budget": ("/budget-participatif/", None),
    "budget-ballot": ("/budget-participatif/{budget_year}/vote/", "habitante@participe.demo"),
    "budget-projects": ("/budget-participatif/projets/", None),
    "internships": ("/benevolat/stages/", None),
    "login": ("/comptes/login/", None),
}
DEVICES = {
    "": {"viewport": {"width": 1280, "height": 800}},
    "-phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def log_in(page, email):
    page.goto(BASE + "/comptes/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state("networkidle")


def demo_paths(browser) -> dict:
    """{budget_year} and {consultation}: the current campaign's year, the first section open to annotations."""
    page = browser.new_context().new_page()
    campaigns = page.request.get(BASE + "/api/v1/budget/campaigns/").json()
    voting = [c for c in campaigns if c["phase"] == "vote"] or campaigns
    page.goto(BASE + "/strategie/")
    link = page.locator("a[href*='/strategie/consultation/']").first
    paths = {
        "budget_year": voting[0]["year"] if voting else "",
        "consultation": link.get_attribute("href") if link.count() else "",
    }
    page.context.close()
    return paths


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        found = demo_paths(browser)
        only = set(sys.argv[2:])
        for suffix, device in DEVICES.items():
            contexts = {}
            for name, (path, account) in PAGES.items():
                if only and name not in only:
                    continue
                path = path.format(**found)
                if not path or path.endswith("//vote/"):
                    print(f"{name}{suffix}: nothing to show in this demo, skipped")
                    continue
                if account not in contexts:
                    contexts[account] = browser.new_context(locale="fr-FR", **device).new_page()
                    if account:
                        log_in(contexts[account], account)
                page = contexts[account]
                response = page.goto(BASE + path, wait_until="networkidle")
                if response and response.ok:
                    page.screenshot(path=OUT / f"{name}{suffix}.png")
                    print(f"{name}{suffix}: {path}")
                else:
                    print(f"{name}{suffix}: {path} answered {response and response.status}, skipped")
        browser.close()


if __name__ == "__main__":
    main()
