"""Load-test helpers: multiply the park's data in place, and list the pages to measure.
``bench/pages.py`` measures every page and API list at 1x, 10x and 100x of the demo park, and
``tests/integration/test_statement_counts.py`` checks that none issues more statements when the
data grows.

Copy ``k`` of a row gets ``id + k * base`` where ``base`` is the largest id of the original rows
of its table (taken once by :func:`snapshot`), and every foreign key follows the table it points
to, so copies form whole parks (phases, units, enterprises, contracts, bills, payments, tickets)
that reference only each other. Reference data (users, roles, departments, the ticket catalogue,
the work calendar, the audit log) is shared, not copied. Everything is read from the catalogue, so
a new table is multiplied without changes here; only columns that point at rows without a
foreign key (``POLYMORPHIC``) and the text of unique keys (suffixed ``-k``) need care.

It is one ``INSERT ... SELECT`` per table with triggers and foreign-key checks off
(``session_replication_role = replica``): the copies are consistent by construction, and the
triggers that keep balances would count the copied payments twice. That needs a superuser, which
the embedded PostgreSQL and the test servers give.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

# Shared reference data: copies point at the same rows.
SHARED = frozenset(
    {
        "alembic_version",
        "api_tokens",
        "audit_log",
        "users",
        "user_roles",
        "user_sessions",
        "login_attempts",
        "departments",
        "ticket_categories",
        "ticket_category_co_departments",
        "ticket_number_counters",
        "work_calendar_days",
        "work_calendar_years",
        "enterprise_invitations",
    }
)

# Columns holding the id of a row of a table named by another column (no foreign key).
POLYMORPHIC: dict[tuple[str, str], tuple[str, dict[str, str]]] = {
    ("billing_bill_lines", "source_id"): (
        "source_kind",
        {
            "schedule": "lease_schedule_lines",
            "reading": "billing_meter_readings",
            "common_share": "billing_meter_readings",
            "overdue_line": "billing_bill_lines",
        },
    ),
    ("billing_bill_lines", "source_part"): ("source_kind", {"common_share": "lease_contracts"}),
}


# Unique text that a suffix would make invalid: an 18-character USCC keeps its shape (the
# organisation code becomes Y + the copy's id; the check character is not recomputed).
UNIQUE_TEXT: dict[tuple[str, str], str] = {
    ("enterprises", "uscc"): "left(uscc, 8) || 'Y' || "
    "lpad((id + k.n * {enterprises})::text, 8, '0') || right(uscc, 1)",
}


class Connection(Protocol):
    async def fetch(self, query: str, *args: Any) -> list[Any]: ...
    async def execute(self, query: str, *args: Any) -> Any: ...


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]
    has_id: bool
    # column -> table whose id it holds (after following foreign keys to their end)
    refs: dict[str, str]
    unique_text: tuple[str, ...]


_COLUMNS = """
SELECT c.relname AS t, a.attname AS col, format_type(a.atttypid, NULL) AS type
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
 WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND a.attnum > 0
   AND NOT a.attisdropped AND a.attgenerated = ''
 ORDER BY c.relname, a.attnum
"""
_FOREIGN_KEYS = """
SELECT c.relname AS t, a.attname AS col, rc.relname AS rt, ra.attname AS rcol
  FROM pg_constraint k
  JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class rc ON rc.oid = k.confrelid
  CROSS JOIN LATERAL unnest(k.conkey, k.confkey) AS u(attnum, rattnum)
  JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.attnum
  JOIN pg_attribute ra ON ra.attrelid = k.confrelid AND ra.attnum = u.rattnum
 WHERE k.contype = 'f' AND c.relnamespace = 'public'::regnamespace
"""
_UNIQUE = """
SELECT c.relname AS t, array_agg(a.attname::text) AS cols
  FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
  JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
 WHERE i.indisunique AND c.relnamespace = 'public'::regnamespace
 GROUP BY c.relname, i.indexrelid
