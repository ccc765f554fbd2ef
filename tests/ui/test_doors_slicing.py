"""A big board (over 1,000 doors and gates) is rebuilt over several turns of the event loop, never in one: the old rows
stay shown meanwhile, and the new ones arrive complete. No server needed: the board is seeded."""

from __future__ import annotations

from console.services.doors import DoorBoard, Item, Kind
from console.ui.doors.model import REBUILD_SLICED_ABOVE, BoardModel, Grouping, HeaderInfo
from tests.helpers import until
from tests.services.doors_helpers import session_for


def _items(count: int) -> list[Item]:
    return [Item(Kind.DOOR, f"door-{n:05}", f"Door {n}", device_id=f"dev-{n // 4}", device_name=f"C{n // 4:04}",
                 area=f"Area {n // 1000}", has_state=True) for n in range(count)]


def test_a_big_board_is_rebuilt_in_slices(qtbot, run, tmp_path) -> None:
    session = session_for("http://127.0.0.1:9", tmp_path)  # never asked: the board is seeded
    board = DoorBoard(session)
    model = BoardModel(board, Grouping.AREA_DEVICE)
    try:
        count = REBUILD_SLICED_ABOVE + 500
        assert board.seed(_items(count)) == count
        assert model.rebuilding  # under way, not done inside the signal
        assert model.rowCount() == 0  # the previous rows (none) until it lands
        run(until(lambda: not model.rebuilding, 10))
        rows = [model.entry(r) for r in range(model.rowCount())]
        assert sum(1 for r in rows if not isinstance(r, HeaderInfo)) == count
        assert sum(1 for r in rows if isinstance(r, HeaderInfo) and r.level == 0) == (count - 1) // 1000 + 1  # areas
        model.set_grouping(Grouping.DEVICE)  # a grouping change of a big board: sliced too
        assert model.rebuilding
        run(until(lambda: not model.rebuilding, 10))
        assert sum(1 for r in range(model.rowCount()) if isinstance(model.entry(r), HeaderInfo)) == count // 4
    finally:
        model.detach()
        run(session.aclose())
