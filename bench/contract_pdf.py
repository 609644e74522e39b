"""Benchmark: render the sample bilingual lease contract (10 units, 8 pages) to PDF 50 times.

Run alone (it measures wall time on an otherwise idle machine):
    .venv/bin/python bench/contract_pdf.py [--runs N]
Prints the distribution and ends with ``contract_pdf_p50_ms=X`` (target: X <= 300).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from parkops.documents.render import harfbuzz_subset_available, render_pdf
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

    times = []
    cpu = []
    for _ in range(args.runs):
        t0, c0 = time.perf_counter(), time.process_time()
        render_pdf("lease_contract", context, language="zh_en")
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)

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
    print(f"contract_pdf_p50_ms={p50:.0f}")


if __name__ == "__main__":
    main()
