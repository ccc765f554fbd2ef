"""Event and alarm rows name the person (and department) of a pin the live monitor sent alone: from the
connection's cache (console.services.people_names), repainted when the name becomes known."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from console.services.events import Alarm, Event, Level, Source
from console.services.people_names import PeopleNames
from console.ui.alarms.model import AlarmColumn, AlarmTableModel
from console.ui.events.model import Column, cell_text


class NoServer:
    """Nothing is looked up in these tests (no event loop runs): names arrive by ``learn``."""

    async def persons(self, **_kw: Any) -> Any:
        raise AssertionError("not asked")

    async def person(self, pin: str) -> Any:
        raise AssertionError("not asked")


def duress(pin: str = "1042") -> Event:
    return Event(key="k1", source=Source.ACCESS, time=datetime(2026, 12, 2, 3, 0), name="Duress Password Open",
                 level=Level.ALARM, pin=pin, point="Main entrance")


def test_an_event_row_shows_the_name_once_known(qapp: QApplication) -> None:
    names = PeopleNames(NoServer())
    event = duress()
    assert cell_text(event, Column.PERSON, names) == "1042"  # asked for; the pin meanwhile
    names.learn([("1042", "Ann Lee", "Security")])
    assert cell_text(event, Column.PERSON, names) == "1042 · Ann Lee · Security"
    names.learn([("1043", "Bob Ng", "")])
    assert cell_text(duress("1043"), Column.PERSON, names) == "1043 · Bob Ng"


def test_an_alarm_row_repaints_its_person_when_the_name_arrives(qapp: QApplication) -> None:
    names = PeopleNames(NoServer())
    model = AlarmTableModel()
    model.names = names
    at = datetime(2026, 12, 2, 3, 0)
    model.set_alarms([Alarm(duress(), at, at)])
    index = model.index(0, int(AlarmColumn.PERSON))
    assert model.data(index, Qt.ItemDataRole.DisplayRole) == "1042"
    repainted: list[int] = []
    model.dataChanged.connect(lambda top, _bottom, *_: repainted.append(top.column()))
    names.names_changed.connect(model.names_known)
    names.learn([("1042", "Ann Lee", "Security")])
    assert repainted == [int(AlarmColumn.PERSON)]
    assert model.data(index, Qt.ItemDataRole.DisplayRole) == "1042 · Ann Lee · Security"
    assert "Ann Lee" in model.describe(model._alarms[0])
