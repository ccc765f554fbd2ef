"""The board under a filter: area headers count what is shown, and an empty board says what to do."""

from __future__ import annotations

from console.ui.doors.empty import empty_words
from console.ui.doors.model import HeaderInfo, Role
from tests.ui.test_doors_panel import Env, env, make_env, simthread, tiles  # noqa: F401 (fixtures)


def _headers(panel) -> list[HeaderInfo]:  # type: ignore[no-untyped-def]
    found = [panel.proxy.index(r, 0).data(Role.HEADER) for r in range(panel.proxy.rowCount())]
    return [h for h in found if isinstance(h, HeaderInfo)]


def test_area_headers_count_what_the_filter_shows(env: Env, run) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    panel = env.panel
    run(panel.board.poll_once())
    unfiltered = {h.group: h.counts_text() for h in _headers(panel)}
    assert all("shown of" not in text for text in unfiltered.values())
    door = next(i for i in panel.board.items if i.is_door)
    panel.search.setText(door.name)
    shown = tiles(panel)
    headers = _headers(panel)
    assert headers
    for header in headers:
        members = [i for i in shown if i.key in header.members]
        assert header.doors + header.gates == len(members)  # counted under the filter
        if len(header.members) != len(members):
            assert f"shown of {len(header.members)}" in header.counts_text()
    tip = panel.proxy.index(0, 0).data(0x03)  # ToolTipRole: the same counts
    assert "shown of" in str(tip) or all(len(h.members) == h.doors + h.gates for h in headers)
    panel.search.clear()
    assert {h.group: h.counts_text() for h in _headers(panel)} == unfiltered


def test_an_empty_board_says_what_matches_nothing_and_clears_the_filter(env: Env, run) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    panel = env.panel
    run(panel.board.poll_once())
    total = len(panel.board)
    assert not panel.empty.isVisible()
    panel.search.setText("lobyy")
    assert tiles(panel) == []
    assert panel.empty.isVisible()
    assert panel.empty.label.text() == f"No door or gate (of {total}) matches 'lobyy': clear the filter."
    assert panel.empty.clear_button.isVisible()
    panel.problems.setChecked(True)
    assert "'lobyy', only problems" in panel.empty.label.text()
    panel.empty.clear_button.click()
    assert panel.search.text() == ""
    assert not panel.problems.isChecked()
    assert len(tiles(panel)) == total
    assert not panel.empty.isVisible()


def test_an_empty_board_without_a_filter_says_why() -> None:
    assert empty_words("", 0, polled=False).startswith("Waiting for the server's first answer")
    assert empty_words("", 0, polled=True).startswith("This server has no doors or gates")
    assert empty_words("area North Wing", 12, polled=True) == (
        "No door or gate (of 12) matches area North Wing: clear the filter.")
