"""Media (2.7), attendance applications (2.24, 2.23.5-2.23.6), consumption records (2.37, 2.39) and smart
video (2.40).

Codes: unknown media -70, media file of another type than png/jpg/jpeg/gif/mp4/avi -71, unknown person -22,
dates -100/-101, unknown video channel -102, uploaded leave picture not a PNG/JPEG -71.
"""

from __future__ import annotations

from typing import Any

from .. import rules
from ..http import Ctx, Rows, SimError
from ..world import fmt_time
from . import handles

_MEDIA_TYPES = {"png": "1", "jpg": "1", "jpeg": "1", "gif": "1", "mp4": "2", "avi": "2"}


@handles("2.7.1")
def media_add(ctx: Ctx) -> None:
    name = ctx.p.opt("mediaName")
    if name is None:
        raise SimError(-1, "mediaName cannot be empty")
    field = "file" if "file" in ctx.p.files else "File"
    data = ctx.p.files.get(field)
    filename = ctx.p.form.get(field, "")
    if data is None:
        raise SimError(-1, "file cannot be empty")
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix not in _MEDIA_TYPES:
        raise SimError(-71)
    media = ctx.world.table("media")
    old = media.get(name)
    media_id = old["id"] if old else ctx.world.new_id()
    media[name] = {"id": media_id, "mediaName": name, "mediaSize": f"{max(1, len(data) // 1024)}KB",
                   "mediaSuffix": suffix, "mediaType": _MEDIA_TYPES[suffix],
                   "mediaPath": f"/att/picture/{media_id}.{suffix}"}


@handles("2.7.2")
def media_delete(ctx: Ctx) -> None:
    if ctx.world.table("media").pop(ctx.p.text("name"), None) is None:
        raise SimError(-70)


@handles("2.7.3")
def media_get(ctx: Ctx) -> Rows:
    media = ctx.world.table("media").get(ctx.p.text("name"))
    if media is None:
        raise SimError(-70)
    return Rows([media])


# -- attendance applications -----------------------------------------------------------------------


def _applicant(ctx: Ctx) -> str:
    pin = ctx.p.require("personPin", -20)
    if pin not in ctx.world.persons:
        raise SimError(-22)
    return pin


def _leave(ctx: Ctx) -> dict[str, Any]:
    pin = _applicant(ctx)
    lo, hi = ctx.date_range("startDatetime", "endDatetime")
    if lo is None or hi is None:
        raise SimError(-100)
    leave_type = ctx.p.text("leaveTypeNo")
    if leave_type not in ctx.world.table("leave_types"):
        raise SimError(-1, "unknown leaveTypeNo")
    return {"kind": "leave", "personPin": pin, "leaveTypeNo": leave_type, "start": lo, "end": hi,
            "leaveImagePath": ctx.p.text("leaveImagePath"), "remark": ctx.p.text("remark")}


def _store(ctx: Ctx, row: dict[str, Any]) -> None:
    row_id = ctx.world.new_id()
    ctx.world.table("att_applications")[row_id] = {"id": row_id, **row}


@handles("2.24.1")
def apply_sign(ctx: Ctx) -> None:
    pin = _applicant(ctx)
    when = ctx.date("signDatetime", missing=-100)
    _store(ctx, {"kind": "sign", "personPin": pin, "at": when, "remark": ctx.p.text("remark")})


@handles("2.24.2")
def apply_overtime(ctx: Ctx) -> None:
    pin = _applicant(ctx)
    lo, hi = ctx.date_range("startDatetime", "endDatetime")
    if lo is None or hi is None:
        raise SimError(-100)
    _store(ctx, {"kind": "overtime", "personPin": pin, "start": lo, "end": hi, "remark": ctx.p.text("remark")})


@handles("2.24.3")
def apply_leave(ctx: Ctx) -> None:
    _store(ctx, _leave(ctx))


@handles("2.23.6")
def leave_duration(ctx: Ctx) -> None:
    """Validates like a leave request; the manual's answer carries ``data: null``."""
    _leave(ctx)


@handles("2.23.5")
def upload_leave_image(ctx: Ctx) -> str:
    image = ctx.p.text("base64Image")
    if not rules.photo_ok(image):
        raise SimError(-71)
    day = fmt_time(ctx.world.now())[:10]
    return f"/fileresource/att/leave/image/{day}/{ctx.world.new_id()}.jpg"


