"""Check or re-pin the regression pins: ``python -m tests.pins [--update] [CASE ...]`` (from the repository root).

Prints, per case, every pinned value that changed (``key: old -> new``) or "unchanged"; with ``--update``
writes the new pins (and deletes the pins of files that are no longer shipped). Exit status without
``--update``: 0 if nothing changed, 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys

from . import diff, discover, load_pin, observe, pin_path, pinned_ids, write_pin


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.pins", description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", help="case ids (paths such as configs/spaaret.toml); default: every case")
    parser.add_argument("--update", action="store_true", help="write the new pins")
    parser.add_argument("--limit", type=int, default=200, help="changed values printed per case (default 200)")
    args = parser.parse_args(argv)

    cases = {c.id: c for c in discover()}
    wanted = args.cases or sorted(set(cases) | set(pinned_ids()))
    unknown = [c for c in wanted if c not in cases and load_pin(c) is None]
    if unknown:
        parser.error(f"no such case: {', '.join(unknown)} (cases: {', '.join(sorted(cases))})")

    changed = 0
    for case_id in wanted:
        case = cases.get(case_id)
        if case is None:  # a pin of a file that is no longer shipped
            changed += 1
            print(f"{case_id}: no longer shipped; its pin {pin_path(case_id).name} " + ("deleted" if args.update else "is stale"))
            if args.update:
                pin_path(case_id).unlink()
            continue
        pin = load_pin(case_id)
        values = observe(case)
        if pin is None:
            changed += 1
            print(f"{case_id}: new pin, {len(values)} values")
        else:
            lines = _diff(pin, case, values)
            if not lines:
                print(f"{case_id}: unchanged ({len(values)} values)")
            else:
                changed += 1
                print(f"{case_id}: {len(lines)} changed")
                for line in lines[: args.limit]:
                    print(f"  {line}")
                if len(lines) > args.limit:
                    print(f"  ... and {len(lines) - args.limit} more")
        if args.update:
            write_pin(case, values)
    if args.update:
        print(f"wrote {len([c for c in wanted if c in cases])} pins under {pin_path('x').parent}")
        return 0
    return 1 if changed else 0


def _diff(pin: dict, case, values) -> list[str]:
    lines = diff(pin["values"], values)
    if pin.get("kind") != case.kind:
        lines.insert(0, f"(kind): {pin.get('kind')!r} -> {case.kind!r}")
    return lines


if __name__ == "__main__":
    sys.exit(main())
