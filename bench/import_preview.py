"""How long the import preview of a 10,000-row CSV takes: read + parse + a trivial batch validator,
then rendering the preview page. No database (the validator is the domain's part).

    .venv/bin/python bench/import_preview.py [rows]
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path
from types import SimpleNamespace

from parkops.core.importing import ImportSpec, build_preview
from parkops.core.tabular import Column, RowError, choice, date_value, decimal, integer, text
from parkops.core.templating import make_environment

ROOT = Path(__file__).resolve().parents[1]
COLUMNS = [
    Column("code", "Code", "单元编号", required=True, unique=True, parse=text(max_length=40)),
    Column("name", "Name", "名称", parse=text(max_length=100)),
    Column("area", "Floor area (m²)", "建筑面积", required=True, parse=decimal(min_value=0)),
    Column("kind", "Kind", "类型", required=True,
           parse=choice({"office": ("Office", "办公"), "shop": ("Shop", "商铺")})),
    Column("floor", "Floor", "楼层", parse=integer(min_value=-5, max_value=200)),
    Column("since", "Available from", "可租日期", parse=date_value()),
]  # fmt: skip


async def check(db, actor, rows) -> tuple[list, list[RowError]]:
    reserved = [r for r in rows if r.values["name"] == "x"]
    return rows, [RowError(r.line, "name", "Reserved name") for r in reserved]


async def write(db, actor, rows) -> int:
    return len(rows)


def make_csv(rows: int) -> bytes:
    lines = ["单元编号,名称,建筑面积,类型,楼层,可租日期"]
    lines += [
        f"U{i:05d},一号楼{i}室,{i % 500}.25,{'办公' if i % 2 else 'shop'},{i % 30},"
        f"2025/3/{1 + i % 28}"
        for i in range(rows)
    ]
    return ("\r\n".join(lines) + "\r\n").encode("gb18030")


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    spec = ImportSpec(key="bench", title="Import units", columns=COLUMNS, check=check,
                      write=write)  # fmt: skip
    data = make_csv(rows)
    started = time.perf_counter()
    preview = asyncio.run(build_preview(None, None, spec, data, "units.csv"))  # type: ignore[arg-type]
    parsed = time.perf_counter() - started
    assert preview.ok_count == rows, preview.all_errors[:3]

    env = make_environment(ROOT / "templates")
    template = env.get_template("imports/preview.html")
    request = SimpleNamespace(url=SimpleNamespace(path="/inventory/units/import"))
    started = time.perf_counter()
    html = template.render(
        request=request, user=None, csrf_token="t", flashes=[], lang="zh",
        languages={"zh": "中文", "en": "English"}, errors={}, form={}, spec=spec,
        preview=preview, action="/x", commit_action="/x/commit", template_url=None, back_url=None,
    )  # fmt: skip
    rendered = time.perf_counter() - started
    print(f"rows={rows} bytes={len(data)} html_bytes={len(html.encode())}")
    print(f"parse_validate_s={parsed:.3f}")
    print(f"render_s={rendered:.3f}")
    print(f"preview_total_s={parsed + rendered:.3f}")


if __name__ == "__main__":
    main()
