"""A big board (over 1,000 doors and gates) is rebuilt, filtered and announced over several turns of the event loop,
never in one: the old rows stay shown meanwhile, and the new ones arrive complete and equal to what a plain filter
gives. No server needed: the board is seeded."""

from __future__ import annotations

import gc
import time
from dataclasses import replace
from itertools import pairwise
from typing import Any

import pytest
from PySide6.QtCore import QObject, QPersistentModelIndex, Qt, QTimer

from console.api.models import ConnectState, DoorAlarm
from console.services.doors import DoorBoard, Item, Kind, _summary
from console.services.doors_gc import HELD_THRESHOLD
from console.ui.doors import turns
from console.ui.doors.filtered import BoardFilter
from console.ui.doors.model import (
    REBUILD_SLICED_ABOVE,
    REBUILD_STEP,
    SLICE_STEP,
    BoardModel,
    Grouping,
    HeaderInfo,
    Role,
)
from tests.helpers import until
from tests.services.doors_helpers import session_for


@pytest.fixture(autouse=True)
def _unfrozen() -> Any:
    """A big board's rebuild freezes what survived it (console/services/doors_gc.py): not in the test process."""
    yield
    gc.unfreeze()


def _items(count: int) -> list[Item]:
    return [Item(Kind.DOOR, f"door-{n:05}", f"Door {n}", device_id=f"dev-{n // 4}", device_name=f"C{n // 4:04}",
                 area=f"Area {n // 1000}", has_state=True) for n in range(count)]


def test_a_big_board_is_rebuilt_in_slices(qtbot, run, tmp_path) -> None:
    session = session_for("http://127.0.0.1:9", tmp_path)  # never asked: the board is seeded
    board = DoorBoard(session)
    model = BoardModel(board, Grouping.AREA_DEVICE)
    try:
        count = REBUILD_SLICED_ABOVE + 500
        threshold = gc.get_threshold()
        assert board.seed(_items(count)) == count
        assert model.rebuilding  # under way, not done inside the signal
        assert model.rowCount() == 0  # the previous rows (none) until it lands
        assert gc.get_threshold()[2] >= HELD_THRESHOLD  # no full collection walks the half-built rows
        run(until(lambda: not model.rebuilding, 10))
        assert gc.get_threshold() == threshold  # as it was, once the rows landed
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


def _mixed(count: int) -> list[Item]:
    """Doors and gates, every seventh offline and every eleventh in alarm ("only problems" keeps some)."""
    out = []
    for n in range(count):
        kind = Kind.GATE if n % 10 == 9 else Kind.DOOR
        out.append(Item(kind, f"{kind.value}-{n:05}", f"{kind.value.title()} {n}", device_id=f"dev-{n // 4}",
                        device_name=f"C{n // 4:04}", area=f"Area {n // 1000}", has_state=True,
                        connect=ConnectState.OFFLINE if n % 7 == 0 else ConnectState.ONLINE,
                        door_alarm=DoorAlarm.TAMPERING if n % 11 == 0 and kind is Kind.DOOR else DoorAlarm.NONE))
    return out


def _plain(model: BoardModel, flt: BoardFilter) -> list[Any]:
    """The rows a plain filter leaves: the items it accepts, and the headers of the groups holding one of them."""
    accepted = {i.key for i in model.board.items if flt.accepts(i)}
    return [row for row in model.rows
            if (isinstance(row, HeaderInfo) and any(k in accepted for k in row.members))
            or (not isinstance(row, HeaderInfo) and row in accepted)]


def _shown(flt: BoardFilter) -> list[Any]:
    out = []
    for r in range(flt.rowCount()):
        header = flt.index(r).data(Role.HEADER)
        out.append(header if isinstance(header, HeaderInfo) else flt.index(r).data(Role.KEY))
    return out


def _same(shown: list[Any], expected: list[Any]) -> bool:
    return [h.group if isinstance(h, HeaderInfo) else h for h in shown] == [
        h.group if isinstance(h, HeaderInfo) else h for h in expected]


@pytest.fixture
def big(qtbot, run, tmp_path):
    session = session_for("http://127.0.0.1:9", tmp_path)  # never asked: the board is seeded
    board = DoorBoard(session)
    model = BoardModel(board, Grouping.AREA_DEVICE)
    flt = BoardFilter()
    flt.setSourceModel(model)
    board.seed(_mixed(REBUILD_SLICED_ABOVE + 700))
    run(until(lambda: not model.rebuilding and not flt.computing, 10))
    yield board, model, flt
    flt.detach()
    model.detach()
    run(session.aclose())


