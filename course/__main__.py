"""`python -m course <verb>`: argument parsing only; each verb calls one function."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .paths import ASSIGNMENT, REPO, CourseDir


def _release(args) -> int:
    from .release import ReleaseRefused, release
    try:
        path = release(args.assignment, CourseDir(args.course))
    except ReleaseRefused as exc:
        print(f"release refused: {exc}", file=sys.stderr)
        return 1
    print(f"released {path} (solution passes, blank fails every test, nothing hidden leaks)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course", description="Math for LLMs course tooling")
    parser.add_argument("--course", type=Path, default=REPO,
                        help="course directory (default: this repository)")
    verbs = parser.add_subparsers(dest="verb", required=True)

    p = verbs.add_parser("release", help="regenerate the student release from source/, with gates")
    p.add_argument("assignment", nargs="?", default=ASSIGNMENT)
    p.set_defaults(run=_release)

    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
