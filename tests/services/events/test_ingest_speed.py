"""The ingest shortcuts give the same answers as the long way (issue 15: 20,000 events/s into the journal).

* ``normalise`` reads a record of the usual shape without building the pydantic model: for any record,
  odd ones included (hypothesis), the fields are those the model gives; and a record of the usual shape in
  one pass (``model._usual_event``): the same event, key and raw copy as the long way, whatever the record;
* the journal fills its search index once per batch instead of by a trigger per row, and stores the
  search text with a suffix so that a one- or two-letter needle is found through the index: every filter
  still finds exactly what a scan finds, in journals an older console wrote or shares, too.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.services.events import Event, EventFilter, Journal, Level, Retention, Source, normalise, search_index
from console.services.events import journal as journal_module
from console.services.events import model as events_model
from console.services.events.model import _model_fields, _plain_fields

from .fakes import make_event

KEEP = Retention(days=None, max_rows=None)

# the keys the models read, a few they keep as extras, and snake_case names (populate_by_name)
_KEYS = (
    "eventTime", "pin", "personPin", "name", "personName", "lastName", "personLastName", "deptName", "areaName",
    "cardNo", "devSn", "devName", "eventName", "eventNo", "eventNumber", "eventPointName", "readerName",
    "verifyModeName", "verifyMode", "logId", "eventLevel", "doorName", "doorNumber", "readerState", "accZone",
    "capturePhotoBase64", "gateType", "photoPath", "maskFlag", "temperature", "status", "id", "event_no",
    "last_name", "dev_sn", "event_time", "person", "extra", "x" * 120,
)
_TEXT = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", " ", "  Door 1 ", "2026-03-01 08:00:05", "2026-3-1 8:0:5", "1700000000000", "12",
                     "-7", "1e3", "nan", "0", "1", "null", "Normal", "abnormal", "36.6", "9" * 30, "\ud800x",
                     "a\u202eb", "x" * 5000]),
)
_VALUE = st.one_of(
    _TEXT,
    st.none(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, 1, 2, 15, 2**63 - 1, 2**63, -(2**63), 1700000000, 1700000000000]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
_RECORDS = st.dictionaries(st.sampled_from(_KEYS), _VALUE, max_size=14)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record=_RECORDS, source=st.sampled_from(list(Source)))
def test_a_record_read_directly_gives_the_fields_the_models_give(record: dict[str, Any], source: Source) -> None:
    plain = _plain_fields(record, source)
    if plain is not None:
        assert plain == _model_fields(record, source)


_USUAL = st.one_of(st.text(max_size=12), st.sampled_from(["", " Door 1 ", "2026-03-01 08:00:05", "12", "36.6", "1"]))


@settings(max_examples=300, deadline=None)
@given(record=st.fixed_dictionaries({k: _USUAL for k in ("eventTime", "pin", "name", "devSn", "eventName")},
                                    optional={k: st.one_of(_USUAL, st.none(), st.integers(-5, 10**6))
                                              for k in _KEYS[5:30] if k not in ("devSn", "eventName")}),
       source=st.sampled_from(list(Source)))
def test_records_of_the_usual_shape_take_the_short_way(record: dict[str, Any], source: Source) -> None:
    assert _plain_fields(record, source) == _model_fields(record, source)


def test_normalise_gives_the_same_event_either_way(monkeypatch: Any) -> None:

    record = {"eventTime": "2026-03-01 08:00:05", "pin": "12", "name": "Ana", "lastName": "Silva",
              "eventName": "Normal Verify Open", "eventPointName": "", "doorName": "Lab door", "devSn": "SN1",
              "devName": "10.8.0.1", "readerName": "Lab door-In", "areaName": "Lab", "cardNo": "700012",
              "eventNo": "27", "logId": 5, "temperature": "36.6", "maskFlag": 1, "photoPath": "/upload/x.jpg"}
    received = datetime(2026, 3, 1, 8, 0, 6)
    for source in Source:
        fast = normalise(record, source, received=received)
        monkeypatch.setattr(events_model, "_plain_fields", lambda r, s: None)
        slow = normalise(record, source, received=received)
        monkeypatch.undo()
        assert fast == slow, source
        assert fast.raw == slow.raw, source


def _long_way(record: dict[str, Any], source: Source, received: datetime, monkeypatch: Any) -> Event:
    with monkeypatch.context() as patch:
        patch.setattr(events_model, "_usual_event", lambda *args: None)
        return normalise(record, source, received=received, level=Level.WARNING, backfilled=True)


def _same_event(fast: Event, slow: Event) -> None:
    assert type(fast) is Event
    assert {f: getattr(fast, f) for f in Event.__slots__} == {f: getattr(slow, f) for f in Event.__slots__}
    assert fast == slow
    assert hash(fast) == hash(slow)
    assert fast.raw == slow.raw
    assert type(fast.raw) is dict


_CLEAN = st.one_of(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=12),
                   st.sampled_from(["", " ", "  Door 1 ", "a  b", "2026-03-01 08:00:05", "2026-3-1 8:0:5", "12",
                                    "1700000000000", "-7", "Ab\tc", "x" * 600, "é", "1e3"]))


@settings(max_examples=400, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(record=st.one_of(_RECORDS, st.dictionaries(st.sampled_from(_KEYS), st.one_of(_CLEAN, st.none(), st.integers(
    min_value=-(2**64), max_value=2**64)), max_size=16)), source=st.sampled_from(list(Source)))
def test_a_record_read_in_one_pass_gives_the_event_of_the_long_way(record: dict[str, Any], source: Source,
                                                                    monkeypatch: Any) -> None:
    received = datetime(2026, 3, 1, 8, 0, 6, 123)
    try:
        slow = _long_way(record, source, received, monkeypatch)  # its keys are known from now on (sanitise_raw)
    except UnicodeEncodeError:  # a lone surrogate (the client replaces them before): no event either way
        with pytest.raises(UnicodeEncodeError):
            normalise(record, source, received=received)
        return
    _same_event(normalise(record, source, received=received, level=Level.WARNING, backfilled=True), slow)


def test_usual_records_are_read_in_one_pass(monkeypatch: Any) -> None:
    record = {"eventTime": "2026-03-01 08:00:05", "pin": " 12", "name": "Ana", "lastName": "Silva ",
              "eventName": "Normal  Verify Open", "eventPointName": "", "doorName": "Lab door", "devSn": "SN1",
              "devName": "10.8.0.1", "readerName": "Lab door-In", "areaName": "Lab", "cardNo": "700012",
              "eventNo": "27", "logId": 5, "personPin": None}
    received = datetime(2026, 3, 1, 8, 0, 6)
    for source in (Source.ACCESS, Source.GATE, Source.ELEVATOR):
        normalise(record, source, received=received)
        assert events_model._usual_event(record, source, received, Level.WARNING, True) is not None
        _same_event(normalise(record, source, received=received, level=Level.WARNING, backfilled=True),
                    _long_way(record, source, received, monkeypatch))
    assert events_model._usual_event(record, Source.TEMPERATURE, received, Level.NORMAL, False) is None
    for odd in ({"name": "A\u202eB"}, {"name": "é"}, {"pin": 1.5}, {"pin": True}, {"name": "x" * 513},
                {"capturePhotoBase64": ""}, {"dev_sn": "SN"}):
        assert events_model._usual_event({**record, **odd}, Source.ACCESS, received, Level.NORMAL, False) is None, odd
    # a record whose texts are each short enough but whose JSON is too big (sanitise_raw's count) goes the long way
    base = {"eventTime": "2026-03-01 08:00:05", "devSn": "SN1", "eventName": "Open"}
    wordy = [k for k in _KEYS if k not in events_model.SHADOW_KEYS and k not in base and len(k) <= 64
             and k not in ("capturePhotoBase64", "photoPath", "temperature", "maskFlag")]
    for count, usual in ((13, True), (len(wordy), False)):  # 13 or 27 texts of 500 characters
        big = {**base, **{k: "y" * 500 for k in wordy[:count]}}
        slow = _long_way(big, Source.ACCESS, received, monkeypatch)  # its keys are known from now on
        assert (events_model._usual_event(big, Source.ACCESS, received, Level.NORMAL, False) is not None) is usual
        _same_event(normalise(big, Source.ACCESS, received=received, level=Level.WARNING, backfilled=True), slow)


def test_times_read_again_are_the_same(monkeypatch: Any) -> None:
    monkeypatch.setattr(events_model, "_MOST_TIMES", 3)
    record = {"eventTime": "2026-03-01 08:00:05", "eventName": "Open", "devSn": "SN1"}
    received = datetime(2026, 3, 1, 8, 0, 6)
    keys = []
    for second in (5, 6, 7, 8, 5, 5, 9, 6):  # more times than remembered: forgotten and read again
        record["eventTime"] = f"2026-03-01 08:00:0{second}"
        event = normalise(record, Source.ACCESS, received=received)
        assert event.time == datetime(2026, 3, 1, 8, 0, second)
        assert event.key == f"2026030108000{second}" + events_model.event_key(record, Source.ACCESS)[14:]
        keys.append(event.key)
    assert keys[0] == keys[4] == keys[5]
    assert keys[1] == keys[7]
    assert len(set(keys)) == 5
    early = datetime(999, 1, 2, 3, 4, 5)  # before the year 1000: format_time's other way
    assert events_model.time_texts(early) == (events_model.format_time(early), events_model.key_prefix(early))


@settings(max_examples=300, deadline=None)
@given(record=_RECORDS)
def test_a_stored_raw_record_reads_back_as_the_record_and_odd_values_as_before(record: dict[str, Any]) -> None:
    raw = events_model.sanitise_raw(record)
    stored = journal_module._raw_json(raw)
    assert json.loads(stored) == raw == json.loads(json.dumps(raw, ensure_ascii=False, default=str))
    assert len(stored) <= len(json.dumps(raw, ensure_ascii=False, default=str))  # compact
    # values no sanitised record holds: a date as its str (as json.dumps(default=str) wrote it), an integer
    # beyond 64 bits through the standard encoder, a NaN as null
    odd = {"t": 36.6, "d": datetime(2026, 1, 2), "big": 2**70, "k": "\u00e9\x00"}
    assert json.loads(journal_module._raw_json(odd)) == {"t": 36.6, "d": "2026-01-02 00:00:00", "big": 2**70,
                                                          "k": "\u00e9\x00"}
    assert json.loads(journal_module._raw_json({"n": float("nan"), "d": datetime(2026, 1, 2)})) == {
        "n": None, "d": "2026-01-02 00:00:00"}


# -- the search index, filled per batch ----------------------------------------------------------------


def _scan(events: list[Event], text: str) -> set[str]:
    flt = EventFilter(text=text)
    return {e.key for e in events if flt.matches(e)}


def _found(journal: Journal, text: str) -> set[str]:
    flt = EventFilter(text=text)
    keys = {e.key for e in journal.page(flt, 0, 100_000)}
    assert journal.count(flt) == len(keys), text
    assert journal.count(flt, cap=5) == min(len(keys), 6), text
    return keys


NEEDLES = ("a", "z", "0", "7", "ab", "n-", "o ", "-in", "ar", "q", "ke", "ek", "x", "4", "42", "é", "lé", "door 3")


def _odd_events(start: int, n: int) -> list[Event]:
    """Events whose fields end with the needles' letters (the search text's last characters are the card)."""
    cards = ("", "ab", "7", "1ke", "ek", "Z", "x42", "é")
    return [make_event(i, card=cards[i % len(cards)], person=f"Person {i % 13} lé" if i % 11 == 0 else f"P {i}")
            for i in range(start, start + n)]


def test_short_and_long_needles_find_exactly_what_a_scan_finds(tmp_path: Path) -> None:
    events = _odd_events(0, 600)
    with Journal(tmp_path, retention=KEEP) as jr:
        for i in range(0, len(events), 97):  # several batches
            jr.add(events[i : i + 97])
        for text in NEEDLES:
            expected = _scan(events, text)
            assert _found(jr, text) == expected, text
            newest = [e.key for e in jr.page(EventFilter(text=text), 0, 20, newest_first=True)]
            assert newest == [e.key for e in reversed(events) if e.key in expected][:20], text


def test_a_device_or_door_named_inside_its_reader_is_found_by_any_part_of_its_name(tmp_path: Path) -> None:
    # the server's own naming: the device "10.8.14.230", its door "10.8.14.230-1", the door's reader
    # "10.8.14.230-1-In"; the shorter names are not written to the search index again, yet found
    named = [
        make_event(0, device_name="10.8.14.230", point="10.8.14.230-1", reader="10.8.14.230-1-In"),
        make_event(1, device_name="Lobby panel", point="Lobby door", reader="Lobby door-In"),
        make_event(2, device_name="Dock", point="Dock gate", reader="Reader 9"),
        make_event(3, device_name="", point="", reader=""),
    ]
    fields = ("name", "pin", "person", "point", "reader", "device_name", "device_sn", "area", "card")
    with Journal(tmp_path, retention=KEEP) as jr:
        jr.add(named)
        for text in ("10.8.14.230", "14.230-1", "230-1-in", "lobby panel", "panel", "lobby door", "dock",
                     "dock gate", "reader 9", "8.14.2"):
            expected = {e.key for e in named
                        if any(text.casefold() in str(getattr(e, f)).casefold() for f in fields)}
            assert _scan(named, text) == expected, text
            assert _found(jr, text) == expected, text
        stored = dict(jr._conn().execute("SELECT key, search FROM events").fetchall())
    assert stored[named[0].key].count("10.8.14.230") == 1  # in the reader's name only
    assert "lobby panel" in stored[named[1].key]
    assert "lobby door\x1f" not in stored[named[1].key]


def test_an_event_stored_once_is_indexed_once(tmp_path: Path) -> None:
    events = _odd_events(0, 300)
    with Journal(tmp_path, retention=Retention(days=None, max_rows=200)) as jr:
        jr.add(events[:150])
        jr.add(events[100:300])  # half of it offered again
        kept = events[100:300]
        for text in ("person", "ab", "7"):
            assert _found(jr, text) == _scan(kept, text), text
    with closing(sqlite3.connect(tmp_path / "events.sqlite3")) as conn:
        conn.execute(f"INSERT INTO {search_index.TABLE} ({search_index.TABLE}) VALUES ('integrity-check')")
        assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == 200


def _as_an_older_console(path: Path, rows: list[Event]) -> None:
    """What a console before this one does on opening the journal (its insert trigger back) and adding rows
    (one INSERT per row, the search text without the suffix)."""
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute(f"CREATE TRIGGER IF NOT EXISTS {search_index.TABLE}_insert AFTER INSERT ON events BEGIN "
                     f"INSERT INTO {search_index.TABLE} (rowid, search) VALUES (new.id, new.search); END")
        for ev in rows:
            params = list(Journal._insert_params(ev))
            params[24] = params[24].removesuffix(search_index.SUFFIX)
            conn.execute("INSERT INTO events (key, time, source, level, name, pin, person, department, point, "
                         "reader, device_sn, device_name, verify_mode, area, card, event_no, temperature, mask, "
                         "photo_path, photo_note, has_photo, backfilled, received, alarm_state, search, raw, photo) "
                         f"VALUES ({','.join('?' * 27)})", params)


def test_a_journal_an_older_console_wrote_is_found_whole_and_exactly(tmp_path: Path) -> None:
    path = tmp_path / "events.sqlite3"
    with Journal(tmp_path, retention=KEEP) as jr:  # the schema, as any console makes it
        pass
    old = _odd_events(0, 200)
    _as_an_older_console(path, old)
    with Journal(tmp_path, retention=KEEP) as jr:  # opened by this console: the old rows are all there
        assert jr.count() == 200
        new = _odd_events(200, 200)
        jr.add(new)
        assert jr.add(old[:50] + new[:50]) == []  # stored once
        for text in NEEDLES:
            assert _found(jr, text) == _scan(old + new, text), text
    more_old = _odd_events(400, 100)
    _as_an_older_console(path, more_old)  # the older console once more, while this one is closed ...
    with Journal(tmp_path, retention=KEEP) as jr:
        newer = _odd_events(500, 100)
        jr.add(newer)
        _as_an_older_console(path, _odd_events(600, 50))  # ... and while it is open
        later = _odd_events(650, 50)
        jr.add(later)
        everything = old + new + more_old + newer + _odd_events(600, 50) + later
        assert jr.count() == len(everything)
        for text in NEEDLES:
            assert _found(jr, text) == _scan(everything, text), text
    with closing(sqlite3.connect(path)) as conn:
        conn.execute(f"INSERT INTO {search_index.TABLE} ({search_index.TABLE}) VALUES ('integrity-check')")
        triggers = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        assert f"{search_index.TABLE}_insert" not in triggers


def test_rows_written_without_any_index_are_indexed_when_the_journal_opens(tmp_path: Path) -> None:
    path = tmp_path / "events.sqlite3"
    with Journal(tmp_path, retention=KEEP) as jr:
        jr.add(_odd_events(0, 50))
    with closing(sqlite3.connect(path)) as conn, conn:  # no trigger at all: a tool's own INSERT
        conn.execute("INSERT INTO events (key, time, source, level, name, card, search) "
                     "VALUES ('raw-1', '2024-05-01 10:00:00', 'access', 0, 'Tailgating', 'qz', 'tailgating\x1fqz')")
    with Journal(tmp_path, retention=KEEP) as jr:
        assert [e.key for e in jr.page(EventFilter(text="tailgat"))] == ["raw-1"]
        assert [e.key for e in jr.page(EventFilter(text="qz"))] == ["raw-1"]
        assert _found(jr, "z") == {"raw-1"} | _scan(_odd_events(0, 50), "z")


def test_a_read_only_journal_scans_short_needles(tmp_path: Path) -> None:
    events = _odd_events(0, 100)
    with Journal(tmp_path, retention=KEEP) as jr:
        jr.add(events)
        with Journal(tmp_path, read_only=True) as ro:
            for text in ("ab", "7", "é", "person"):
                assert _found(ro, text) == _scan(events, text), text


_READ = {  # the models' fields _plain_fields reads, and the record keys it reads them from
    "event_time": {"eventTime"}, "pin": {"pin", "personPin"}, "name": {"name", "personName"},
    "last_name": {"lastName", "personLastName"}, "dept_name": {"deptName"}, "area_name": {"areaName"},
    "card_no": {"cardNo"}, "dev_sn": {"devSn"}, "dev_name": {"devName"}, "event_name": {"eventName"},
    "event_no": {"eventNo", "eventNumber"}, "event_point_name": {"eventPointName"}, "reader_name": {"readerName"},
    "verify_mode_name": {"verifyModeName"}, "door_name": {"doorName"}, "temperature": {"temperature"},
    "mask_flag": {"maskFlag"}, "photo_path": {"photoPath"},
}


def test_every_key_the_models_read_a_field_from_is_read_or_left_to_them() -> None:
    from pydantic import AliasChoices

    from console.services.events.model import _MODELS, SHADOW_KEYS

    for model in _MODELS.values():
        for name, info in model.model_fields.items():
            if name not in _READ:
                continue
            accepted = {name, *([info.alias] if info.alias else [])}
            if isinstance(info.validation_alias, AliasChoices):
                accepted |= {c for c in info.validation_alias.choices if isinstance(c, str)}
            elif isinstance(info.validation_alias, str):
                accepted.add(info.validation_alias)
            assert accepted <= _READ[name] | SHADOW_KEYS, (model.__name__, name, accepted)


@given(value=st.datetimes(min_value=datetime(1, 1, 1)))
def test_event_times_are_written_as_before(value: datetime) -> None:
    from console.services.events.model import TIME_FORMAT, format_time

    assert format_time(value) == value.strftime(TIME_FORMAT)


_RAW_KEYS = st.one_of(st.sampled_from([*_KEYS, "photo", "capturePhotoBase64", "photoBase64", "a b", "x" * 65, "1x"]),
                      st.text(max_size=5))


@settings(max_examples=200, deadline=None)
@given(records=st.lists(st.dictionaries(_RAW_KEYS, _VALUE, max_size=12), min_size=1, max_size=4))
def test_a_raw_record_is_kept_as_the_long_way_keeps_it(records: list[dict[str, Any]]) -> None:
    from console.services.events.model import _sanitise_record, sanitise_raw

    for record in records:  # the first teaches sanitise_raw its keys: the next ones may take the short way
        assert sanitise_raw(record) == _sanitise_record(record)
        assert sanitise_raw(record) == _sanitise_record(record)


def test_a_page_walked_in_time_order_is_the_page_read_by_id(tmp_path: Path, monkeypatch: Any) -> None:
    from console.services.events import journal as journal_module

    events = _odd_events(0, 3000)
    with Journal(tmp_path, retention=KEEP) as jr:
        jr.add(events)
        for text in ("person 1", "ab", "lé", "7", "door 3"):
            pages = []
            for ratio in (0, 10**9):  # never walk, always walk
                monkeypatch.setattr(journal_module, "_WALK_RATIO", ratio)
                flt = EventFilter(text=text)
                pages.append([[e.key for e in jr.page(flt, offset, 40, newest_first=newest)]
                              for offset in (0, 35, 2500) for newest in (True, False)])
            assert pages[0] == pages[1], text
            expected = [e.key for e in reversed(events) if EventFilter(text=text).matches(e)]
            assert pages[0][0] == expected[:40], text


def test_a_batch_built_in_a_worker_thread_offers_the_gil_and_is_stored_whole(tmp_path: Path, monkeypatch: Any) -> None:
    import threading

    from console.services.events import journal as journal_module

    offered: list[str] = []
    monkeypatch.setattr(journal_module, "OFFER_GIL_EVERY", 0.0)  # offer it before every row
    monkeypatch.setattr(journal_module.time, "sleep", lambda _s: offered.append(threading.current_thread().name))
    events = _odd_events(0, 300)
    with Journal(tmp_path, retention=KEEP) as jr:
        jr.add(events[:100])  # the main thread (the GUI's): never
        assert offered == []
        worker = threading.Thread(target=jr.add, args=(events,), name="ingest-worker")
        worker.start()
        worker.join()
        assert len(offered) >= 150  # one offer per row (the first row may come before the clock moves)
        assert set(offered) == {"ingest-worker"}
        assert jr.count() == 300
        assert _found(jr, "ab") == _scan(events, "ab")


def test_records_parsed_in_a_worker_thread_offer_the_gil_and_are_all_stored(
    server: Any, journal: Journal, clock: Any, monkeypatch: Any
) -> None:
    import threading
    from datetime import timedelta

    from console.services.events import EventStream
    from console.services.events import stream as stream_module

    offers: list[int] = []
    monkeypatch.setattr(stream_module, "YIELD_EVERY", 0.0)
    monkeypatch.setattr(stream_module.time, "sleep", lambda _s: offers.append(1))
    stream = EventStream(server, journal, clock=clock)
    records = [{"eventTime": (clock() - timedelta(seconds=i)).strftime("%Y-%m-%d %H:%M:%S"), "pin": str(i),
                "eventName": "Normal Verify Open", "devSn": "SN1", "eventPointName": f"Door {i % 3}"}
               for i in range(120)]
    result: list[Any] = []
    worker = threading.Thread(target=lambda: result.append(stream._ingest(records, Source.ACCESS, clock(),
                                                                          backfilled=False)))
    worker.start()
    worker.join()
    added, _newest = result[0]
    assert len(added) == 120
    assert journal.count() == 120
    assert len(offers) >= 100  # parsing offered the GIL between records (and the journal between rows)
