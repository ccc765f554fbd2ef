"""A parking alarm (a car on the deny list entering, a car entering a full lot) as an alarm-level event for
the console's alarm queue: it is journalled, acknowledged and audited like a door's alarm.

The event is an entrance-control (``gate``) event on the device "Parking", its point the channel, its name
what happened with the plate; the key is made from the parking record, so one car raises one alarm of a kind.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from console.services.events.model import Event, Level, Source

from .desk import ParkingAlarm

__all__ = ["DEVICE", "alarm_event"]

DEVICE = "Parking"
_NAMES = {"denied": "Deny-listed car entered", "full": "Car entered a full car park"}


def alarm_event(alarm: ParkingAlarm, *, received: datetime | None = None) -> Event:
    digest = hashlib.blake2b(f"parking\x1f{alarm.kind}\x1f{alarm.record_id}\x1f{alarm.plate}\x1f{alarm.at:%Y%m%d%H%M%S}"
                             .encode(), digest_size=16).hexdigest()
    return Event(
        key=digest, source=Source.GATE, time=alarm.at.replace(microsecond=0), level=Level.ALARM,
        name=f"{_NAMES[alarm.kind]}: {alarm.plate}", point=alarm.channel or alarm.area, device_name=DEVICE,
        area=alarm.area, card=alarm.plate, received=received or datetime.now(),
        raw={"kind": alarm.kind, "carNumber": alarm.plate, "parkingAreaName": alarm.area,
             "channelName": alarm.channel, "recordId": alarm.record_id, "text": alarm.text},
    )
