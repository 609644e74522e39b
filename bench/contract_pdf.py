"""Benchmark: render the sample bilingual lease contract (10 units, 8 pages) to PDF 50 times.

Run alone (it measures wall time on an otherwise idle machine):
    .venv/bin/python bench/contract_pdf.py [--runs N]
Prints the distribution and ends with ``contract_pdf_p50_ms=X`` (target: X <= 300).

Each run is paired with a baseline run, interleaved so both see the same machine: the same
HTML through plain ``weasyprint.HTML(string=...)`` (WeasyPrint's own HTML parser and user-agent
stylesheet, what ``render_pdf`` did before ``parkops.documents.xhtml``), with the same font
configuration and garbage-collector handling. The ratio of the two medians is printed too:
absolute times drift on shared machines, the ratio much less.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from parkops.config import get_settings
from parkops.documents.render import (
    _shared_font_config,
    _young_garbage_only,
    harfbuzz_subset_available,
    render_html,
    render_pdf,
)
from parkops.documents.samples import sample_lease_contract


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--pages", type=int, default=8, help="fail unless the PDF has this many")
    args = parser.parse_args()

    context = sample_lease_contract(units=10)
    first = time.perf_counter()
    result = render_pdf("lease_contract", context, language="zh_en")
    first_ms = (time.perf_counter() - first) * 1000
    if args.pages and result.page_count != args.pages:
        sys.exit(f"expected a {args.pages}-page contract, got {result.page_count} pages")

    from weasyprint import HTML

    base_url = f"{get_settings().templates_dir.resolve() / 'pdf'}/"

    def weasyprint_alone() -> None:
        html = render_html("lease_contract", context, language="zh_en")
        with _young_garbage_only():
            HTML(string=html, base_url=base_url).write_pdf(font_config=_shared_font_config())

    weasyprint_alone()
    times, cpu, baseline = [], [], []
    for _ in range(args.runs):
        t0, c0 = time.perf_counter(), time.process_time()
        render_pdf("lease_contract", context, language="zh_en")
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
        t0 = time.perf_counter()
        weasyprint_alone()
        baseline.append((time.perf_counter() - t0) * 1000)

    times.sort()
    p50 = statistics.median(times)
    p90 = times[int(len(times) * 0.9) - 1]
    print(f"harfbuzz_subset={'yes' if harfbuzz_subset_available() else 'NO (30x slower)'}")
    print(f"pages={result.page_count} bytes={len(result.pdf)} units={len(context.units)}")
    print(f"first_render_ms={first_ms:.0f} (fontconfig and template warm-up)")
    print(
        f"runs={args.runs} min_ms={times[0]:.0f} p90_ms={p90:.0f} max_ms={times[-1]:.0f} "
        f"cpu_p50_ms={statistics.median(cpu):.0f}"
    )
    base_p50 = statistics.median(baseline)
    print(
        f"baseline: plain weasyprint.HTML p50_ms={base_p50:.0f}; "
        f"render_pdf/baseline ratio={p50 / base_p50:.2f}"
    )
    print(f"contract_pdf_p50_ms={p50:.0f}")


if __name__ == "__main__":
    main()
