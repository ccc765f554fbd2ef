"""The manual's endpoint catalog, keyed by section number ("2.12.8").

The data is ``catalog.json`` (a copy of the project's machine-readable reading of the vendor manual,
``shared/api/endpoints.json``). This module turns it into frozen :class:`Endpoint` records and applies the
decisions recorded in ``console/api/README.md`` where the manual contradicts itself.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Literal

__all__ = ["ENDPOINTS", "PATH_FIXES", "ROUTE_SPELLINGS", "Endpoint", "Param", "by_path", "get"]

Method = Literal["GET", "POST", "DELETE"]
BodyKind = Literal["json", "form"]
Shape = Literal["envelope-only", "object", "list", "page", "totalCount", "string", "other"]

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    required: bool | None
    description: str = ""


@dataclass(frozen=True, slots=True)
class Endpoint:
    section: str
    title: str
    group: str
    method: Method
    path: str
    path_params: tuple[Param, ...]
    query: tuple[Param, ...]
    body_kind: BodyKind | None
    body_fields: tuple[Param, ...]
    body_is_array: bool
    envelope: Literal["code/message/data", "ret/msg/data"]
    response_shape: Shape
    response_fields: tuple[str, ...]
    enums: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    constraints: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    body_example: Any = None
    response_example: Any = None
    printed_path: str = ""
    alt_paths: tuple[str, ...] = ()  # other spellings, tried in order after a 404 (ROUTE_SPELLINGS)

    @property
    def is_write(self) -> bool:
        """POST and DELETE change state on the server and are never retried."""
        return self.method != "GET"

    @property
    def query_names(self) -> frozenset[str]:
        return frozenset(p.name for p in self.query)

    @property
    def body_names(self) -> frozenset[str]:
        return frozenset(p.name for p in self.body_fields)

    @property
    def placeholders(self) -> tuple[str, ...]:
        return tuple(_PLACEHOLDER.findall(self.path))

    @property
    def pages(self) -> bool:
        return "pageNo" in self.query_names or "pageNo" in self.body_names

    def __repr__(self) -> str:
        return f"<Endpoint {self.section} {self.method} {self.path}>"


def _params(raw: list[dict[str, Any]] | None) -> tuple[Param, ...]:
    return tuple(Param(p["name"], p.get("required"), p.get("description", "")) for p in raw or ())


# Where the printed URL is wrong, the URL we send (ERRATA; the table in console/api/README.md).
PATH_FIXES: Mapping[str, str] = {
    "2.3.7": "/api/v2/eleLevel/list",  # printed with the access-level URL of 2.1.9
    "2.10.3": "/api/v2/device/list",  # printed with the v1 URL of 2.10.1
    "2.13.4": "/api/v2/floor/list",  # printed with the v1 URL of 2.13.1
    "2.31.1": "/api/psgDevice/list",  # printed "psgdDevice"; every sibling says psgDevice
    "2.26.4": "/api/person/delete/{pin}/{templateNo}",  # printed with no separator between the two
}


# Where the printed URL line and the section title spell a route differently and real servers route by the
# title's (or their own route listing's) spelling: (the spelling sent first, the printed one tried after a 404).
# Real servers match routes case-sensitively. A 404 proves the request was not executed, so even a write may
# be sent again under the other spelling. The whole comparison is in console/api/README.md.
ROUTE_SPELLINGS: Mapping[str, tuple[str, str]] = {
    "2.12.6": ("/api/door/remoteCloseById", "/api/door/remotecloseById"),
    "2.12.7": ("/api/door/remoteCloseByName", "/api/door/remotecloseByName"),
    "2.13.2": ("/api/floor/remoteCloseById", "/api/floor/remotecloseById"),
    "2.10.1": ("/api/device/accList", "/api/device/acclist"),
    "2.15.1": ("/api/reader/accList", "/api/reader/acclist"),
}


# Parameters real servers read from the query string although the manual prints them in the JSON body only:
# they are sent in both (the body for servers that follow the manual). Public integrations of real servers
# page the person lists this way.
QUERY_TOO: Mapping[str, tuple[str, ...]] = {
    "2.14.6": ("pins", "deptCodes", "pageNo", "pageSize"),
    "2.14.12": ("pins", "deptCodes", "pageNo", "pageSize"),
}


def _endpoint(raw: dict[str, Any]) -> Endpoint:
    body: dict[str, Any] = raw.get("body") or {}
    path = PATH_FIXES.get(raw["section"], raw["path"])
    spellings = ROUTE_SPELLINGS.get(raw["section"])
    if spellings is not None:
        path = spellings[0]
    return Endpoint(
        section=raw["section"],
        title=raw["title"],
        group=raw["group"],
        method=raw["method"],
        path=path,
        path_params=_params(raw.get("path_params"))
        if raw["section"] != "2.26.4"
        else (Param("pin", True), Param("templateNo", True)),
        query=_params(raw.get("query")) + tuple(Param(n, False, "also in the query (real servers)")
                                                for n in QUERY_TOO.get(raw["section"], ())),
        body_kind=body["kind"] if body else None,
        body_fields=_params(body.get("fields")),
        body_is_array=isinstance(body.get("example"), list),
        envelope=raw["envelope"],
        response_shape=raw["response_shape"],
        response_fields=tuple(raw.get("response_fields") or ()),
        enums={k: dict(v) for k, v in (raw.get("enums") or {}).items()},
        constraints=tuple(raw.get("constraints") or ()),
        notes=tuple(raw.get("notes") or ()),
        body_example=body.get("example"),
        response_example=raw.get("response_example"),
        printed_path=raw["path"],
        alt_paths=tuple(p for p in spellings[1:] if p != path) if spellings else (),
    )


class _Catalog(Mapping[str, Endpoint]):
    """The catalog, read at its first use and each :class:`Endpoint` made when first asked for: a client makes
    a handful of calls at its start, and building all 217 records (with their examples) took ~7 ms of it."""

    def __init__(self) -> None:
        self._raw: dict[str, dict[str, Any]] | None = None
        self._made: dict[str, Endpoint] = {}

    def _records(self) -> dict[str, dict[str, Any]]:
        if self._raw is None:
            text = resources.files("console.api").joinpath("catalog.json").read_text(encoding="utf-8")
            self._raw = {raw["section"]: raw for raw in json.loads(text)}
        return self._raw

    def __getitem__(self, section: str) -> Endpoint:
        made = self._made.get(section)
        if made is None:
            made = self._made[section] = _endpoint(self._records()[section])
        return made

    def __iter__(self) -> Iterator[str]:
        return iter(self._records())

    def __len__(self) -> int:
        return len(self._records())


ENDPOINTS: Mapping[str, Endpoint] = _Catalog()


def get(section: str) -> Endpoint:
    """The endpoint printed under ``section``; ``KeyError`` names the unknown section."""
    try:
        return ENDPOINTS[section]
    except KeyError:
        raise KeyError(f"no endpoint {section!r} in the manual's catalog") from None


@cache
def by_path() -> dict[tuple[str, str], list[Endpoint]]:
    """(method, path template) -> endpoints; a few pairs are documented twice (ERRATA)."""
    table: dict[tuple[str, str], list[Endpoint]] = {}
    for ep in ENDPOINTS.values():
        table.setdefault((ep.method, ep.path), []).append(ep)
    return table
