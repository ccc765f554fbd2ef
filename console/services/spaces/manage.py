"""Managing the spaces, facilities and services themselves (2.43.3/2.43.4, 2.44.3/2.44.4, 2.45.3/2.45.4). Qt-free.

:class:`SpaceAdmin` works beside a :class:`~.desk.SpaceDesk` (its client, audit log, operator and profile) and
reads the desk's directories again after every write, so the timeline shows the new space at once. Only
operators whose connection profile is named in ``SpacesOptions.manage_profiles`` see these actions (the panel
decides; the service does not know the setting).

Every write is checked locally first (nothing is sent when a rule fails: problems by form field), audited
before it leaves, sent once and reported as a :class:`~.desk.SpaceResult` with the shared
:class:`~console.services.outcome.Outcome`; a refusal is mapped to the field it is about (the appendix has no
space codes: the server's words are read). When the answer is lost, the desk's directories are read again to
say whether it happened (never sent again). Deletes answer ``Succeed: n, Failed: m.``: the list is read again to
say exactly which went (a built-in facility or service is never deleted by the server).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from pydantic import ValidationError

from console.api.errors import ApiError, CVSecError
from console.api.models.spaces import (
    MIN_FACILITY_NO,
    FacilityInput,
    RetentionTime,
    ServiceInput,
    SpaceInput,
)
from console.services.audit import AuditError
from console.services.outcome import Outcome
from console.services.text import clean_text

from .desk import SpaceDesk, SpaceResult

__all__ = ["KINDS", "ItemForm", "SpaceAdmin", "SpaceForm"]

log = logging.getLogger(__name__)

KINDS: Final = ("space", "facility", "service")
RETENTIONS: Final = ("", "15", "30", "45", "60")
_FIELDS: Final = {  # wire names (pydantic aliases) -> form fields
    "name": "name", "capacity": "capacity", "personPin": "owner", "person_pin": "owner",
    "spaceDeviceIds": "devices", "space_device_ids": "devices", "spaceFacilityIds": "facilities",
    "space_facility_ids": "facilities", "address": "address", "remark": "remark", "retentionTime": "retention",
    "retention_time": "retention", "facilityNo": "number", "facility_no": "number", "personTel": "phone",
    "person_tel": "phone",
}


@dataclass(frozen=True)
class SpaceForm:
    """A space as the receptionist enters it; ``id`` empty adds one."""

    name: str
    capacity: str
    owner_pin: str
    device_ids: tuple[str, ...]
    facility_ids: tuple[str, ...] = ()
    address: str = ""
    remark: str = ""
    retention: str = ""  # "", 15, 30, 45, 60 (minutes an unused booking holds the space)
    phone: str = ""
    id: str = ""


@dataclass(frozen=True)
class ItemForm:
    """A facility (``kind`` "facility", with its ``number`` > 20) or a service; ``id`` empty adds one."""

    kind: str
    name: str
    remark: str = ""
    number: str = ""
    id: str = ""
    extra: Mapping[str, str] = field(default_factory=dict)


def _field_of_refusal(exc: ApiError, kind: str) -> str:
    text = f"{exc.server_message} {exc.appendix}".casefold()
    if exc.code in (-20, -22) or "person" in text or "pin" in text:
        return "owner"
    if exc.code == -102 or "device" in text:
        return "devices"
    if "facilityno" in text or "number" in text:
        return "number"
    if "capacity" in text:
        return "capacity"
    if "retention" in text:
        return "retention"
    if "facility" in text and kind == "space":
        return "facilities"
    if "name" in text or "built-in" in text or "exist" in text:
        return "name"
    return ""


def _validation_problems(exc: ValidationError) -> dict[str, str]:
    problems: dict[str, str] = {}
    for error in exc.errors():
        where = str(error["loc"][0]) if error.get("loc") else ""
        problems.setdefault(_FIELDS.get(where, "name"), str(error.get("msg", "not valid"))[:200])
    return problems


class SpaceAdmin:
    """Add, change and delete spaces, facilities and services (see the module docstring)."""

    def __init__(self, desk: SpaceDesk) -> None:
        self.desk = desk

    # -- checks --------------------------------------------------------------------------------------

    def check_space(self, form: SpaceForm) -> dict[str, str]:
        problems: dict[str, str] = {}
        name = form.name.strip()
        if not name:
            problems["name"] = "a space needs a name"
        elif len(name) > 100:
            problems["name"] = "at most 100 characters"
        elif any(s.name.casefold() == name.casefold() and s.id != form.id for s in self.desk.spaces.values()):
            problems["name"] = f"there is already a space called {name}"
        try:
            capacity = int(form.capacity.strip())
        except ValueError:
            capacity = 0
        if not 1 <= capacity <= 100_000:
            problems["capacity"] = "the number of people it holds: 1 or more"
        if not form.owner_pin.strip():
            problems["owner"] = "choose the person in charge of the space"
        if not form.device_ids:
            problems["devices"] = "choose the space's device (the server requires one)"
        elif self.desk.devices and any(d not in self.desk.devices for d in form.device_ids):
            problems["devices"] = "a chosen device is not a space device on the server"
        if any(f not in self.desk.facilities for f in form.facility_ids) and self.desk.facilities:
            problems["facilities"] = "a chosen facility is not on the server"
        if form.retention.strip() not in RETENTIONS:
            problems["retention"] = "15, 30, 45 or 60 minutes, or none"
        return problems

    def check_item(self, form: ItemForm) -> dict[str, str]:
        problems: dict[str, str] = {}
        name = form.name.strip()
        known = self.desk.facilities if form.kind == "facility" else self.desk.services
        if form.kind not in ("facility", "service"):
            return {"name": "a facility or a service"}
        if not name:
            problems["name"] = f"a {form.kind} needs a name"
        elif len(name) > 100:
            problems["name"] = "at most 100 characters"
        elif any(i.name.casefold() == name.casefold() and i.id != form.id for i in known.values()):
            problems["name"] = f"there is already a {form.kind} called {name}"
        current = known.get(form.id) if form.id else None
        if current is not None and current.builtin:
            problems["name"] = f"{current.name} is built into the server and cannot be changed"
        if form.kind == "facility":
            try:
                number = int(form.number.strip())
            except ValueError:
                number = 0
            if number < MIN_FACILITY_NO:
                problems["number"] = f"a number above {MIN_FACILITY_NO - 1} (lower ones are built in)"
            elif any(f.number == number and f.id != form.id for f in self.desk.facilities.values()):
                problems["number"] = f"number {number} is already used"
        return problems

    # -- writes ---------------------------------------------------------------------------------------

    async def save_space(self, form: SpaceForm) -> SpaceResult:
        """Add or change a space (2.43.4); its picture and smart-space mark are kept from the server's record."""
        problems = self.check_space(form)
        if problems:
            return SpaceResult(Outcome.INVALID, "some fields need attention; nothing was sent", problems=problems)
        kept: dict[str, Any] = {}
        if form.id:
            try:
                record = await self.desk.client.space(form.id)
            except ApiError:
                return SpaceResult(Outcome.INVALID, "this space is no longer on the server; nothing was sent")
            except CVSecError as exc:
                return SpaceResult(Outcome.NOT_SENT, f"the space could not be read ({exc}); nothing was sent")
            kept = {"picture": record.picture or None, "smart_space": record.smart_space,
                    "status": record.status if record.status.name != "UNKNOWN" else None}
        try:
            body = SpaceInput(
                id=form.id, name=form.name.strip(), capacity=int(form.capacity.strip()),
                person_pin=form.owner_pin.strip(), space_device_ids=list(form.device_ids),
                space_facility_ids=list(form.facility_ids) or None, address=form.address.strip() or None,
                remark=form.remark.strip() or None, person_tel=form.phone.strip() or None,
                retention_time=RetentionTime.parse(form.retention.strip()), **kept,
            )
        except ValidationError as exc:
            return SpaceResult(Outcome.INVALID, "some fields need attention; nothing was sent",
                               problems=_validation_problems(exc))
        params = {"id": form.id, "name": body.name, "capacity": body.capacity, "owner": body.person_pin,
                  "devices": list(form.device_ids), "facilities": list(form.facility_ids)}
        return await self._save("space", body, form.id, body.name, params)

    async def save_item(self, form: ItemForm) -> SpaceResult:
        """Add or change a facility (2.44.4) or a service (2.45.4)."""
        problems = self.check_item(form)
        if problems:
            return SpaceResult(Outcome.INVALID, "some fields need attention; nothing was sent", problems=problems)
        try:
            body: FacilityInput | ServiceInput
            if form.kind == "facility":
                body = FacilityInput(id=form.id, name=form.name.strip(), facility_no=int(form.number.strip()),
                                     remark=form.remark.strip() or None)
            else:
                body = ServiceInput(id=form.id, name=form.name.strip(), remark=form.remark.strip() or None)
        except ValidationError as exc:
            return SpaceResult(Outcome.INVALID, "some fields need attention; nothing was sent",
                               problems=_validation_problems(exc))
        params: dict[str, Any] = {"id": form.id, "name": body.name}
        if isinstance(body, FacilityInput):
            params["number"] = body.facility_no
        return await self._save(form.kind, body, form.id, body.name, params)

    async def _send(self, kind: str, body: SpaceInput | FacilityInput | ServiceInput) -> None:
        client = self.desk.client
        if isinstance(body, SpaceInput):
            await client.save_space(body)
        elif isinstance(body, FacilityInput):
            await client.save_facility(body)
        else:
            await client.save_space_service(body)

    def _known(self, kind: str) -> Mapping[str, Any]:
        if kind == "space":
            return self.desk.spaces
        return self.desk.facilities if kind == "facility" else self.desk.services

    async def _save(self, kind: str, body: SpaceInput | FacilityInput | ServiceInput, item_id: str, name: str,
                    params: dict[str, Any]) -> SpaceResult:
        verb = "changed" if item_id else "added"
        action = f"space.{kind}.{'edit' if item_id else 'add'}"
        before = set(self._known(kind))
        try:
            ticket = self.desk._begin(action, f"{kind} {name!r}", params)
        except AuditError as exc:
            return SpaceResult(Outcome.NOT_SENT, f"nothing was sent: {exc}")
        try:
            with ticket.uncertain_if_cancelled():
                await self._send(kind, body)
        except ApiError as exc:
            ticket.complete(f"refused {exc.code}: {exc.server_message or exc.appendix}")
            words = clean_text(exc.text, 300)
            where = _field_of_refusal(exc, kind)
            return SpaceResult(Outcome.REFUSED, f"the server refused: {words}",
                               problems={where: words} if where else {})
        except CVSecError as exc:
            outcome = Outcome.of(exc)
            ticket.complete(f"{outcome.value}: {exc}")
            if outcome is not Outcome.UNCERTAIN:
                return SpaceResult(outcome, f"the server could not be reached ({exc}); nothing was {verb}")
            return await self._settle_save(kind, item_id, name, before, action, params, exc)
        note = ticket.complete("ok")
        await self._reread()
        found = item_id or self._find(kind, name, before)
        return SpaceResult(Outcome.DONE, f"The {kind} {name} was {verb}{note}.", booking_id=found)

    def _find(self, kind: str, name: str, before: set[str]) -> str:
        wanted = clean_text(name, 120).casefold()
        return next((i for i, item in self._known(kind).items() if i not in before
                     and item.name.casefold() == wanted), "")

    async def _settle_save(self, kind: str, item_id: str, name: str, before: set[str], action: str,
                           params: dict[str, Any], exc: CVSecError) -> SpaceResult:
        """The answer was lost: read the list again (never send again) and say what the server holds."""
        try:
            await self.desk.read_directories()
        except CVSecError as again:
            self.desk._audit(action + ".settle", f"{kind} {name!r}", params, f"unknown: {again}")
            return SpaceResult(Outcome.UNCERTAIN, f"no answer from the server ({exc}), and it could not be asked "
                                                  f"again: the {kind} may or may not have been saved. It was not "
                                                  "sent again; look at the list before trying again")
        if item_id:
            item = self._known(kind).get(item_id)
            happened = item is not None and item.name.casefold() == clean_text(name, 120).casefold()
            found = item_id if happened else ""
        else:
            found = self._find(kind, name, before)
            happened = bool(found)
        self.desk._audit(action + ".settle", f"{kind} {name!r}", {**params, "id": found},
                         "ok (found on the server)" if happened else "not done (not on the server)")
        if happened:
            return SpaceResult(Outcome.DONE, f"the answer was lost, but the server shows the {kind} {name}",
                               booking_id=found, settled=True)
        if item_id:  # an edit that does not show: it may have been changed otherwise meanwhile
            return SpaceResult(Outcome.UNCERTAIN, f"the answer was lost and the server's {kind} does not show the "
                                                  "change; it was not sent again", settled=False)
        return SpaceResult(Outcome.NOT_SENT, f"the answer was lost and the server does not show the {kind} {name}: "
                                             "nothing was added. It was not sent again; you may try again",
                           settled=True)

    async def delete(self, kind: str, ids: Sequence[str]) -> SpaceResult:
        """Delete spaces, facilities or services (2.43.3, 2.44.3, 2.45.3), saying exactly which went."""
        if kind not in KINDS:
            return SpaceResult(Outcome.INVALID, "a space, facility or service")
        wanted = list(dict.fromkeys(i.strip() for i in ids if i and i.strip()))
        if not wanted:
            return SpaceResult(Outcome.INVALID, f"choose at least one {kind}")
        names = {i: getattr(self._known(kind).get(i), "name", "") or f"{kind} {i}" for i in wanted}
        try:  # read now: "which went" is then told apart from "was already gone"
            await self.desk.read_directories()
        except CVSecError as exc:
            return SpaceResult(Outcome.NOT_SENT, f"the {kind} list could not be read ({exc}); nothing was sent")
        known = dict(self._known(kind))
        missing = [i for i in wanted if i not in known]
        builtin = [i for i in wanted if getattr(known.get(i), "builtin", False)]
        send = [i for i in wanted if i not in builtin and i not in missing]
        if not send:
            why = [f"{names[i]} is built into the server" for i in builtin]
            why += [f"{names[i]} is no longer on the server" for i in missing]
            return SpaceResult(Outcome.INVALID, "; ".join(why) + "; nothing was sent", failed=tuple(wanted))
        busy = [i for i in send if kind == "space" and any(
            b.space_id == i and b.active for b in self.desk.bookings.values())]
        action, target = f"space.{kind}.delete", ", ".join(names[i] for i in send)[:1000]
        params: dict[str, Any] = {"ids": send}
        try:
            ticket = self.desk._begin(action, target, params)
        except AuditError as exc:
            return SpaceResult(Outcome.NOT_SENT, f"nothing was deleted: {exc}", failed=tuple(wanted))
        try:
            with ticket.uncertain_if_cancelled():
                count = await self.desk.client.space_directory_delete(kind, send)
        except ApiError as exc:
            ticket.complete(f"refused {exc.code}: {exc.server_message or exc.appendix}")
            return SpaceResult(Outcome.REFUSED, f"the server refused: {clean_text(exc.text, 300)}",
                               failed=tuple(wanted))
        except CVSecError as exc:
            outcome = Outcome.of(exc)
            ticket.complete(f"{outcome.value}: {exc}")
            if outcome is not Outcome.UNCERTAIN:
                return SpaceResult(outcome, f"the server could not be reached ({exc}); nothing was deleted",
                                   failed=tuple(wanted))
            return await self._settle_delete(kind, send, builtin, missing, names, action, target, params, exc)
        gone: list[str]
        kept: list[str]
        unknown: list[str]
        if count.counted and count.succeeded == len(send) and count.failed == 0:
            gone, kept, unknown = list(send), [], []
            await self._reread()
        else:  # some of each, or no counts: the list says which
            gone, kept, unknown = await self._which_gone(kind, send)
        answer = (f"Succeed: {count.succeeded}, Failed: {count.failed}" if count.counted
                  else clean_text(count.message, 200))
        ticket.complete(f"ok ({answer})", succeeded=gone, failed=kept, unknown=unknown)
        return self._delete_result(kind, gone, kept + builtin + missing, unknown, names, builtin, busy, missing)

    async def _which_gone(self, kind: str, send: list[str]) -> tuple[list[str], list[str], list[str]]:
        try:
            await self.desk.read_directories()
        except CVSecError as exc:
            log.info("the %s list could not be read again: %s", kind, exc)
            return [], [], list(send)
        now = self._known(kind)
        return [i for i in send if i not in now], [i for i in send if i in now], []

    async def _settle_delete(self, kind: str, send: list[str], builtin: list[str], missing: list[str],
                             names: Mapping[str, str], action: str, target: str, params: dict[str, Any],
                             exc: CVSecError) -> SpaceResult:
        gone, kept, unknown = await self._which_gone(kind, send)
        self.desk._audit(action + ".settle", target, {**params, "succeeded": gone, "failed": kept, "unknown": unknown},
                         "settled by re-reading" if not unknown else "unknown")
        result = self._delete_result(kind, gone, kept + builtin + missing, unknown, names, builtin, [], missing)
        kind_out = Outcome.UNCERTAIN if unknown else (Outcome.DONE if gone and not kept else
                                                      (Outcome.NOT_SENT if not gone else result.kind))
        return SpaceResult(kind_out, f"the answer was lost ({exc}); re-reading the server: {result.message}",
                           succeeded=result.succeeded, failed=result.failed, unknown=result.unknown,
                           settled=not unknown)

    @staticmethod
    def _delete_result(kind: str, gone: list[str], kept: list[str], unknown: list[str], names: Mapping[str, str],
                       builtin: list[str], busy: list[str], missing: list[str]) -> SpaceResult:
        parts = []
        if gone:
            parts.append("Deleted: " + ", ".join(names[i] for i in gone))
        if kept:
            why = {i: "built into the server" for i in builtin}
            why.update({i: "already gone" for i in missing})
            why.update({i: "it has bookings" for i in busy if i in kept})
            parts.append("Not deleted: " + ", ".join(names[i] + (f" ({why[i]})" if i in why else "") for i in kept))
        if unknown:
            parts.append("Could not tell: " + ", ".join(names[i] for i in unknown))
        if gone and not kept and not unknown:
            outcome = Outcome.DONE
        elif not gone and not unknown:
            outcome = Outcome.REFUSED
        else:
            outcome = Outcome.REFUSED if kept else Outcome.UNCERTAIN
        return SpaceResult(outcome, ". ".join(parts) + ".", succeeded=tuple(gone), failed=tuple(kept),
                           unknown=tuple(unknown))

    async def _reread(self) -> None:
        try:
            await self.desk.read_directories()
        except CVSecError as exc:
            log.info("the spaces could not be read again: %s", exc)
            self.desk.poller.wake()