def test_a_big_boards_filter_is_computed_over_turns_and_equals_the_plain_filter(big, run, qtmodeltester) -> None:
    board, model, flt = big
    assert _same(_shown(flt), model.rows)  # no filter: every row
    before = _shown(flt)
    flt.set_filter(problems=True)
    assert flt.computing  # under way, not done inside the call
    assert _shown(flt) == before  # the previous rows until the new ones land
    run(until(lambda: not flt.computing, 10))
    shown = _shown(flt)
    assert _same(shown, _plain(model, flt))
    assert 0 < flt.shown_count() < len(board)
    assert flt.shown_count() == sum(1 for i in board.items if i.problem)
    for header in (h for h in shown if isinstance(h, HeaderInfo)):  # counts of what is shown, "shown of" the total
        items = [board.item(k) for k in header.members if board.item(k) is not None]
        accepted = [i for i in items if i is not None and i.problem]
        assert (header.doors + header.gates, header.offline, header.alarm) == (
            len(accepted), sum(i.offline for i in accepted), sum(i.alarm for i in accepted))
        assert header.total == len(header.members)
    flt.set_filter(text="door 1")
    run(until(lambda: not flt.computing, 10))
    assert _same(_shown(flt), _plain(model, flt))
    qtmodeltester.check(flt)
    flt.set_filter(text="", problems=False)  # nothing filtered: the board's rows again, at once
    assert not flt.computing
    assert _same(_shown(flt), model.rows)


def test_the_selection_follows_its_tile_when_the_filter_changes(big, run) -> None:
    board, model, flt = big
    key = [i.key for i in board.items if i.problem and i.is_door][-1]
    current = QPersistentModelIndex(flt.mapFromSource(model.index_of(key)))
    flt.set_filter(problems=True)
    run(until(lambda: not flt.computing, 10))
    assert current.isValid()
    assert current.row() != model.row_of(key)  # moved up: the rows above it are filtered out
    assert flt.index(current.row()).data(Role.KEY) == key


def test_a_state_change_under_a_filter_moves_the_tile_in_or_out_and_recounts(big, run) -> None:
    board, model, flt = big
    flt.set_filter(problems=True)
    run(until(lambda: not flt.computing, 10))
    calm = next(i for i in board.items if not i.problem)
    board._items[calm.key] = replace(calm, connect=ConnectState.OFFLINE)  # as a poll would, then announced
    board._announce({calm.key}, False)
    run(until(lambda: not flt.computing and not model._pending, 10))
    assert calm.key in {i.key for i in flt.visible_items()}
    assert _same(_shown(flt), _plain(model, flt))
    assert board.summary == _summary(board.items)


def test_no_turn_of_the_loop_handles_more_than_a_step_of_rows(big, run, monkeypatch) -> None:
    board, model, flt = big
    monkeypatch.setattr(turns, "TURN_SECONDS", 0.0)  # one step per turn: what a turn handles is countable
    per_turn: list[int] = [0]
    flt.dataChanged.connect(lambda *_: per_turn.__setitem__(-1, per_turn[-1] + 1))
    original = turns._turn

    def turn() -> None:
        per_turn.append(0)
        original()

    monkeypatch.setattr(turns, "_turn", turn)
    now = time.monotonic()
    for item in board.items:  # fresh (as after a poll), then every tile turns stale: announced in steps
        item.stale, item.updated = False, now
    board._announce(set(board._items), False)
    run(until(lambda: not model._pending, 10))
    per_turn[:] = [0]
    board.tick(now + 3 * board.interval)
    run(until(lambda: not model._pending, 10))
    assert board.summary.stale == len(board)
    assert max(per_turn) <= SLICE_STEP + 2 * (SLICE_STEP // 4 + 2)  # rows, and the headers of their groups
    assert sum(1 for n in per_turn if n) >= len(board) // SLICE_STEP
    steps = 0
    original_step = flt._compute_step

    def counted() -> bool:
        nonlocal steps
        steps += 1
        return original_step()

    monkeypatch.setattr(flt, "_compute_step", counted)
    flt.set_filter(problems=True)
    run(until(lambda: not flt.computing, 10))
    assert steps >= 2 * len(model.rows) // REBUILD_STEP  # two passes over the rows, REBUILD_STEP at a time
    assert _same(_shown(flt), _plain(model, flt))


def test_other_timers_run_between_two_turns_of_the_boards_work(qtbot, monkeypatch) -> None:
    """One turn of the board's sliced work per pass of the loop: a timer due meanwhile (the network, the asyncio
    side's slices) runs between two turns, not after several turns in a row."""
    monkeypatch.setattr(turns, "TURN_SECONDS", 0.0)  # one step per turn
    owner = QObject()
    ticks = [0]
    other = QTimer()
    other.setTimerType(Qt.TimerType.PreciseTimer)
    other.setInterval(1)
    other.timeout.connect(lambda: ticks.__setitem__(0, ticks[0] + 1))
    other.start()
    seen: list[int] = []

    def step() -> bool:
        seen.append(ticks[0])
        while other.remainingTime() > 0:  # a step long enough for the other timer to fall due
            pass
        return len(seen) < 20

    turns.schedule(owner, "test", step)
    qtbot.waitUntil(lambda: not turns.pending(owner, "test"))
    other.stop()
    assert len(seen) == 20
    assert all(later > earlier for earlier, later in pairwise(seen))
