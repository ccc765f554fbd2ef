"""``python -m console`` and the ``cvsecurity-console`` command: see :func:`console.ui.launch.main`."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["verify-audit"]:  # no Qt on this path: it runs on a server or over SSH
        from console.services.audit import main as verify

        return verify(args[1:])
    from console.services.gc_pauses import pause_for_start

    pause_for_start()  # no collections while it starts: the console resumes them once it is up
    from console.ui.launch import main as run  # imported here: ``--help`` of a broken install still says why

    return run(argv)


if __name__ == "__main__":
    sys.exit(main())
