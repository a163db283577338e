"""`python -m benchmarks [--quick]`: prepare the inputs, run every comparison, write docs/benchmarks.md."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from benchmarks import catalogue_cases, data_cases
from benchmarks.harness import Result, compare, empty_trash
from benchmarks.report import write_report

SUITES = {"catalogue": catalogue_cases, "data": data_cases}
"""Each suite module has `comparisons(quick, work) -> list[Comparison]`; it prepares its inputs under `work`."""


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    repeats = args.repeats or (1 if args.quick else 3)
    results: list[Result] = []
    try:
        for name in args.only or list(SUITES):
            for comparison in SUITES[name].comparisons(args.quick, args.work / name):
                print(f"{comparison.case} ({comparison.scale}) ...", file=sys.stderr, flush=True)
                results.append(compare(comparison, repeats))
                _print(results[-1])
        write_report(results, args.output, quick=args.quick, repeats=repeats, notes=_notes(args.only or list(SUITES), results))
        print(f"Wrote {args.output}", file=sys.stderr)
    finally:
        empty_trash()  # after the report: deleting millions of files set aside takes minutes
    return 0


def _notes(suites: list[str], results: list[Result]) -> str:
    """What each suite has to say about its results (findings, what limits a case), from its optional `notes`."""
    texts = [SUITES[name].notes(results) for name in suites if hasattr(SUITES[name], "notes")]
    return "\n\n".join(text.strip() for text in texts if text.strip())


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small scales, one run each: a smoke test")
    parser.add_argument("--only", action="append", choices=sorted(SUITES), help="run only this suite (repeatable)")
    parser.add_argument("--repeats", type=int, help="runs per tool (median kept); default 3, or 1 with --quick")
    parser.add_argument("--work", type=Path, default=Path("build/benchmarks"), help="where inputs and outputs go")
    parser.add_argument("--output", type=Path, default=Path("docs/benchmarks.md"), help="the report to write")
    return parser


def _print(result: Result) -> None:
    ratio = f"ratio {result.ratio:.2f}" if result.ratio is not None else ""
    print(f"  geosite {result.geosite.wall_s:.2f} s {ratio}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
