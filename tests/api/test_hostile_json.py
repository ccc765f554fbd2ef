"""Hostile JSON: whatever a server sends, only CVSecError subclasses escape (never KeyError/TypeError/...).

Property tests feed every record model, the list/page helpers, the client's envelope parsing and a sample of
typed methods with random JSON, wrong types, huge strings, deep nesting, NaN/Infinity, nulls and unicode.
Example counts are modest: the whole file runs in a few seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import inspect
import json
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import AliasChoices

import console.api.models as models
from console.api import Client, CVSecError, ModelError, RetryPolicy
from console.api.models import MAX_PHOTO, MAX_TEXT, Model, parse_list, parse_model, parse_one
from console.api.paging import Page, parse_page

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PER_MODEL = settings(FAST, max_examples=25)

RECORD_MODELS = sorted(
    (obj for obj in map(functools.partial(getattr, models), models.__all__)  # the package imports on first use
     if inspect.isclass(obj) and issubclass(obj, Model) and obj is not Model),
    key=lambda cls: cls.__name__,
)


def nested(depth: int, kind: str) -> Any:
    value: Any = "bottom"
    for _ in range(depth):
        value = [value] if kind == "list" else {"k": value}
    return value


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(["", " ", "null", "None", "NaN", "-1", "1e999", "0x1F", "２", "\ud800", "\x00", "😀" * 3]),
    st.sampled_from(["2023-01-12 15:05:56", "2021-1-5 8:3:9", "9999-99-99", "1494467276539", "1 02:43:42"]),
    st.builds(lambda n, ch: ch * n, st.sampled_from([MAX_TEXT + 1, 70_000, MAX_PHOTO + 1]), st.sampled_from("A9é字")),
)
JSONISH = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
HOSTILE = st.one_of(JSONISH, st.builds(nested, st.integers(1, 3000), st.sampled_from(["list", "dict"])))


def wire_keys(model: type[Model]) -> list[str]:
    keys: list[str] = []
    for name, info in model.model_fields.items():
        keys.append(name)
        if info.alias:
            keys.append(info.alias)
        if isinstance(info.validation_alias, AliasChoices):
            keys += [c for c in info.validation_alias.choices if isinstance(c, str)]
    return keys


@st.composite
def records_for(draw: st.DrawFn, model: type[Model]) -> dict[str, Any]:
    keys = wire_keys(model)
    record = draw(st.dictionaries(st.sampled_from(keys), HOSTILE, max_size=len(keys)))
    record.update(draw(st.dictionaries(st.text(max_size=300), HOSTILE, max_size=3)))
    return record


def records_in(result: Any) -> list[Any]:
    if isinstance(result, Page):
        return result.items
    return result if isinstance(result, list) else [result]


def check_record(record: Model) -> None:
    """A record that was accepted can be printed, dumped and read without surprises."""
    repr(record)
    str(record)
    record.model_dump()
    record.model_dump_json()
    for name in type(record).model_fields:
        value = getattr(record, name)
        if isinstance(value, str):
            assert len(value) <= max(MAX_TEXT, MAX_PHOTO)
    assert len(record.model_extra or {}) <= models.base.MAX_EXTRAS


@pytest.mark.parametrize("model", RECORD_MODELS, ids=lambda m: m.__name__)
def test_every_record_model_survives_hostile_records(model: type[Model]) -> None:
    @PER_MODEL
    @given(records_for(model))
    def check(data: dict[str, Any]) -> None:
        try:
            record = parse_model(model, data)
        except ModelError:
            return
        check_record(record)

    check()


def test_there_are_many_models_to_check() -> None:
    assert len(RECORD_MODELS) >= 40


@FAST
@given(st.sampled_from(RECORD_MODELS), HOSTILE)
def test_parse_helpers_take_any_json(model: type[Model], data: Any) -> None:
    for parse in (
        lambda: parse_model(model, data),
        lambda: parse_one(model, data),
        lambda: parse_list(model, data),
        lambda: parse_list(model, data, skip_bad=False),
        lambda: parse_page(model, data, page_no=1, page_size=10, extra={"total": data}),
    ):
        try:
            result = parse()
        except CVSecError:
            continue
        for record in records_in(result):
            check_record(record)


# -- through the client ----------------------------------------------------------------------------

ENVELOPES = st.one_of(
    st.builds(lambda c, m, d: {"code": c, "message": m, "data": d}, HOSTILE, HOSTILE, HOSTILE),
    st.builds(lambda r, m, d, t: {"ret": r, "msg": m, "data": d, "total": t}, HOSTILE, HOSTILE, HOSTILE, HOSTILE),
    st.builds(lambda d: {"code": 0, "message": "success", "data": d}, HOSTILE),
    HOSTILE,
)


def encode(document: Any) -> bytes:
    try:
        return json.dumps(document, ensure_ascii=False).encode("utf-8", "surrogatepass")
    except (RecursionError, ValueError):  # too deep to encode: send it as raw brackets
        return b"[" * 5000 + b"]" * 5000


BODIES = st.one_of(
    ENVELOPES.map(encode),
    st.binary(max_size=200),
    st.builds(lambda n: b'{"code": 0, "data": ' + b"[" * n + b"]" * n + b"}", st.integers(500, 20_000)),
    st.sampled_from([b'{"code": NaN}', b'{"code": Infinity, "data": 1}', b'{"code": -1e999}', b"<html>login</html>"]),
)
STATUSES = st.sampled_from([200, 200, 200, 201, 204, 301, 400, 401, 403, 404, 500, 502])


def call_with(status: int, body: bytes, call: Any) -> Any:
    async def main() -> Any:
        transport = httpx.MockTransport(lambda request: httpx.Response(status, content=body))
        async with Client(
            "http://127.0.0.1:9", "hostile-token-1", transport=transport, retry=RetryPolicy(backoff=0)
        ) as client:
            return await call(client)

    return asyncio.run(main())


CALLS = [
    lambda c: c.call("2.12.1", timestamp=1),
    lambda c: c.call_envelope("2.19.13", pageNo=1, pageSize=10),
    lambda c: c.door_states(),
    lambda c: c.gate_state("g1"),
    lambda c: c.doors(),
    lambda c: c.transactions(),
    lambda c: c.person("1"),
    lambda c: c.person_qr("1"),
    lambda c: c.detect_face("x"),
    lambda c: c.temperature_monitor(),
    lambda c: c.device_channels(),
    lambda c: c.parking_bill("A1"),
    lambda c: c.open_door("d1", 5),
]


@FAST
@given(STATUSES, BODIES, st.sampled_from(CALLS))
def test_the_client_and_typed_methods_raise_only_their_own_errors(status: int, body: bytes, call: Any) -> None:
    try:
        result = call_with(status, body, call)
    except CVSecError:
        return
    for record in records_in(result):
        if isinstance(record, Model):
            check_record(record)


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"code": 1e999}',
        b'{"ret": "fail", "code": Infinity, "msg": "x"}',
        b'{"code": -3, "message": ' + b"[" * 900 + b"]" * 900 + b"}",
        b'{"code": 0, "data": {"total": NaN, "data": [{"id": "1"}]}}',
    ],
    ids=["deep", "huge-code", "ret-infinite-code", "deep-message", "nan-total"],
)
def test_known_hostile_bodies(body: bytes) -> None:
    with contextlib.suppress(CVSecError):
        call_with(200, body, lambda c: c.doors())
