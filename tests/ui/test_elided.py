"""Status-bar words give way on a narrow window: cut with "…", whole in text() and in the tool tip."""

from __future__ import annotations

from typing import Any

from console.ui.statusbar import StatusBar
from tests.ui.fit import lay_out


def test_a_long_label_is_cut_not_the_window_widened(qtbot: Any) -> None:
    bar = StatusBar()
    qtbot.addWidget(bar)
    long = "Head office, building B, second floor, the security desk by the lifts (https://cvsecurity.example)"
    bar.profile_label.setText(long)
    bar.set_mute("Sound muted until 19:00")
    bar.show()
    lay_out(bar, 600, 30)
    assert bar.minimumSizeHint().width() <= 600  # the bar never forces the window wider
    assert bar.profile_label.text() == long  # the whole text for whoever reads it
    assert bar.profile_label.elided()
    assert bar.profile_label.shown().endswith("…")
    assert long in bar.profile_label.toolTip()
    assert not bar.health_badge.elided()  # the connection state is short and always whole here
    lay_out(bar, 1900, 30)
    assert not bar.profile_label.elided()
    assert bar.profile_label.toolTip() == ""
    assert bar.mute.isVisible()
    assert bar.mute.text() == "Sound muted until 19:00"
    bar.set_mute("")
    assert not bar.mute.isVisible()