# -- consumption -----------------------------------------------------------------------------------


def _pos(ctx: Ctx, table: str) -> Rows:
    lo, hi = ctx.date_range()
    pin, dept = ctx.p.opt("personPin"), ctx.p.opt("deptCode")
    rows = [r for r in ctx.world.table(table).values()
            if (pin is None or r["personPin"] == pin) and (dept is None or str(r["deptCode"]) == dept)
            and (lo is None or r["_at"] >= lo) and (hi is None or r["_at"] <= hi + 1)]
    rows.sort(key=lambda r: r["_at"], reverse=True)
    return Rows(rows, lambda r: {k: v for k, v in r.items() if not k.startswith("_")})


@handles("2.37.1")
def pos_records(ctx: Ctx) -> Rows:
    return _pos(ctx, "pos_records")


@handles("2.39.1")
def posid_records(ctx: Ctx) -> Rows:
    return _pos(ctx, "posid_records")


# -- smart video -----------------------------------------------------------------------------------


def _channel(ctx: Ctx) -> dict[str, Any]:
    channel_id = ctx.p.opt("channelId")
    if channel_id is None:
        raise SimError(-1, "channelId cannot be empty")
    channel = ctx.world.table("ivs_channels").get(channel_id)
    if channel is None:
        raise SimError(-102)
    return channel


def _url(channel: dict[str, Any], tail: str) -> str:
    return f"rtsp://viewer:sim-password@{channel['_ip']}:554/{tail}"


@handles("2.40.3")
def rtsp(ctx: Ctx) -> dict[str, Any]:
    channel = _channel(ctx)
    kind = ctx.p.text("rtspType", "0")
    if kind not in ("0", "1", "2"):
        raise SimError(-1, "rtspType must be 0, 1 or 2")
    streams = [{"rtspUrl": _url(channel, f"ch{int(channel['channel']):02d}.264?ptype=udp"), "type": 1,
                "parentType": 7},
               {"rtspUrl": _url(channel, f"ch{int(channel['channel']):02d}_sub.264?ptype=udp"), "type": 2,
                "parentType": 7}]
    if kind != "0":
        streams = [s for s in streams if str(s["type"]) == kind]
    return {"resultCode": "0", "content": {"rtspUrls": streams}}


def _window(ctx: Ctx) -> tuple[float, float]:
    lo = ctx.date("startTime", missing=-100) or 0.0
    hi = ctx.date("endTime", missing=-100) or 0.0
    if lo > hi:
        raise SimError(-101)
    return lo, hi


@handles("2.40.4")
def video_list(ctx: Ctx) -> dict[str, Any]:
    """Planned recordings in 2-hour blocks with a 5-minute gap, clipped to the window asked for."""
    _channel(ctx)
    lo, hi = _window(ctx)
    items: list[dict[str, str]] = []
    block = lo - lo % 7200
    while block < hi and len(items) < 200:
        start, end = max(lo, block), min(hi, block + 7200 - 300)
        if start < end:
            items.append({"startTime": fmt_time(start), "endTime": fmt_time(end), "type": "PLAN"})
        block += 7200
    return {"videoItem": items}


@handles("2.40.5")
def playback(ctx: Ctx) -> dict[str, Any]:
    channel = _channel(ctx)
    lo, hi = _window(ctx)
    span = f"start={fmt_time(lo).replace('-', '').replace(':', '').replace(' ', '')}" \
           f"&stop={fmt_time(hi).replace('-', '').replace(':', '').replace(' ', '')}"
    ch = int(channel["channel"])
    return {
        "passWord": "sim-password", "rtspUrl": _url(channel, f"recording?ch={ch}&stream=1&{span}"),
        "vidParentDeviceId": channel["vidParentDeviceId"],
        "rtspUrls": [{"rtspUrl": _url(channel, f"recording?ch={ch}&stream={n}&{span}"), "type": n + 1}
                     for n in (0, 1)],
        "type": "7", "userName": "viewer", "channelCode": channel["channelCode"],
    }


@handles("2.40.6")
def push_setting(ctx: Ctx) -> None:
    address = ctx.p.opt("pushAddress")
    if address is None:
        raise SimError(-1, "pushAddress cannot be empty")
    ctx.world.table("settings")["push"] = {"pushAddress": address, "alarmCodes": ctx.p.text("alarmCodes")}
