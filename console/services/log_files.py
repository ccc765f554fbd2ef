"""The log file's handler: owner-only files that rotate (:func:`console.services.logs.setup_logging` loads it;
``logging.handlers`` brings pickle, queue and socket, which the window's first paint does not need)."""

from __future__ import annotations

import logging.handlers
import os
from io import TextIOWrapper
from pathlib import Path

from console.services.paths import PRIVATE_MODE, make_private

__all__ = ["PrivateRotatingFileHandler"]


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """Owner-only log files (0600): the first one and every one a rollover starts."""

    def _open(self) -> TextIOWrapper:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_MODE)
        try:
            make_private(Path(self.baseFilename))  # a file an older version left readable
            return open(fd, "a", encoding=self.encoding, errors=self.errors)
        except BaseException:
            os.close(fd)
            raise