"""


async def tables(conn: Connection) -> list[Table]:
    """The tables to copy, parents before children."""
    columns: dict[str, list[tuple[str, str]]] = {}
    for r in await conn.fetch(_COLUMNS):
        columns.setdefault(r["t"], []).append((r["col"], r["type"]))
    fks = {(r["t"], r["col"]): (r["rt"], r["rcol"]) for r in await conn.fetch(_FOREIGN_KEYS)}

    def target(table: str, col: str) -> str | None:
        if col == "id" and table not in SHARED:
            return table
        ref = fks.get((table, col))
        return None if ref is None else target(*ref)

    out: dict[str, Table] = {}
    for name, cols in columns.items():
        if name in SHARED:
            continue
        refs = {c: t for c, _ in cols if (t := target(name, c)) is not None}
        if not refs:
            continue  # nothing ties the rows to a park (counters, settings of shared rows)
        out[name] = Table(name, tuple(c for c, _ in cols), "id" in refs, refs, ())
    for r in await conn.fetch(_UNIQUE):
        table = out.get(r["t"])
        if table is None or any(c in table.refs or (r["t"], c) in POLYMORPHIC for c in r["cols"]):
            continue  # a copied id in the key keeps copies apart
        types = dict(columns[r["t"]])
        text = tuple(c for c in r["cols"] if types[c] in ("character varying", "text"))
        out[r["t"]] = Table(**{**table.__dict__, "unique_text": table.unique_text + text})
    return _parents_first(out, fks)


def _parents_first(out: dict[str, Table], fks: dict) -> list[Table]:
    done: list[Table] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in seen or name not in out:
            return
        seen.add(name)
        for (t, _), (rt, _) in fks.items():
            if t == name and rt != name:
                visit(rt)
        done.append(out[name])

    for name in sorted(out):
        visit(name)
    return done


async def snapshot(conn: Connection) -> dict[str, int]:
    """The largest id of each copied table now: the rows later copies are made of."""
    base = {}
    for table in await tables(conn):
        if table.has_id:
            rows = await conn.fetch(f'SELECT coalesce(max(id), 0) AS m FROM "{table.name}"')
            base[table.name] = rows[0]["m"]
    return base


def _value(table: Table, col: str, base: dict[str, int]) -> str:
    poly = POLYMORPHIC.get((table.name, col))
    if poly is not None:
        kind, targets = poly
        cases = " ".join(
            f"WHEN '{k}' THEN \"{col}\" + k.n * {base.get(t, 0)}" for k, t in targets.items()
        )
        return f'CASE "{kind}" {cases} ELSE "{col}" END'
    if col in table.refs:
        return f'"{col}" + k.n * {base.get(table.refs[col], 0)}'
    if (table.name, col) in UNIQUE_TEXT:
        return UNIQUE_TEXT[table.name, col].format_map(base)
    if col in table.unique_text:
        return f"\"{col}\" || '-' || k.n"
    return f'"{col}"'


def copy_sql(table: Table, base: dict[str, int], first: int, last: int) -> str:
    """Copies ``first..last`` of the original rows of one table."""
    key = "id" if table.has_id else next(iter(table.refs))
    limit = base.get(table.refs[key], 0)
    cols = ", ".join(f'"{c}"' for c in table.columns)
    values = ", ".join(_value(table, c, base) for c in table.columns)
    return (
        f'INSERT INTO "{table.name}" ({cols}) OVERRIDING SYSTEM VALUE SELECT {values} '
        f'FROM "{table.name}" CROSS JOIN generate_series({first}, {last}) AS k(n) '
        f'WHERE "{key}" <= {limit}'
    )


async def multiply(conn: Connection, base: dict[str, int], first: int, last: int) -> None:
    """Add copies ``first..last`` (1 = the first copy) of the rows ``base`` describes; call it
    inside a transaction. ``multiply(conn, base, 1, 9)`` makes 10x of what ``base`` saw."""
    await conn.execute("SET LOCAL session_replication_role = replica")
    for table in await tables(conn):
        await conn.execute(copy_sql(table, base, first, last))
        if table.has_id:
            await conn.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                f'(SELECT max(id) FROM "{table.name}"))'
            )
    await conn.execute("SET LOCAL session_replication_role = origin")


# GET routes that are not pages or lists: downloads, blank forms, health, the schema.
_NOT_PAGES = ("/static", "/schema", "/healthz", "/readyz", "/login", "/invite")
_NOT_PAGE_ENDINGS = ("/new", "/import", ".csv", ".xlsx", "/pdf")
ROLE_ORDER = ("park_admin", "enterprise_user", "gov_officer")
# Lists that need a query parameter.
_QUERIES = {"/api/v1/tickets/calendar": f"?year={date.today().year}"}


@dataclass(frozen=True)
class Page:
    path: str
    role: str  # the first of ROLE_ORDER allowed to see it

    @property
    def is_api(self) -> bool:
        return self.path.startswith("/api/")


def pages(app: Any, report_names: Any = ()) -> list[Page]:
    """Every GET page and API list of ``app`` without path parameters (``/billing/reports/{name}``
    once per report name), each with the role that sees the most of it; the dashboard and the
    ticket queue also as an enterprise user and a government officer, who see their own slice."""
    out: list[Page] = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            if "GET" not in (handler.http_methods or ()):
                continue
            path = route.path
            if path.startswith(_NOT_PAGES) or path.endswith(_NOT_PAGE_ENDINGS):
                continue
            roles = {str(getattr(r, "value", r)) for r in handler.opt.get("roles", ())}
            role = next((r for r in ROLE_ORDER if r in roles), None)
            if role is None:
                continue
            if path == "/billing/reports/{name:str}":
                out += [Page(f"/billing/reports/{name}", role) for name in report_names]
            elif "{" not in path:
                out.append(Page(path + _QUERIES.get(path, ""), role))
    out += [Page("/", "enterprise_user"), Page("/tickets", "gov_officer")]
    return sorted(set(out), key=lambda p: (p.is_api, p.path, p.role))
