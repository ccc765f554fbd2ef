"""The request/answer plumbing every route shares, written once.

- :class:`SimError` carries an appendix code; the answer is the documented envelope with that code.
- :class:`Params` reads a parameter wherever the manual may put it: path, query, JSON body (also inside a
  ``content`` wrapper, ERRATA 2.19.14/2.19.15) or form.
- :func:`paging` validates ``pageNo``/``pageSize`` (-92 missing, -90 not a positive number, -91 over 1000).
- :meth:`Ctx.date_range` parses a start/end pair (-100 bad format, -101 start after end).
- :func:`ok_payload` / :func:`error_payload` build ``{code, message, data}`` or, for 2.19.13-2.19.15,
  ``{ret, msg, data, i18nArgs, success}``, shaping listings as the endpoint's ``response_shape`` says.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from console.api.endpoints import Endpoint
from console.api.errors import appendix_text
from console.api.models.lenient import parse_time  # without pydantic or any record family (start-up)

from .world import World

if TYPE_CHECKING:
    from .simulator import Simulator

__all__ = [
    "Ctx",
    "Paging",
    "Params",
    "Reply",
    "Rows",
    "SimError",
    "error_payload",
    "ok_payload",
    "paging",
    "parse_body",
    "parse_date",
]

MAX_PAGE_SIZE = 1000
DEFAULT_PAGE_SIZE = 20


class SimError(Exception):
    """An answer with an appendix error code (HTTP 200, ``code < 0``)."""

    def __init__(self, code: int, message: str | None = None) -> None:
        self.code = code
        self.message = message or appendix_text(code) or "error"
        super().__init__(f"{code}: {self.message}")


@dataclass(slots=True)
class Params:
    path: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    body: Any = None
    form: dict[str, str] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)

    def raw(self, name: str) -> Any:
        """The value of ``name``: path first, then query, then the JSON body (or its ``content``), then form."""
        if name in self.path:
            return self.path[name]
        if name in self.query:
            return self.query[name]
        if isinstance(self.body, dict):
            if name in self.body:
                return self.body[name]
            content = self.body.get("content")
            if isinstance(content, dict) and name in content:
                return content[name]
        return self.form.get(name)

    def opt(self, name: str) -> str | None:
        """The value as stripped text, None when absent or blank."""
        value = self.raw(name)
        if value is None or isinstance(value, (dict, list)):
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        text = str(value).strip()
        return text or None

    def text(self, name: str, default: str = "") -> str:
        value = self.opt(name)
        return default if value is None else value

    def require(self, name: str, code: int) -> str:
        value = self.opt(name)
        if value is None:
            raise SimError(code)
        return value

    def integer(self, name: str, *, missing: int, bad: int) -> int:
        text = self.require(name, missing)
        try:
            number = float(text)
        except ValueError:
            raise SimError(bad) from None
        if not number.is_integer():
            raise SimError(bad)
        return int(number)

    def items(self, name: str) -> list[str]:
        """An array or a comma-separated string as a list of non-blank strings (ERRATA 2.9.1)."""
        value = self.raw(name)
        if value is None:
            return []
        parts = [str(v) for v in value if v is not None] if isinstance(value, list) else str(value).split(",")
        return [p.strip() for p in parts if p.strip()]

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.raw(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in ("1", "true", "yes", "on")

    def obj(self, name: str) -> dict[str, Any]:
        value = self.raw(name)
        return value if isinstance(value, dict) else {}


def parse_date(text: str, bad: int = -100) -> float:
    """Epoch seconds of a date in any form the manual prints; SimError(bad) when unreadable."""
    value = parse_time(text)
    if value is None:
        raise SimError(bad)
    return value.timestamp()


@dataclass(frozen=True, slots=True)
class Paging:
    no: int
    size: int

    @property
    def offset(self) -> int:
        return (self.no - 1) * self.size


def paging(ep: Endpoint, params: Params) -> Paging | None:
    """Validate paging for an endpoint that pages; None for one that does not."""
    if not ep.pages:
        return None
    declared = {p.name: p for p in (*ep.query, *ep.body_fields)}
    values: dict[str, int] = {}
    for name, default in (("pageNo", 1), ("pageSize", DEFAULT_PAGE_SIZE)):
        text = params.opt(name)
        if text is None:
            param = declared.get(name)
            if param is not None and param.required:
                raise SimError(-92)
            values[name] = default
            continue
        try:
            values[name] = int(text)
        except ValueError:
            raise SimError(-90) from None
    if values["pageNo"] <= 0 or values["pageSize"] <= 0:
        raise SimError(-90)
    if values["pageSize"] > MAX_PAGE_SIZE:
        raise SimError(-91)
    return Paging(values["pageNo"], values["pageSize"])


@dataclass(slots=True)
class Rows:
    """A listing: the whole filtered sequence, rendered lazily after paging."""

    items: Sequence[Any]
    render: Callable[[Any], dict[str, Any]] | None = None

    def rendered(self, window: Sequence[Any]) -> list[Any]:
        return [self.render(x) for x in window] if self.render else list(window)


@dataclass(slots=True)
class Reply:
    """An answer with a message other than ``success`` (the space deletes say ``Succeed: 1, Failed: 0.``)."""

    data: Any
    message: str = "success"


@dataclass(slots=True)
class Ctx:
    """What a route handler gets: the simulator, the endpoint, the parameters and the validated paging."""

    sim: Simulator
    ep: Endpoint
    params: Params
    paging: Paging | None = None

    @property
    def world(self) -> World:
        return self.sim.world

    @property
    def p(self) -> Params:
        return self.params

    def date(self, name: str, *, missing: int | None = None, bad: int = -100) -> float | None:
        """A date parameter as epoch seconds (every form the manual prints); None when absent."""
        text = self.params.opt(name)
        if text is None:
            if missing is not None:
                raise SimError(missing)
            return None
        return parse_date(text, bad)

    def date_range(
        self, start: str = "startDate", end: str = "endDate", *, bad: int = -100, reversed_: int = -101
    ) -> tuple[float | None, float | None]:
        """A start/end pair: each unreadable -> ``bad``; start after end -> ``reversed_``."""
        lo, hi = self.date(start, bad=bad), self.date(end, bad=bad)
        if lo is not None and hi is not None and lo > hi:
            raise SimError(reversed_)
        return lo, hi


def parse_body(content_type: str, raw: bytes) -> tuple[Any, dict[str, str], dict[str, bytes]]:
    """(json body, form fields, uploaded files) of a request; ValueError for a JSON body that is not JSON."""
    kind = content_type.split(";")[0].strip().lower()
    if not raw:
        return None, {}, {}
    if kind == "application/x-www-form-urlencoded":
        return None, dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True)), {}
    if kind == "multipart/form-data":
        return (None, *_multipart(content_type, raw))
    try:
        return json.loads(raw), {}, {}
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise ValueError("the request body is not valid JSON") from None


def _multipart(content_type: str, raw: bytes) -> tuple[dict[str, str], dict[str, bytes]]:
    """Parse multipart/form-data with the standard library (no python-multipart dependency)."""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + raw
    )
    fields: dict[str, str] = {}
    files: dict[str, bytes] = {}
    if not message.is_multipart():
        return fields, files
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        if part.get_filename() is not None:
            files[name] = data
            fields.setdefault(name, part.get_filename() or "")
        else:
            fields[name] = data.decode("utf-8", "replace")
    return fields, files


def _ret(ep: Endpoint) -> bool:
    return ep.envelope == "ret/msg/data"


def ok_payload(ep: Endpoint, result: Any, page: Paging | None) -> dict[str, Any]:
    """The success envelope for ``result`` (data, :class:`Rows` or :class:`Reply`), shaped per the catalog."""
    message = "success"
    if isinstance(result, Reply):
        message, result = result.message, result.data
    extra: dict[str, Any] = {}
    if isinstance(result, Rows):
        items = result.items
        total = len(items)
        if page is None:
            data: Any = result.rendered(items)
        else:
            window = result.rendered(items[page.offset : page.offset + page.size])
            shape = ep.response_shape
            if shape == "page":
                data = {"page": page.no - 1, "size": page.size, "total": total, "data": window,
                        "offset": page.offset, "lastPage": page.offset + page.size >= total}
            elif shape == "totalCount":
                data = {"data": window, "totalCount": total}
            else:
                data = window
                if shape == "other":  # 2.19.13: paging beside data at the top level
                    extra = {"page": page.no, "pageSize": page.size, "total": total}
    else:
        data = result
    if _ret(ep):
        return {"ret": "ok", "msg": "operation succeed" if message == "success" else message, "data": data,
                "i18nArgs": None, **extra, "success": True}
    return {"code": 0, "message": message, "data": data, **extra}


def error_payload(ep: Endpoint | None, error: SimError) -> dict[str, Any]:
    if ep is not None and _ret(ep):
        return {"ret": "fail", "msg": error.message, "data": None, "i18nArgs": None, "code": error.code,
                "success": False}
    return {"code": error.code, "message": error.message, "data": None}
