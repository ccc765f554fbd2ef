"""``python -m console`` and the ``cvsecurity-console`` command: see :func:`console.ui.app.main`."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from console.ui.app import main as run  # imported here: ``--help`` of a broken install still says why

    return run(argv)


if __name__ == "__main__":
    sys.exit(main())
