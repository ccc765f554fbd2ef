"""``python -m console.services.events --basedir DIR --since ... --until ... --csv FILE``: the journal export."""

from __future__ import annotations

import sys

from .export import main

if __name__ == "__main__":
    sys.exit(main())
