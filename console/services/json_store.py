"""One way to keep a small JSON file of the console's own (a desk's payments, its outbox, floor plans, drafts).

- **Written atomically** (:func:`write_json`): a temporary file beside it, ``fsync``, ``os.replace``
  (``settings.atomic_write``), owner-only (0600) in an owner-only folder. A crash leaves the old file or the new
  one, never half of one. A write that fails raises :class:`StoreWriteError`, whose text names the file and,
  when that is why, says "the data folder X is full / read-only" (``files.report_storage``, which also puts up
  the status bar's mark).
- **Read leniently** (:func:`read_json`): an absent file is ``None``; a file larger than ``max_bytes`` (not ours),
  not UTF-8 or not JSON is never deleted: it is set aside with the time (``files.set_aside``,
  ``<name>.damaged-<time>``), logged, added to the caller's ``found`` list (which ``SessionServices.set_aside``
  gathers for the operator), and ``None`` is returned so the owner starts empty rather than not at all.
- **Typed records** (:func:`record`): a frozen or plain dataclass from a JSON object, keeping only known keys of
  the right type (text capped), every other field at its default; ``None`` when the item is not an object.

:class:`JsonFile` bundles the three for a store that owns one file: ``load()``, ``save(data)`` and the
``set_aside`` list. The on-disk format is the caller's (this module adds no envelope). :class:`DraftFolder` is
a folder of half-filled forms, one file each (``<id>.json``: ``{"id", "saved", "form"}``), for the visitor and
enrolment forms.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import re
import typing
from collections.abc import Callable, Mapping
from dataclasses import fields, is_dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final, Generic, TypeVar

from console.services.files import SetAside, report_storage, set_aside
from console.services.paths import private_dir
from console.services.settings import atomic_write

__all__ = ["MAX_JSON_BYTES", "DraftFolder", "JsonFile", "StoreWriteError", "read_json", "record", "write_json"]

log = logging.getLogger(__name__)

MAX_JSON_BYTES: Final = 64 * 1024 * 1024  # a store's file larger than this was not written by the console


class StoreWriteError(OSError):
    """A store's file could not be written; the text names it and, when that is why, says the data folder is
    full or read-only (an ``OSError``: callers that caught the write's ``OSError`` still do)."""


def _damage(raw: bytes | None, size: int, max_bytes: int) -> tuple[Any, str]:
    """``(data, "")`` for good JSON, ``(None, reason)`` for a damaged file."""
    if raw is None:
        return None, f"{size:,} bytes, larger than the {max_bytes:,} this console writes"
    try:
        return json.loads(raw.decode("utf-8")), ""
    except UnicodeDecodeError:
        return None, "not UTF-8 text"
    except (ValueError, RecursionError) as exc:
        return None, f"not valid JSON: {exc}"[:200]


def read_json(path: Path, *, what: str = "file", found: list[SetAside] | None = None,
              max_bytes: int = MAX_JSON_BYTES) -> Any:
    """The JSON in ``path``; ``None`` when it is absent or unreadable.

    A damaged file (too large, not UTF-8, not JSON) is set aside with the time and its record appended to
    ``found``; one that cannot even be renamed is left where it is (logged: the next save replaces it). A file
    the console may not read (permissions) is logged and read as ``None``; it is not set aside."""
    try:
        with path.open("rb") as handle:
            raw: bytes | None = handle.read(max_bytes + 1)
        size = len(raw) if raw is not None else 0
        if size > max_bytes:
            size, raw = path.stat().st_size, None
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.error("the %s %s cannot be read: %s", what, path, exc.strerror or exc)
        return None
    data, reason = _damage(raw, size, max_bytes)
    if not reason:
        return data
    try:
        aside = set_aside(path, reason, what=what)
    except OSError as err:  # left where it is: the next save replaces it (its content is lost either way)
        log.error("the %s %s is damaged (%s) and could not be set aside: %s", what, path, reason, err)
        return None
    if found is not None:
        found.append(aside)
    return None


def write_json(path: Path, data: Any, *, indent: int | None = 1) -> None:
    """Write ``data`` as UTF-8 JSON to ``path`` atomically, owner-only (missing folders made owner-only).

    Raises :class:`StoreWriteError` in plain words ("... could not be written: the data folder X is full")."""
    text = json.dumps(data, ensure_ascii=False, indent=indent)
    try:
        private_dir(path.parent)
        atomic_write(path, text.encode("utf-8"))
    except OSError as exc:
        why = report_storage(exc, path.parent) or exc.strerror or str(exc)
        raise StoreWriteError(f"{path} could not be written: {why}") from None


R = TypeVar("R")


def record(cls: type[R], raw: Any, *, limit: int = 2000) -> R | None:
    """A ``cls`` (a dataclass whose fields all have defaults) from the JSON object ``raw``.

    Each field takes the value of its key when it is of the field's kind (text capped at ``limit``; a number in
    a text field is taken as its text; a ``dict[str, str]`` field's values as capped text; another dict field
    as it is, for its own reader), else its default.
    None when ``raw`` is not an object or the dataclass refuses the values."""
    if not isinstance(raw, dict) or not is_dataclass(cls):
        return None
    defaults = cls()
    values: dict[str, Any] = {}
    for f in fields(cls):
        value, current = raw.get(f.name), getattr(defaults, f.name)
        if isinstance(current, bool):
            values[f.name] = value if isinstance(value, bool) else current
        elif isinstance(current, int):
            values[f.name] = value if isinstance(value, int) and not isinstance(value, bool) else current
        elif isinstance(current, str) or current is None:
            if isinstance(value, int | float) and not isinstance(value, bool):
                value = str(value)
            values[f.name] = value[:limit] if isinstance(value, str) else current
        elif isinstance(current, dict):
            if not isinstance(value, dict):
                values[f.name] = current
            elif _text_dicts(cls).get(f.name):  # dict[str, str]: every value as capped text
                values[f.name] = {str(k): str(v)[:limit] for k, v in value.items()}
            else:  # dict[str, Any]: kept as it is, for its own reader (a form's from_dict)
                values[f.name] = {str(k): v for k, v in value.items()}
    try:
        return cls(**values)
    except (TypeError, ValueError):
        return None


@functools.cache
def _text_dicts(cls: type[Any]) -> dict[str, bool]:
    """Which dict fields of ``cls`` are ``dict[str, str]``."""
    hints = typing.get_type_hints(cls)
    return {name: typing.get_origin(hint) is dict and typing.get_args(hint) == (str, str)
            for name, hint in hints.items()}


class JsonFile:
    """One JSON file of a store: ``load()`` (lenient), ``save(data)`` (atomic), and the damaged files it set
    aside while loading (``set_aside``, for the operator: ``SessionServices.set_aside``)."""

    def __init__(self, path: Path, what: str, *, indent: int | None = 1, max_bytes: int = MAX_JSON_BYTES) -> None:
        self.path = path
        self.what = what  # "visitor outbox", "parking payments file"... (the operator reads it)
        self.indent = indent
        self.max_bytes = max_bytes
        self.set_aside: list[SetAside] = []

    def __repr__(self) -> str:
        return f"<JsonFile {self.what}: {self.path}>"

    def load(self) -> Any:
        return read_json(self.path, what=self.what, found=self.set_aside, max_bytes=self.max_bytes)

    def save(self, data: Any) -> None:
        write_json(self.path, data, indent=self.indent)


F = TypeVar("F")
_DRAFT_ID = re.compile(r"[0-9a-f]{32}")


class DraftFolder(Generic[F]):
    """Half-filled forms, one private file each (``<32 hex digits>.json``: ``{"id", "saved", "form"}``), saved on
    every change and removed once the form is sent. ``encode``/``decode`` turn a form into the JSON object under
    ``"form"`` and back (``decode`` must take any object: the file is read leniently). A damaged draft is set
    aside with the time (``set_aside`` lists them) and left out."""

    def __init__(self, directory: Path, what: str, encode: Callable[[F], dict[str, Any]],
                 decode: Callable[[Mapping[str, Any]], F], *, indent: int | None = 1) -> None:
        self.directory = directory
        self.what = what  # "visitor form draft"
        self._encode, self._decode, self._indent = encode, decode, indent
        self.set_aside: list[SetAside] = []

    @staticmethod
    def new_id() -> str:
        import uuid  # here: not with the board's start (~2 ms)

        return uuid.uuid4().hex

    def _path(self, draft_id: str) -> Path:
        if not _DRAFT_ID.fullmatch(draft_id):
            raise ValueError("not a draft id")
        return self.directory / f"{draft_id}.json"

    def save(self, draft_id: str, form: F) -> None:
        """Keep ``form`` (:class:`StoreWriteError` in plain words when it cannot be written)."""
        saved = datetime.now().isoformat(sep=" ", timespec="seconds")
        write_json(self._path(draft_id), {"id": draft_id, "saved": saved, "form": self._encode(form)},
                   indent=self._indent)

    def delete(self, draft_id: str) -> None:
        with contextlib.suppress(FileNotFoundError, ValueError):
            self._path(draft_id).unlink()

    def _read(self, path: Path) -> tuple[str, F] | None:
        data = read_json(path, what=self.what, found=self.set_aside)
        if not isinstance(data, dict) or not isinstance(data.get("form"), dict):
            return None
        saved = data.get("saved")
        return (saved if isinstance(saved, str) else ""), self._decode(data["form"])

    def load(self, draft_id: str) -> F | None:
        found = self._read(self._path(draft_id))
        return found[1] if found is not None else None

    def all(self) -> list[tuple[str, str, F]]:
        """``(id, saved at, form)`` of every draft, the most recently saved first."""
        out: list[tuple[str, str, F]] = []
        if not self.directory.is_dir():
            return out
        for path in self.directory.glob("*.json"):
            found = self._read(path) if _DRAFT_ID.fullmatch(path.stem) else None
            if found is not None:
                out.append((path.stem, *found))
        out.sort(key=lambda item: item[1], reverse=True)
        return out
