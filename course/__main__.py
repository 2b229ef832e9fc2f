"""`python -m course <verb>`: see course.cli (the parser) and course.verbs (what each verb does)."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
