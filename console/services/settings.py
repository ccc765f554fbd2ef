"""The console's settings: one TOML file in the config directory, written atomically, never holding a token.

::

    theme = "dark"
    last_profile = "Head office"
    operator = "night shift"
    door_open_seconds = 5

    [window]            # base64 of QMainWindow.saveGeometry()/saveState(), written by the shell
    geometry = "..."
    state = "..."

    [[profiles]]
    name = "Head office"
    url = "https://cvsecurity.example:8098"
    verify_tls = true
    ca_file = "/etc/ssl/our-ca.pem"     # optional
    poll_interval = 10.0

    [panels.doors]      # a panel's own options, typed: settings.panel(DoorsOptions) (console.services.options)

A damaged file is set aside (renamed with the time, ``settings.toml.damaged-<time>``:
``console.services.files.set_aside``; :attr:`Settings.set_aside` says so, for the operator) and the console starts
from defaults rather than not at all. Values of the wrong type are ignored one by one.
"""

from __future__ import annotations

import logging
import threading
import tomllib
from collections.abc import MutableMapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .files import SetAside, atomic_write, set_aside

if TYPE_CHECKING:  # loaded where used, not before the window's first paint: the panels' typed options (pydantic)
    from .options import PanelOptions  # with the first panel, a profile where one is read (in demo mode never)
    from .profile import Profile

__all__ = ["DOOR_OPEN_SECONDS_DEFAULT", "THEMES", "Settings", "atomic_write"]

log = logging.getLogger(__name__)

THEMES = ("dark", "light")
DOOR_OPEN_SECONDS_DEFAULT = 5
# Keys under which a token must never be written, whatever a caller puts in a free-form section.
_FORBIDDEN_KEYS = frozenset({"token", "access_token", "acc_token", "password", "secret"})
T = TypeVar("T", bound="PanelOptions")


