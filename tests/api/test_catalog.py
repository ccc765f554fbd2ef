"""Every endpoint of the catalog, called through the console's client against the simulator in-process:
it answers its documented method and path with the documented envelope and response shape, and its records
carry the fields the manual lists."""

from __future__ import annotations

import re
from typing import Any

import pytest

from console.api.endpoints import ENDPOINTS
from tests.sim.helpers import args_for, client_for, make_sim

# Where the ERRATA decide against the printed example (console/sim/README.md, "Shapes"):
SHAPE_BY_ERRATA = {
    "2.12.3": "list",  # one device, several doors: an array
    "2.14.6": "list",  # pages over persons: an array
    "2.21.1": "page",  # same URL as 2.41.7, which answers a page
    "2.21.2": "page",  # same URL as 2.41.8
}
# Records whose documented fields are nested (data.content.rtspUrls[], data.videoItem[]): top level only.
NESTED = {"2.40.3": ("resultCode", "content"), "2.40.4": ("videoItem",),
          "2.40.5": ("passWord", "rtspUrl", "vidParentDeviceId", "rtspUrls", "type", "userName", "channelCode")}


def _records(shape: str, data: Any) -> list[Any]:
    if shape in ("list", "other"):
        assert isinstance(data, list), f"expected an array, got {type(data).__name__}"
        return data
    if shape == "page":
        assert isinstance(data, dict)
        assert {"page", "size", "total", "data", "offset", "lastPage"} <= set(data)
        assert isinstance(data["data"], list)
        assert data["total"] >= len(data["data"])
        return data["data"]
    if shape == "totalCount":
        assert isinstance(data, dict)
        assert isinstance(data["totalCount"], int)
        assert isinstance(data["data"], list)
        return data["data"]
    if shape == "object":
        assert isinstance(data, dict)
        return [data]
    if shape == "string":
        assert isinstance(data, str)
        assert data
        return []
    assert shape == "envelope-only"
    assert data in (None, [], {})
    return []


@pytest.mark.parametrize("section", sorted(ENDPOINTS, key=lambda s: [int(x) for x in s.split(".")]))
async def test_every_endpoint_answers_its_documented_shape(section: str) -> None:
    ep = ENDPOINTS[section]
    sim = make_sim()
    args = args_for(section, sim.world)
    async with client_for(sim) as client:
        envelope = await client.call_envelope(section, **args)
    assert envelope.code == 0
    shape = SHAPE_BY_ERRATA.get(section, ep.response_shape)
    records = _records(shape, envelope.data)
    if shape == "other":  # 2.19.13 pages at the top level of its ret/msg envelope
        assert {"page", "pageSize", "total"} <= set(envelope.extra)
    if shape in ("list", "page", "totalCount", "other", "object"):
        assert records, f"{section} answered no record to check"
        expected = NESTED.get(section, ep.response_fields)
        missing = [name for name in expected if name not in records[0]]
        assert not missing, f"{section} records lack {missing}"
    last = sim.requests[-1]  # what reached the server: the documented method on the documented path
    assert last.method == ep.method
    assert re.fullmatch(re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(ep.path)), last.path), last.path
