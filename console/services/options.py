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

__all__ = ["AlarmsOptions", "DoorsOptions", "EventsOptions", "PanelOptions", "VisitorsOptions", "lenient"]


class PanelOptions(BaseModel):
    """Base of every panel's options: unknown keys are kept out, assignments are checked."""

    model_config = ConfigDict(extra="ignore", validate_assignment=True, frozen=False)
    SECTION: ClassVar[str] = ""


class DoorsOptions(PanelOptions):
    SECTION: ClassVar[str] = "doors"

    grouping: str = "area_device"  # console.ui.doors.model.Grouping's values
    open_too_long_seconds: float = Field(default=30.0, ge=1.0, le=86_400.0)


class EventsOptions(PanelOptions):
    SECTION: ClassVar[str] = "events"

    columns: str = ""  # base64 of the table header's saved state
    details_hidden: bool = False


class AlarmsOptions(PanelOptions):
    SECTION: ClassVar[str] = "alarms"

    volume: int = Field(default=60, ge=0, le=100)
    muted: bool = False
    snooze_minutes: int = Field(default=5, ge=1, le=60)
    columns: list[str] = Field(default_factory=list)  # header names in order; empty: the default columns


class VisitorsOptions(PanelOptions):
    SECTION: ClassVar[str] = "visitors"

    site_name: str = Field(default="", max_length=120)  # on badges and the evacuation list
    site_logo: str = Field(default="", max_length=4096)  # a PNG or JPEG file for badges


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
