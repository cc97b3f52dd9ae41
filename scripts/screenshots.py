"""Take the README screenshots from a running server: .venv/bin/python scripts/screenshots.py [BASE_URL]"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
PAGES = {
    "home": "/",
    "map": "/carte/",
    "map-territory": "/carte/territoire/?level=quartier&measure=votes",
    "volunteering": "/benevolat/",
    "ideas": "/idees/",
    "strategy": "/strategie/",
}
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 860}, locale="fr-FR")
        for name, path in PAGES.items():
            response = page.goto(BASE + path, wait_until="networkidle")
            if response and response.ok:
                page.screenshot(path=OUT / f"{name}.png")
                print(f"{name}: {path}")
        phone = browser.new_page(viewport={"width": 390, "height": 844}, locale="fr-FR", is_mobile=True)
        phone.goto(BASE + "/carte/", wait_until="networkidle")
        phone.screenshot(path=OUT / "map-phone.png")
        browser.close()


if __name__ == "__main__":
    main()