def _clean(value: Any, where: str) -> Any:
    """A deep copy of ``value`` fit for TOML (no None) and free of anything named like a token."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            key = str(key)
            if key.lower() in _FORBIDDEN_KEYS:
                raise ValueError(f"settings never hold secrets ({where}.{key})")
            if item is not None:
                out[key] = _clean(item, f"{where}.{key}")
        return out
    if isinstance(value, (list, tuple)):
        return [_clean(item, where) for item in value if item is not None]
    return value


class Settings:
    """Typed accessors over the TOML document; :meth:`save` writes it back atomically."""

    def __init__(self, path: Path, data: dict[str, Any] | None = None) -> None:
        self.path = path
        self._data: dict[str, Any] = data if data is not None else {}
        self.set_aside: SetAside | None = None  # the damaged file load() renamed before starting from defaults
        # save_soon's writer thread: the queue (held for a moment) apart from the writes (held while the disk works)
        self._queue_lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._pending: tuple[int, bytes] | None = None  # the newest document queued, with its generation
        self._writer: threading.Thread | None = None
        self._generation = 0  # of the documents taken (a newer one is never overwritten by an older one)
        self._written = 0  # the generation on disk

    def __repr__(self) -> str:
        return f"<Settings {self.path}>"

    # -- loading and saving ------------------------------------------------------------------------

    @classmethod
    def load(cls, path: Path) -> Settings:
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return cls(path)
        try:
            data = tomllib.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            reason = "not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else f"not valid TOML: {exc}"
            fresh = cls(path)
            try:
                fresh.set_aside = set_aside(path, reason[:200], what="settings file")
            except OSError as err:  # left in place: saving the defaults will replace it
                log.error("the settings file %s is damaged (%s) and could not be set aside: %s", path, reason, err)
            return fresh
        return cls(path, data)

    def _document(self) -> tuple[int, bytes]:
        """The file's bytes now, with their generation (taken together: a later document has a later one)."""
        import tomli_w  # the first save's: not loaded before the window's first paint (~3 ms, issue 15)

        with self._queue_lock:
            data = tomli_w.dumps(_clean(self._data, "settings")).encode("utf-8")
            self._generation += 1
            return self._generation, data

    def _write(self, generation: int, data: bytes) -> None:
        with self._write_lock:
            if generation > self._written:  # (an older document that lost the race to the lock is dropped)
                atomic_write(self.path, data)
                self._written = generation

    def save(self) -> None:
        """Write the file now (raises OSError, ValueError); a write :meth:`save_soon` queued earlier and not yet
        on disk is dropped: this one holds newer settings."""
        self._write(*self._document())

    def save_soon(self) -> None:
        """Write the file from a worker thread, for an operator's action (a grouping, a filter): the atomic write
        ends with an fsync, 1-6 ms here and tens of milliseconds on a desk PC's busy disk, that the window must
        not wait for. The settings are taken now; the newest queued win; a failure is logged, never raised into
        the action. :meth:`flush` waits for it (the console's shutdown calls :meth:`save`, which writes now)."""
        try:
            document = self._document()
        except ValueError as exc:
            log.warning("settings not saved: %s", exc)
            return
        with self._queue_lock:
            self._pending = document
            if self._writer is not None:
                return  # the running writer takes the newest before it ends
            self._writer = writer = threading.Thread(target=self._write_pending, name="settings-writer")
        writer.start()

    def _write_pending(self) -> None:
        try:
            while True:
                with self._queue_lock:
                    document, self._pending = self._pending, None
                    if document is None:
                        self._writer = None
                        return
                try:
                    self._write(*document)
                except OSError as exc:
                    log.warning("settings not saved: %s", exc)
        finally:  # anything else it met: logged by the thread's hook, and the next save_soon starts a writer again
            with self._queue_lock:
                if self._writer is threading.current_thread():
                    self._writer = None

    def flush(self, timeout: float = 10.0) -> None:
        """Wait for the writes :meth:`save_soon` queued."""
        with self._queue_lock:
            writer = self._writer
        if writer is not None:
            writer.join(timeout)

    def as_dict(self) -> dict[str, Any]:
        return _clean(self._data, "settings")  # type: ignore[no-any-return]

    # -- plain keys (dict-like, for panels that keep a few values of their own) --------------------

    def get(self, key: str, default: Any = None) -> Any:
        return self._data.get(key, default)

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __setitem__(self, key: str, value: Any) -> None:
        if key.lower() in _FORBIDDEN_KEYS:
            raise ValueError(f"settings never hold secrets ({key})")
        self._data[key] = _clean(value, key)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def section(self, name: str) -> MutableMapping[str, Any]:
        """A panel's own table (``[panels.<name>]``), created on first use; call :meth:`save` after changes."""
        panels = self._table("panels")
        table = panels.get(name)
        if not isinstance(table, dict):
            table = panels[name] = {}
        return table

    def panel(self, model: type[T]) -> T:
        """A panel's typed options (``[panels.<model.SECTION>]``); bad values fall back to their defaults."""
        from .options import lenient

        table = self._table("panels").get(model.SECTION)
        return lenient(model, table if isinstance(table, dict) else {})

    def panel_value(self, section: str, key: str) -> Any:
        """One panel option as stored, unchecked (None when absent): for a caller that checks it itself before
        the typed options (pydantic) are imported, such as the last known board painted at start."""
        table = self._table("panels").get(section)
        return table.get(key) if isinstance(table, dict) else None

    def set_panel(self, options: PanelOptions, *, save: bool = True) -> None:
        """Store a panel's options (and write the file soon, from a worker thread: :meth:`save_soon`)."""
        self.section(options.SECTION).update(_clean(options.model_dump(), options.SECTION))
        if save:
            self.save_soon()

    def _table(self, name: str) -> dict[str, Any]:
        table = self._data.get(name)
        if not isinstance(table, dict):
            table = self._data[name] = {}
        return table

    def _typed(self, key: str, kind: type[Any], default: Any) -> Any:
        value = self._data.get(key, default)
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        return value if isinstance(value, kind) and not (kind is int and isinstance(value, bool)) else default

    # -- typed accessors ---------------------------------------------------------------------------

    @property
    def theme(self) -> str:
        value = self._typed("theme", str, "dark")
        return value if value in THEMES else "dark"

    @theme.setter
    def theme(self, value: str) -> None:
        if value not in THEMES:
            raise ValueError(f"unknown theme {value!r}")
        self._data["theme"] = value

    @property
    def operator(self) -> str:
        return str(self._typed("operator", str, ""))

    @operator.setter
    def operator(self, value: str) -> None:
        self._data["operator"] = value.strip()

    @property
    def last_profile(self) -> str | None:
        value = self._typed("last_profile", str, "")
        return value or None

    @last_profile.setter
    def last_profile(self, value: str | None) -> None:
        if value:
            self._data["last_profile"] = value
        else:
            self._data.pop("last_profile", None)

    @property
    def door_open_seconds(self) -> int:
        """The remembered remote-open time (the client's :func:`~console.api.typed.check_interval` range)."""
        value = int(self._typed("door_open_seconds", int, DOOR_OPEN_SECONDS_DEFAULT))
        try:
            from console.api.typed import check_interval  # pydantic: not before the first paint

            return check_interval(value)
        except ValueError:
            return DOOR_OPEN_SECONDS_DEFAULT

    @door_open_seconds.setter
    def door_open_seconds(self, value: int) -> None:
        from console.api.typed import check_interval

        self._data["door_open_seconds"] = check_interval(value)

    # window geometry and dock layout: base64 text of QMainWindow.saveGeometry()/saveState()
    def window_state(self) -> tuple[str, str]:
        table = self._data.get("window")
        if not isinstance(table, dict):
            return "", ""
        geometry, state = table.get("geometry", ""), table.get("state", "")
        return (geometry if isinstance(geometry, str) else "", state if isinstance(state, str) else "")

    def set_window_state(self, geometry: str, state: str) -> None:
        self._data["window"] = {"geometry": geometry, "state": state}

    # -- profiles ----------------------------------------------------------------------------------

    @property
    def profiles(self) -> list[Profile]:
        """The valid profiles, in file order; a malformed entry is skipped (and logged), not fatal."""
        out: list[Profile] = []
        raw = self._data.get("profiles", [])
        for entry in raw if isinstance(raw, list) else []:
            profile = _profile_from(entry)
            if profile is None:
                log.warning("a profile entry in %s is not usable and is ignored", self.path.name)
            elif all(p.name != profile.name for p in out):
                out.append(profile)
        return out

    def profile(self, name: str) -> Profile | None:
        return next((p for p in self.profiles if p.name == name), None)

    def upsert_profile(self, profile: Profile, *, old_name: str | None = None) -> None:
        """Add ``profile``, or replace the one named ``old_name`` (or its own name) in place."""
        entry = _profile_to(profile)
        raw = self._data.get("profiles")
        entries: list[Any] = raw if isinstance(raw, list) else []
        names = {old_name or profile.name, profile.name}
        kept: list[Any] = []
        placed = False
        for item in entries:
            if isinstance(item, dict) and item.get("name") in names:
                if not placed:
                    kept.append(entry)
                    placed = True
                continue
            kept.append(item)
        if not placed:
            kept.append(entry)
        self._data["profiles"] = kept
        if old_name and old_name != profile.name and self.last_profile == old_name:
            self.last_profile = profile.name

    def remove_profile(self, name: str) -> None:
        raw = self._data.get("profiles")
        if isinstance(raw, list):
            self._data["profiles"] = [p for p in raw if not (isinstance(p, dict) and p.get("name") == name)]
        if self.last_profile == name:
            self.last_profile = None


