"""Each panel's own settings, declared once: a typed model with its defaults and its limits.

They live in the settings file under ``[panels.<name>]``::

    [panels.doors]
    grouping = "area_device"
    open_too_long_seconds = 30.0

Read with :meth:`console.services.settings.Settings.panel` (``settings.panel(DoorsOptions)``): a value of the
wrong type or out of range falls back to its default, that field alone, so a hand-edited file never stops a
panel. Write with :meth:`~console.services.settings.Settings.set_panel`. A new panel adds its model here.
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from console.services import doors_options

__all__ = [
    "AlarmsOptions",
    "DoorsOptions",
    "EnrolmentOptions",
    "EventsOptions",
    "PanelOptions",
    "ParkingOptions",
    "ShiftOptions",
    "SpacesOptions",
    "VisitorsOptions",
    "lenient",
]


class PanelOptions(BaseModel):
    """Base of every panel's options: unknown keys are kept out, assignments are checked."""

    model_config = ConfigDict(extra="ignore", validate_assignment=True, frozen=False)
    SECTION: ClassVar[str] = ""


class DoorsOptions(PanelOptions):
    """Read at start by :mod:`console.services.doors_options` (without pydantic), with these defaults and limits."""

    SECTION: ClassVar[str] = doors_options.SECTION

    grouping: str = doors_options.GROUPING  # console.ui.doors.model.Grouping's values
    open_too_long_seconds: float = Field(default=doors_options.OPEN_TOO_LONG, ge=doors_options.OPEN_TOO_LONG_MIN,
                                         le=doors_options.OPEN_TOO_LONG_MAX)


class EventsOptions(PanelOptions):
    SECTION: ClassVar[str] = "events"

    columns: str = ""  # base64 of the table header's saved state
    details_hidden: bool = False


class AlarmsOptions(PanelOptions):
    SECTION: ClassVar[str] = "alarms"

    volume: int = Field(default=60, ge=0, le=100)
    muted: bool = False  # read no more: a mute without an end is not carried into a new start
    muted_until: str = Field(default="", max_length=40)  # ISO time the sound mute ends (console.services.mute)
    snooze_minutes: int = Field(default=5, ge=1, le=60)
    columns: list[str] = Field(default_factory=list)  # header names in order; empty: the default columns


class ShiftOptions(PanelOptions):
    """The desk's shifts: the times they change (the sound mute "until the end of the shift", the handover)."""

    SECTION: ClassVar[str] = "shift"

    ends: list[str] = Field(default_factory=lambda: ["07:00", "19:00"], max_length=24)  # "HH:MM", local time


class VisitorsOptions(PanelOptions):
    SECTION: ClassVar[str] = "visitors"

    site_name: str = Field(default="", max_length=120)  # on badges and the evacuation list
    site_logo: str = Field(default="", max_length=4096)  # a PNG or JPEG file for badges


class ParkingOptions(PanelOptions):
    SECTION: ClassVar[str] = "parking"

    site_name: str = Field(default="", max_length=120)  # on receipts and the cash-up
    currency_symbol: str = Field(default="¥", max_length=8)
    symbol_after: bool = False  # "12.50 €" rather than "¥ 12.50"
    decimal_separator: str = Field(default=".", min_length=1, max_length=1)
    thousands_separator: str = Field(default=",", max_length=1)
    overstay_hours: float = Field(default=24.0, gt=0, le=24 * 365)  # a car parked longer stands out
    payment_type: str = Field(default="cash", min_length=1, max_length=40)  # sent with 2.47.2
    lookback_hours: float = Field(default=72.0, ge=1, le=24 * 60)  # entries read at start for the cars in the lot


class SpacesOptions(PanelOptions):
    SECTION: ClassVar[str] = "spaces"

    view: str = Field(default="day", pattern="^(day|week)$")
    first_hour: int = Field(default=7, ge=0, le=23)  # the timeline's first and last hours (scrolls beyond)
    last_hour: int = Field(default=20, ge=1, le=24)
    slot_minutes: int = Field(default=30, ge=5, le=120)  # the keyboard's and the drag's step
    # connection profiles whose operators add/edit/delete spaces, facilities and services (the demo's, to train)
    manage_profiles: list[str] = Field(default_factory=lambda: ["Demo (simulator)"])


class EnrolmentOptions(PanelOptions):
    SECTION: ClassVar[str] = "enrolment"

    camera_id: str = Field(default="", max_length=400)  # the chosen camera (QCameraDevice.id, hex); "" = default
    auto_capture: bool = True  # take the photo when the frame has stayed good for a moment
    page_size: int = Field(default=50, ge=10, le=1000)  # people per page in the list


T = TypeVar("T", bound="PanelOptions")


def lenient(model: type[T], table: dict[str, Any]) -> T:
    """``model`` from ``table``, each field that does not validate replaced by its default."""
    data = {k: v for k, v in table.items() if k in model.model_fields}
    for _ in range(len(data) + 1):
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            bad = {str(error["loc"][0]) for error in exc.errors() if error["loc"]}
            if not bad & data.keys():
                break
            data = {k: v for k, v in data.items() if k not in bad}
    return model()
