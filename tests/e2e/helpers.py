"""Helpers for browser tests."""

from axe_playwright_python.sync_playwright import Axe

_axe = Axe()
BLOCKING_IMPACTS = {"serious", "critical"}


def assert_accessible(page, context=None):
    """Run axe-core on the current page; fail on serious or critical violations, listing them."""
    results = _axe.run(page, context=context)
    blocking = [v for v in results.response["violations"] if v.get("impact") in BLOCKING_IMPACTS]
    if blocking:
        lines = []
        for v in blocking:
            targets = ", ".join(str(n.get("target")) for n in v.get("nodes", [])[:5])
            lines.append(f"[{v['impact']}] {v['id']}: {v['help']} — {targets}")
        raise AssertionError(f"Accessibility violations on {page.url}:\n" + "\n".join(lines))
    return results


def login(page, live_server_url, email, password="motdepasse-solide-42"):
    page.goto(f"{live_server_url}/comptes/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state("networkidle")
    assert "/comptes/login/" not in page.url, f"login failed for {email}"


def live_on(page, path, timeout=10_000):
    """Wait until the page's WebSocket on `path` is open (static/js/realtime.mjs marks it on <html data-live>):
    from then on its group is joined and broadcasts reach it."""
    page.locator(f'html[data-live~="{path}"]').wait_for(state="attached", timeout=timeout)
