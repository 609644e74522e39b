"""Walk every page a role can reach, for the page-wide browser checks (phone width, axe).

The pages are the app's own GET routes that render a template; path parameters are filled from
links the role actually sees (so a tenant's bill is the tenant's own bill), breadth first from
the parameterless pages. A route no visible link leads to is not reachable for that role.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from litestar.response import Template
from litestar.routes import HTTPRoute

from parkops.accounts.demo import DEMO_PASSWORD
from parkops.demo import load_demo

# Demo logins, one per kind of person: park admin (every staff page), the demo tenant's user,
# the rights-protection desk and a government officer.
ROLES = {
    "admin": "admin",
    "enterprise_user": "qiye",
    "service_desk": "desk",
    "gov_officer": "shichang",
}
# Pages that are not somewhere a signed-in person browses to.
SKIPPED = ("/login", "/invite/", "/schema")


async def load_all_demo_data(db) -> None:
    from parkops.app import DOMAINS

    await load_demo(db, DOMAINS)


def page_routes(app) -> list[str]:
    """Paths of every GET route whose handler renders a template (a page a person reads)."""
    paths = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or "GET" not in route.methods:
            continue
        for handler in route.route_handlers:
            annotation = handler.parsed_fn_signature.return_type.annotation
            renders = annotation is Template or Template in getattr(annotation, "__args__", ())
            if "GET" in handler.http_methods and renders and not route.path.startswith(SKIPPED):
                paths.append(route.path)
    return sorted(set(paths))


def _pattern(path: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", path)
    regex = "".join(
        ("[0-9]+" if p.endswith(":int}") else "[^/?#]+") if p.startswith("{") else re.escape(p)
        for p in parts
    )
    return re.compile(regex + "$")


@dataclass
class Walk:
    """The pages visited for one role: template path -> concrete URL path."""

    visited: dict[str, str] = field(default_factory=dict)
    unreached: list[str] = field(default_factory=list)


def sign_in(page, base: str, username: str, lang: str) -> None:
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "parkops_lang", "value": lang, "url": base}])
    page.goto(base + "/login")
    page.fill("#f-username", username)
    page.fill("#f-password", DEMO_PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(base + "/")


def _links(page, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    return [h.removeprefix(base).split("#")[0].split("?")[0] for h in hrefs if h.startswith(base)]


def walk(page, base: str, routes: list[str], check: Callable[[str], None]) -> Walk:
    """Visit every route reachable for the signed-in user once and call ``check(url_path)`` on
    each page that answered 200."""
    result = Walk()
    todo = [r for r in routes if "{" not in r]
    waiting = {r: _pattern(r) for r in routes if "{" in r}
    seen_links: list[str] = []

    def visit(template: str, path: str) -> None:
        response = page.goto(base + path)
        if response is None or response.status != 200 or "/login" in page.url:
            return
        result.visited[template] = path
        check(path)
        seen_links.extend(_links(page, base))

    for template in todo:
        visit(template, template)
    progress = True
    while waiting and progress:
        progress = False
        for template, pattern in list(waiting.items()):
            match = next((link for link in seen_links if pattern.match(link)), None)
            if match is not None:
                del waiting[template]
                visit(template, match)
                progress = True
    result.unreached = sorted(waiting)
    return result


def revisit(page, base: str, walk_: Walk, check: Callable[[str], None]) -> Iterator[str]:
    """Visit the same pages again (in another language, say)."""
    for path in walk_.visited.values():
        response = page.goto(base + path)
        if response is not None and response.status == 200:
            check(path)
            yield path