def _profile_from(entry: Any) -> Profile | None:
    from .profile import DEFAULT_POLL_INTERVAL, Profile

    if not isinstance(entry, dict):
        return None
    name, url = entry.get("name"), entry.get("url")
    verify, ca_file = entry.get("verify_tls", True), entry.get("ca_file")
    interval = entry.get("poll_interval", DEFAULT_POLL_INTERVAL)
    pinned = entry.get("pinned_cert", "")
    if not isinstance(pinned, str):
        pinned = ""
    if not isinstance(name, str) or not isinstance(url, str) or not isinstance(verify, bool):
        return None
    if ca_file is not None and not isinstance(ca_file, str):
        return None
    if isinstance(interval, bool) or not isinstance(interval, (int, float)):
        return None
    try:
        return Profile(name=name, url=url, verify_tls=verify, ca_file=ca_file or None, poll_interval=float(interval),
                       pinned_cert=pinned)
    except ValueError:
        return None


def _profile_to(profile: Profile) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": profile.name,
        "url": profile.url,
        "verify_tls": profile.verify_tls,
        "poll_interval": float(profile.poll_interval),
    }
    if profile.ca_file:
        entry["ca_file"] = profile.ca_file
    if profile.pinned_cert:
        entry["pinned_cert"] = profile.pinned_cert
    return entry
