"""Keep the access token out of everything a person or a log can read."""

from __future__ import annotations

import logging
import re

__all__ = ["TOKEN_PARAMS", "RedactingFilter", "redact_text", "redact_url"]

TOKEN_PARAMS = ("access_token", "acc_token")
_QUERY_TOKEN = re.compile(r"((?:access_token|acc_token)=)[^&#\s'\"]*", re.IGNORECASE)
MASK = "***"


def redact_url(url: str) -> str:
    """``url`` with the value of every token parameter replaced by ``***``."""
    return _QUERY_TOKEN.sub(r"\1" + MASK, url)


def redact_text(text: str, *secrets: str) -> str:
    """``text`` with token parameters and each given secret (if non-trivial) masked."""
    text = redact_url(text)
    for secret in secrets:
        if secret and len(secret) >= 4:
            # any letter case too: a server or a library may echo the token upper- or lower-cased
            text = re.sub(re.escape(secret), MASK, text, flags=re.IGNORECASE)
    return text


class RedactingFilter(logging.Filter):
    """A logging filter that masks token parameters in every record's final message.

    Installed on the root handlers by the application and on the ``httpx``/``httpcore`` loggers by the
    client, so that a library logging a full URL cannot leak the token.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not drop the record
            return True
        clean = redact_url(message)
        if clean != message:
            record.msg = clean
            record.args = None
        return True
