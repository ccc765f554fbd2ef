"""Saving a file the operator names: one save dialog (awaited, never exec()) and one way to say how it went."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QFileDialog, QWidget

from . import aio
from .banner import Banner

__all__ = ["ask_save_path", "write_and_tell"]


async def ask_save_path(parent: QWidget, title: str, name: str, filter_: str) -> Path | None:
    """A save-file dialog in the Documents folder with ``name`` proposed; None when cancelled."""
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())
    dialog = QFileDialog(parent, title, str(Path(folder) / name), filter_)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setFileMode(QFileDialog.FileMode.AnyFile)
    dialog.setDefaultSuffix(name.rsplit(".", 1)[-1])
    try:
        result = await aio.dialog_result(dialog)
        files = dialog.selectedFiles()
    finally:
        dialog.deleteLater()
    if result != QFileDialog.DialogCode.Accepted.value or not files:
        return None
    return Path(files[0])


def write_and_tell(banner: Banner, path: Path | None, write: Callable[[Path], object],
                   seconds: float | None = None) -> None:
    """Write ``path`` (nothing when None: cancelled) and say in ``banner`` whether it worked."""
    if path is None:
        return
    try:
        write(path)
    except (OSError, ValueError) as exc:
        banner.show_message("alarm", f"{path.name} could not be written: {exc}")
    else:
        banner.show_message("ok", f"Saved {path}", seconds=seconds)
