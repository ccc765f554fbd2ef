"""Floor plans per connection profile: plan images and where each door and gate marker sits on them.

Layout on disk (``data_dir/plans/<profile>/``)::

    plans.json        {"version": 1, "plans": [{"id", "name", "image", "markers": [{"kind", "id", "x", "y"}]}]}
    <plan id>.png     the image, copied in when the plan was added (PNG, JPEG or SVG)

``plans.json`` is rewritten atomically after every change, so a crash leaves the old layout or the new one
(``console.services.json_store``: a write that fails is a :class:`PlanError` in plain words; a damaged file is
set aside with the time, ``plans.json.damaged-<time>``, and listed in :attr:`FloorPlans.set_aside` for the
operator).
Marker positions are in image coordinates (pixels of the image; user units of an SVG), so they stay put
whatever the zoom. Images are checked here by size and signature only; the UI decodes them with allocation
limits (``QImageReader``), never trusting the header's claimed dimensions.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import math
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from console.services.files import SetAside
from console.services.json_store import JsonFile, StoreWriteError
from console.services.observable import Signal
from console.services.paths import private_dir

from .doors import ItemKey, Kind, clean_text

__all__ = ["MAX_IMAGE_BYTES", "FloorPlan", "FloorPlans", "Marker", "PlanError", "image_kind", "profile_dir_name"]

log = logging.getLogger(__name__)

PLANS_FILE = "plans.json"
MAX_IMAGE_BYTES = 40 * 1024 * 1024
MAX_PLANS = 100
MAX_NAME = 80
_FORMATS = {"png": ".png", "jpeg": ".jpg", "svg": ".svg"}


class PlanError(ValueError):
    """A plan could not be added or changed (the text says why, for the operator)."""


@dataclass(frozen=True, slots=True)
class Marker:
    kind: Kind
    item_id: str
    x: float
    y: float

    @property
    def key(self) -> ItemKey:
        return (self.kind, self.item_id)


@dataclass(frozen=True, slots=True)
class FloorPlan:
    id: str
    name: str
    image: str  # file name inside the profile's plan folder
    markers: tuple[Marker, ...] = ()

    def marker(self, key: ItemKey) -> Marker | None:
        return next((m for m in self.markers if m.key == key), None)


def profile_dir_name(profile: str) -> str:
    """A folder name for ``profile``: readable, safe on every OS, and distinct for distinct names."""
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", profile).strip("-")[:40] or "profile"
    digest = hashlib.sha256(profile.encode("utf-8")).hexdigest()[:8]
    return f"{slug}-{digest}"


def image_kind(path: Path) -> str:
    """``png``, ``jpeg`` or ``svg`` from the file's first bytes (never from its name); PlanError otherwise."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError as exc:
        raise PlanError(f"cannot read {path.name}: {exc.strerror or exc}") from None
    if size > MAX_IMAGE_BYTES:
        raise PlanError(f"{path.name} is larger than {MAX_IMAGE_BYTES // (1024 * 1024)} MB")
    if size == 0:
        raise PlanError(f"{path.name} is empty")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if (text.startswith((b"<?xml", b"<svg", b"<!--", b"<!doctype svg")) and b"<svg" in text) or text.startswith(
        b"<svg"
    ):
        return "svg"
    raise PlanError(f"{path.name} is not a PNG, JPEG or SVG image")


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) and abs(number) < 1e7 else None


