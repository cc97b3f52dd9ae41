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


_WIDE = """() => [...document.querySelectorAll('body *')].filter(el => el.getBoundingClientRect().right > innerWidth + 1)
  .slice(0, 3).map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (typeof el.className === 'string'
  && el.className.trim() ? '.' + el.className.trim().split(/\\s+/).join('.') : ''))"""


def resize_and_assert_fits(page, width, height=800, timeout=3_000):
    """Resize the page as a phone turned or a window narrowed would, then wait for the page to fit the new width:
    static/js/layout.mjs re-fits tables on the next animation frame after a resize, so the check waits for that frame
    (under load it comes late) instead of reading the width at once. Fails naming the elements that stick out."""
    page.set_viewport_size({"width": width, "height": height})
    try:
        page.wait_for_function("document.documentElement.scrollWidth <= window.innerWidth", timeout=timeout)
    except Exception as exc:  # noqa: BLE001 - playwright's TimeoutError: say what sticks out
        raise AssertionError(f"{page.url} is wider than {width} px: {page.evaluate(_WIDE)}") from exc
