from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget

from console.ui import aio
from tests.helpers import until


def test_dialog_is_awaited_without_nesting_the_loop(qtbot, run) -> None:
    dialog = QDialog()
    qtbot.addWidget(dialog)
    ticks: list[int] = []

    async def scenario() -> int:
        async def ticker() -> None:  # another task keeps running while the dialog is up
            for i in range(3):
                ticks.append(i)
                await asyncio.sleep(0)
            dialog.accept()

        aio.spawn(ticker())
        return await aio.dialog_result(dialog)

    assert run(scenario()) == QDialog.DialogCode.Accepted
    assert ticks == [0, 1, 2]


def test_message_box_shows_markup_as_plain_text(qtbot, run) -> None:
    def visible_box() -> QMessageBox | None:
        boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
        return boxes[0] if boxes else None

    async def operator_reads_and_clicks_ok() -> str:
        box = await until(visible_box)
        text = box.text()
        assert box.textFormat() == Qt.TextFormat.PlainText
        box.button(QMessageBox.StandardButton.Ok).click()
        return text

    async def scenario() -> tuple[QMessageBox.StandardButton, str]:
        reader = aio.spawn(operator_reads_and_clicks_ok())
        answer = await aio.message(None, "t", "<b>door</b>")
        return answer, await reader

    assert run(scenario()) == (QMessageBox.StandardButton.Ok, "<b>door</b>")


def test_failed_task_is_reported_and_owner_destruction_cancels(qtbot, run) -> None:
    seen: list[str] = []
    aio.set_error_handler(lambda exc, ctx: seen.append(str(exc)))

    async def boom() -> None:
        raise RuntimeError("kaput")

    async def forever() -> None:
        await asyncio.Event().wait()

    async def scenario() -> bool:
        t = aio.spawn(boom())
        await asyncio.gather(t, return_exceptions=True)
        await asyncio.sleep(0)
        owner = QWidget()
        task = aio.spawn(forever(), owner=owner)
        owner.deleteLater()
        from PySide6.QtCore import QCoreApplication, QEvent

        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        await asyncio.gather(task, return_exceptions=True)
        return task.cancelled()

    assert run(scenario()) is True
    assert seen == ["kaput"]