class FloorPlans:
    """The plans of one profile. ``changed(plan_id)`` is emitted after each saved change ("" for the list)."""

    def __init__(self, data_dir: Path, profile: str) -> None:
        self.folder = Path(data_dir) / "plans" / profile_dir_name(profile)
        self.profile = profile
        self._plans: list[FloorPlan] = []
        self.changed: Signal[str] = Signal()
        self._file = JsonFile(self.folder / PLANS_FILE, "floor plans file")
        self.set_aside: list[SetAside] = self._file.set_aside  # a damaged file found at start (for the operator)
        self._load()

    def __repr__(self) -> str:
        return f"<FloorPlans {self.profile!r}: {len(self._plans)} plans>"

    # -- reading ---------------------------------------------------------------------------------

    @property
    def plans(self) -> list[FloorPlan]:
        return list(self._plans)

    def __iter__(self) -> Iterator[FloorPlan]:
        return iter(list(self._plans))

    def __len__(self) -> int:
        return len(self._plans)

    def plan(self, plan_id: str) -> FloorPlan | None:
        return next((p for p in self._plans if p.id == plan_id), None)

    def image_path(self, plan: FloorPlan) -> Path:
        return self.folder / plan.image

    def plans_with(self, key: ItemKey) -> list[FloorPlan]:
        return [p for p in self._plans if p.marker(key) is not None]

    # -- changing ----------------------------------------------------------------------------------

    def add(self, name: str, source: Path) -> FloorPlan:
        """Copy ``source`` (PNG, JPEG or SVG) in as a new plan named ``name``."""
        if len(self._plans) >= MAX_PLANS:
            raise PlanError(f"a profile holds at most {MAX_PLANS} plans")
        kind = image_kind(Path(source))
        import uuid  # here: not with the board's start (~2 ms)

        plan_id = uuid.uuid4().hex[:12]
        image = plan_id + _FORMATS[kind]
        private_dir(self.folder)
        target = self.folder / image
        partial = target.with_name("." + image + ".part")
        try:
            shutil.copyfile(source, partial)
            partial.chmod(0o600)  # owner-only like every file of the console (copyfile follows the umask)
            os.replace(partial, target)
        except OSError as exc:
            with contextlib.suppress(OSError):
                partial.unlink()
            raise PlanError(f"cannot copy {Path(source).name}: {exc.strerror or exc}") from None
        plan = FloorPlan(plan_id, self._name(name, Path(source).stem), image)
        self._plans.append(plan)
        self._save()
        self.changed.emit("")
        return plan

    def rename(self, plan_id: str, name: str) -> FloorPlan:
        plan = self._get(plan_id)
        return self._put(replace(plan, name=self._name(name, plan.name)), "")

    def remove(self, plan_id: str) -> None:
        plan = self._get(plan_id)
        self._plans = [p for p in self._plans if p.id != plan_id]
        self._save()
        with contextlib.suppress(OSError):
            (self.folder / plan.image).unlink()
        self.changed.emit("")

    def set_marker(self, plan_id: str, key: ItemKey, x: float, y: float) -> FloorPlan:
        """Place (or move) the marker of door/gate ``key`` at image point (x, y)."""
        plan = self._get(plan_id)
        px, py = _number(x), _number(y)
        if px is None or py is None:
            raise PlanError("a marker needs a finite position")
        kind, item_id = key
        markers = [m for m in plan.markers if m.key != key]
        markers.append(Marker(Kind(kind), str(item_id), px, py))
        return self._put(replace(plan, markers=tuple(markers)), plan_id)

    def remove_marker(self, plan_id: str, key: ItemKey) -> FloorPlan:
        plan = self._get(plan_id)
        return self._put(replace(plan, markers=tuple(m for m in plan.markers if m.key != key)), plan_id)

    # -- internals ---------------------------------------------------------------------------------

    @staticmethod
    def _name(name: str, fallback: str) -> str:
        return clean_text(name, MAX_NAME) or clean_text(fallback, MAX_NAME) or "Plan"

    def _get(self, plan_id: str) -> FloorPlan:
        plan = self.plan(plan_id)
        if plan is None:
            raise PlanError("no such plan")
        return plan

    def _put(self, plan: FloorPlan, signal_id: str) -> FloorPlan:
        self._plans = [plan if p.id == plan.id else p for p in self._plans]
        self._save()
        self.changed.emit(signal_id)
        return plan

    def _save(self) -> None:
        doc = {
            "version": 1,
            "plans": [
                {
                    "id": p.id,
                    "name": p.name,
                    "image": p.image,
                    "markers": [{"kind": m.kind.value, "id": m.item_id, "x": m.x, "y": m.y} for m in p.markers],
                }
                for p in self._plans
            ],
        }
        try:
            self._file.save(doc)
        except StoreWriteError as exc:
            raise PlanError(f"the floor plans could not be saved: {exc}") from None

    def _load(self) -> None:
        doc = self._file.load()
        raw_plans = doc.get("plans") if isinstance(doc, dict) else None
        for raw in raw_plans if isinstance(raw_plans, list) else []:
            plan = self._plan_from(raw)
            if plan is not None:
                self._plans.append(plan)

    def _plan_from(self, raw: Any) -> FloorPlan | None:
        if not isinstance(raw, dict):
            return None
        plan_id, name, image = raw.get("id"), raw.get("name"), raw.get("image")
        if not (isinstance(plan_id, str) and isinstance(name, str) and isinstance(image, str)):
            return None
        if not re.fullmatch(r"[0-9a-f]{1,32}\.(png|jpg|svg)", image) or not (self.folder / image).is_file():
            log.warning("floor plan %r skipped: its image is missing", name)
            return None
        markers: list[Marker] = []
        raw_markers = raw.get("markers")
        for entry in raw_markers if isinstance(raw_markers, list) else []:
            if not isinstance(entry, dict):
                continue
            kind, item_id = entry.get("kind"), entry.get("id")
            x, y = _number(entry.get("x")), _number(entry.get("y"))
            if kind in ("door", "gate") and isinstance(item_id, str) and item_id and x is not None and y is not None:
                markers.append(Marker(Kind(kind), item_id, x, y))
        return FloorPlan(plan_id, self._name(name, "Plan"), image, tuple(markers))
