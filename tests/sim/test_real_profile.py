"""``SimConfig(server_profile="real")``: the simulator behaves like a real server, over HTTP(S) on 127.0.0.1.

Each point is checked in both profiles: what a real server does, and that the manual profile still does what
the manual says.
"""

from __future__ import annotations

import asyncio
import hashlib
import signal
import socket
import ssl
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from console.sim import SimConfig, Simulator
from console.sim.profiles import DOOR_ALARM_CODES, EVENT_NAMES, localize
from tests.sim.helpers import TOKEN, device, make_sim, online_door

PROFILES = ("manual", "real")


@asynccontextmanager
async def served(sim: Simulator, *, verify: ssl.SSLContext | bool = True) -> AsyncIterator[httpx.AsyncClient]:
    """The simulator on a socket of 127.0.0.1 and an HTTP client for it (token sent unless a test says not)."""
    async with sim.serve("127.0.0.1", 0) as url, httpx.AsyncClient(base_url=url, timeout=10, verify=verify) as http:
        yield http


async def _get(http: httpx.AsyncClient, path: str, **params: Any) -> Any:
    answer = await http.get(path, params={"access_token": TOKEN, **params})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["code"] == 0, body
    return body["data"]


async def _post(http: httpx.AsyncClient, path: str, **params: Any) -> httpx.Response:
    return await http.post(path, params={"access_token": TOKEN, **params})


def _stamp(sim: Simulator) -> int:
    return int(sim.world.now() * 1000) - 1000


# -- 1. routes: case-sensitive, the title's spelling --------------------------------------------------


@pytest.mark.parametrize("profile", PROFILES)
async def test_close_routes_answer_the_title_spelling_and_the_printed_one_only_per_the_manual(profile: str) -> None:
    sim = make_sim(server_profile=profile)
    door = online_door(sim.world)
    floor = next(iter(sim.world.floors))
    printed_status = 404 if profile == "real" else 200
    async with served(sim) as http:
        for path, params in (("/api/door/remoteCloseById", {"doorId": door.id}),
                             ("/api/door/remoteCloseByName", {"doorName": door.name}),
                             ("/api/floor/remoteCloseById", {"floorId": floor})):
            title = await _post(http, path, **params)
            assert title.status_code == 200
            assert title.json()["code"] == 0
            printed = await _post(http, path.replace("remoteClose", "remoteclose"), **params)
            assert printed.status_code == printed_status, path
            if profile == "manual":
                assert printed.json()["code"] == 0
        closes = [e for e in sim.emitted if e["kind"] in ("remote_close", "floor_remote_close")]
        assert len(closes) == (3 if profile == "real" else 6)  # a 404 executed nothing


@pytest.mark.parametrize("profile", PROFILES)
async def test_v1_device_and_reader_lists_answer_acclist_with_a_capital_l(profile: str) -> None:
    sim = make_sim(server_profile=profile)
    async with served(sim) as http:
        devices = await _get(http, "/api/device/accList", pageNo=1, pageSize=100)
        readers = await _get(http, "/api/reader/accList", pageNo=1, pageSize=100)
        assert {d["sn"] for d in devices} >= {device(sim.world, "acc").sn}
        assert readers
        assert all("readerState" in r for r in readers)
        for path in ("/api/device/acclist", "/api/reader/acclist"):
            printed = await http.get(path, params={"access_token": TOKEN, "pageNo": 1, "pageSize": 100})
            if profile == "real":
                assert printed.status_code == 404
            else:
                assert printed.status_code == 200
                assert printed.json()["data"]


# -- 2. numeric door states, and a page object on a large site ---------------------------------------


def _by_id(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in records}


@pytest.mark.parametrize("profile", PROFILES)
async def test_door_states_are_numeric_codes_on_a_real_server_and_words_per_the_manual(profile: str) -> None:
    sim = make_sim(server_profile=profile)
    world = sim.world
    online = [d for d in world.doors.values() if world.door_connect(d) == 1]
    no_sensor = next(d for d in online if not d.has_sensor)
    battery = next(d for d in online if world.door_state(d)["alarm"] == "low battery voltage")
    quiet = [d for d in online if d.has_sensor and world.door_state(d) in (
        {"connect": "1", "sensor": "off", "alarm": a, "relay": "off"} for a in ("none", "None"))]
    forced, held, duress, tampered, opened, untouched = quiet[:6]
    sim.emit("forced_open", door_id=forced.id)
    sim.emit("door_timeout", door_id=held.id)
    sim.emit("duress", door_id=duress.id, mode="password")
    sim.emit("tamper", door_id=tampered.id)
    async with served(sim) as http:
        assert (await _post(http, "/api/door/remoteOpenById", doorId=opened.id, interval=10)).json()["code"] == 0
        states = _by_id(await _get(http, "/api/door/allDoorState", timestamp=1))
        one = await _get(http, "/api/door/doorStateById", doorId=forced.id, timestamp=1)
        by_sn = await _get(http, "/api/door/doorStateBySn", deviceSn=world.device_of(forced).sn)
    assert len(states) == len(world.doors)
    offline = next(d for d in world.doors.values() if world.door_connect(d) != 1)
    if profile == "real":
        assert (states[forced.id]["sensor"], states[forced.id]["alarm"], states[forced.id]["connect"]) == (
            "1", "1", "1")
        assert (states[held.id]["sensor"], states[held.id]["alarm"]) == ("1", "8")
        assert states[duress.id]["alarm"] == "3"
        assert states[tampered.id]["alarm"] == "2"
        assert (states[opened.id]["relay"], states[opened.id]["alarm"]) == ("1", "0")
        assert states[no_sensor.id]["sensor"] == "2"
        assert states[battery.id]["alarm"] == "11"
        assert (states[untouched.id]["sensor"], states[untouched.id]["relay"], states[untouched.id]["alarm"]) == (
            "0", "0", "0")
        assert (states[offline.id]["sensor"], states[offline.id]["relay"], states[offline.id]["alarm"]) == (
            None, None, None)
        for record in states.values():  # every value is a numeric code (or null: not known)
            assert all(record[k] is None or record[k].isdigit() for k in ("connect", "sensor", "relay", "alarm"))
        assert one["alarm"] == "1"
        assert {r["id"]: r["alarm"] for r in by_sn}[forced.id] == "1"
    else:
        assert (states[forced.id]["sensor"], states[forced.id]["alarm"]) == ("open", "be opened accidentally")
        assert states[held.id]["alarm"] == "timeout"
        assert states[duress.id]["alarm"] == "duress password opening"
        assert states[tampered.id]["alarm"] == "tampering"
        assert states[opened.id]["relay"] == "open"
        assert states[no_sensor.id]["sensor"].lower() == "no sensor"
        assert states[battery.id]["alarm"] == "low battery voltage"
        assert states[untouched.id]["alarm"].lower() == "none"
        assert states[offline.id]["sensor"] == "unknown"
        assert one["alarm"] == "be opened accidentally"
    assert set(DOOR_ALARM_CODES.values()) >= {"0", "1", "2", "3", "8"}


async def test_the_controller_code_table_is_there_for_a_site_whose_server_sends_the_controllers_codes() -> None:
    sim = make_sim(server_profile="real", state_codes="controller")
    world = sim.world
    online = [d for d in world.doors.values() if world.door_connect(d) == 1]
    no_sensor = next(d for d in online if not d.has_sensor)
    forced, held, duress, quiet = [d for d in online if d.has_sensor and world.door_state(d)["alarm"].lower() == "none"
                                   and world.door_state(d)["sensor"] == "off"][:4]
    sim.emit("forced_open", door_id=forced.id)
    sim.emit("door_timeout", door_id=held.id)
    sim.emit("duress", door_id=duress.id, mode="fingerprint")
    async with served(sim) as http:
        states = _by_id(await _get(http, "/api/door/allDoorState", timestamp=1))
        sim.set_server_profile("real", state_codes="api")  # and back, at once
        again = _by_id(await _get(http, "/api/door/allDoorState", timestamp=1))
    assert (states[no_sensor.id]["sensor"], states[quiet.id]["sensor"], states[forced.id]["sensor"]) == (
        "0", "1", "2")
    assert [states[d.id]["alarm"] for d in (quiet, forced, duress, held)] == ["0", "1", "8", "16"]
    assert (again[no_sensor.id]["sensor"], again[quiet.id]["sensor"], again[forced.id]["sensor"]) == (
        "2", "0", "1")
    with pytest.raises(ValueError, match="state_codes"):
        SimConfig(token=TOKEN, state_codes="words")


async def test_gate_states_are_numeric_codes_in_both_profiles() -> None:
    for profile in PROFILES:
        sim = make_sim(server_profile=profile)
        gate = next(iter(sim.world.gates.values()))
        async with served(sim) as http:
            await _post(http, "/api/psgGate/remoteOpenById", gateId=gate.id, openType=1)
            states = _by_id(await _get(http, "/api/psgGate/allGateState"))
        assert states[gate.id]["relay"] == "2"  # entry open, as the manual codes it (2.32.1)
        assert all(r[k].isdigit() for r in states.values() for k in ("connect", "gateState", "alarm", "relay"))


@pytest.mark.parametrize("profile", PROFILES)
async def test_all_door_state_is_a_page_object_on_a_large_real_site_and_a_list_on_a_small_one(profile: str) -> None:
    large = make_sim(site="large", server_profile=profile)
    small = make_sim(server_profile=profile)
    async with served(small) as http:
        assert isinstance(await _get(http, "/api/door/allDoorState", timestamp=1), list)
    async with served(large) as http:
        first = await _get(http, "/api/door/allDoorState", timestamp=1)
        if profile == "manual":
            assert isinstance(first, list)
            assert len(first) == len(large.world.doors)
            return
        assert isinstance(first, dict)
        assert (first["page"], first["size"], first["total"]) == (0, 100, len(large.world.doors))
        assert len(first["data"]) == 100
        seen: dict[str, dict[str, Any]] = {}
        page_no = 1
        while True:  # paging through it finds every door once
            page = await _get(http, "/api/door/allDoorState", timestamp=1, pageNo=page_no, pageSize=1000)
            seen.update(_by_id(page["data"]))
            if page["lastPage"]:
                break
            page_no += 1
        assert page_no == 2
        assert set(seen) == set(large.world.doors)
        too_big = await http.get("/api/door/allDoorState",
                                 params={"access_token": TOKEN, "timestamp": 1, "pageSize": 1001})
        assert too_big.json()["code"] == -91


# -- 3. monitor records: localized names, no level and no number --------------------------------------

ALARM_KINDS = {"forced_open": "Door Opened Accidentally", "door_timeout": "Door Open Timeout",
               "duress": "Duress Password Open", "tamper": "Tamper Alarm", "unknown_card": "Card Not Registered"}


@pytest.mark.parametrize("language", ["es", "zh", "pt"])
async def test_a_real_monitor_speaks_the_server_language_without_level_or_number(language: str) -> None:
    sim = make_sim(server_profile="real", event_language=language)
    stamp = _stamp(sim)
    made = [sim.emit(kind, mode="password") if kind == "duress" else sim.emit(kind) for kind in ALARM_KINDS]
    sim.emit("gate_pass")
    async with served(sim) as http:
        monitor = await _get(http, "/api/transaction/monitor", timestamp=stamp)
        listed = (await _get(http, "/api/v2/transaction/list", pageNo=1, pageSize=20))["data"]
        gates = await _get(http, "/api/psgTransaction/monitor", timestamp=stamp)
        gate_list = (await _get(http, "/api/v2/psgTransaction/list", pageNo=1, pageSize=5))["data"]
    expected = [localize(e["eventName"], language) for e in made]
    assert [r["eventName"] for r in monitor] == expected
    assert all(name != EVENT_NAMES[e["eventName"]]["en"] for name, e in zip(expected, made, strict=True))
    for record in monitor + gates:
        assert "eventLevel" not in record
        assert "eventNo" not in record
    by_name = {r["eventName"]: r for r in listed}  # the v2 list: the same names, with level and number
    for event in made:
        stored = by_name[localize(event["eventName"], language)]
        assert (stored["eventLevel"], stored["eventNo"]) == (event["eventLevel"], event["eventNo"])
    assert by_name[localize("Door Opened Accidentally", language)]["eventLevel"] == 2
    assert by_name[localize("Door Opened Accidentally", language)]["eventNo"] == 102
    assert gates[0]["eventName"] == localize("Normal Verify Open", language)
    assert (gate_list[0]["eventLevel"], gate_list[0]["eventNo"]) == (0, 0)


async def test_the_manual_monitor_keeps_english_names_and_the_gate_monitor_its_event_numbers() -> None:
    sim = make_sim()
    stamp = _stamp(sim)
    forced = sim.emit("forced_open")
    sim.emit("gate_pass")
    async with served(sim) as http:
        monitor = await _get(http, "/api/transaction/monitor", timestamp=stamp)
        gates = await _get(http, "/api/psgTransaction/monitor", timestamp=stamp)
        listed = (await _get(http, "/api/v2/transaction/list", pageNo=1, pageSize=1))["data"]
    assert monitor[0]["eventName"] == forced["eventName"] == "Door Opened Accidentally"
    assert "eventNo" in gates[0]
    assert (listed[0]["eventName"], listed[0]["eventLevel"], listed[0]["eventNo"]) == (
        "Door Opened Accidentally", 2, 102)


async def test_the_language_is_its_own_setting_and_the_manual_profile_can_speak_spanish_too() -> None:
    sim = make_sim(event_language="es")
    stamp = _stamp(sim)
    sim.emit("unknown_card")
    async with served(sim) as http:
        monitor = await _get(http, "/api/transaction/monitor", timestamp=stamp)
    assert monitor[0]["eventName"] == "Usuario no registrado"
    assert sim.emitted[-1]["eventName"] == "Card Not Registered"  # the ground truth stays in English


def test_every_event_name_the_simulator_makes_has_a_translation() -> None:
    sim = make_sim(event_rate=0.0)
    for kind in ("verify", "unknown_card", "denied", "remote_open", "remote_close", "forced_open", "door_timeout",
                 "tamper", "device_offline", "device_online", "gate_pass", "floor", "att"):
        sim.emit(kind)
    sim.emit("duress", mode="password")
    sim.emit("duress", mode="fingerprint")
    sim.emit("temperature", temperature=38.2)
    names = {e["eventName"] for e in sim.emitted}
    assert names <= set(EVENT_NAMES), names - set(EVENT_NAMES)
    for translations in EVENT_NAMES.values():
        assert set(translations) == {"en", "es", "zh", "pt"}
        assert len(set(translations.values())) >= 3  # translated, not copied (pt and es may share a word)


# -- 4. a refused token --------------------------------------------------------------------------------


@pytest.mark.parametrize("profile", PROFILES)
async def test_a_bad_or_missing_token_is_minus_40_with_http_200_on_a_real_server(profile: str) -> None:
    sim = make_sim(server_profile=profile)
    async with served(sim) as http:
        for params in ({"access_token": "not-the-token", "timestamp": 1}, {"timestamp": 1}):
            answer = await http.get("/api/door/allDoorState", params=params)
            if profile == "real":
                assert answer.status_code == 200
                assert answer.json() == {"code": -40, "message": "Authorize access failure"}
            else:
                assert answer.status_code == 401
        refused = await http.post("/api/door/remoteOpenById", params={"doorId": online_door(sim.world).id,
                                                                      "interval": 5})
        assert refused.status_code == (200 if profile == "real" else 401)
        assert not [e for e in sim.emitted if e["kind"] == "remote_open"]  # refused: nothing happened
        control = await http.get("/_sim/faults")  # the trainer's surface is not the server's API
        assert control.status_code == 401


# -- 5. remote open of a door that does not exist --------------------------------------------------------


@pytest.mark.parametrize("profile", PROFILES)
async def test_remote_open_of_an_unknown_door_answers_success_on_a_real_server_and_changes_nothing(
        profile: str) -> None:
    sim = make_sim(server_profile=profile)
    async with served(sim) as http:
        before = _by_id(await _get(http, "/api/door/allDoorState", timestamp=1))
        by_id = (await _post(http, "/api/door/remoteOpenById", doorId="no-such-door", interval=5)).json()
        by_name = (await _post(http, "/api/door/remoteOpenByName", doorName="No such door", interval=5)).json()
        after = _by_id(await _get(http, "/api/door/allDoorState", timestamp=1))
        missing = (await _post(http, "/api/door/remoteOpenById", interval=5)).json()
        bad_interval = (await _post(http, "/api/door/remoteOpenById", doorId="no-such-door", interval=999)).json()
    expected = 0 if profile == "real" else -47
    assert (by_id["code"], by_name["code"]) == (expected, expected)
    assert after == before
    assert not sim.emitted
    assert missing["code"] == -44  # a missing id is still refused
    assert bad_interval["code"] == (-45 if profile == "real" else -47)  # the manual looks up the door first


# -- 6. HTTPS with a generated self-signed certificate ------------------------------------------------


def _presented_certificate(port: int, context: ssl.SSLContext, host: str) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw, \
            context.wrap_socket(raw, server_hostname=host) as tls:
        der = tls.getpeercert(binary_form=True)
    assert der is not None
    return der


async def test_tls_serves_https_with_a_certificate_that_a_pinned_context_verifies() -> None:
    sim = make_sim(tls=True, server_profile="real")
    pem, fingerprint = sim.certificate_pem, sim.certificate_sha256
    assert pem is not None
    assert fingerprint is not None
    assert pem.startswith("-----BEGIN CERTIFICATE-----")
    pinned = ssl.create_default_context(cadata=pem)
    async with sim.serve("127.0.0.1", 0) as url:
        assert url.startswith("https://127.0.0.1:")
        port = int(url.rsplit(":", 1)[1])
        for base in (url, f"https://localhost:{port}"):  # subject alternative names: the IP and the name
            async with httpx.AsyncClient(base_url=base, verify=pinned, timeout=10) as http:
                states = await _get(http, "/api/door/allDoorState", timestamp=1)
            assert len(states) == len(sim.world.doors)
        async with httpx.AsyncClient(base_url=url, timeout=10) as unpinned:  # the system's CAs do not know it
            with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
                await unpinned.get("/api/door/allDoorState", params={"access_token": TOKEN, "timestamp": 1})
        async with httpx.AsyncClient(base_url=url.replace("https", "http"), timeout=10) as plain:
            with pytest.raises(httpx.HTTPError):
                await plain.get("/api/door/allDoorState", params={"access_token": TOKEN, "timestamp": 1})
        der = await asyncio.to_thread(_presented_certificate, port, pinned, "127.0.0.1")
    assert hashlib.sha256(der).hexdigest() == fingerprint
    assert ssl.DER_cert_to_PEM_cert(der).strip() == pem.strip()


def test_without_tls_there_is_no_certificate_and_two_simulators_get_different_ones() -> None:
    assert make_sim().certificate_pem is None
    assert make_sim().certificate_sha256 is None
    assert make_sim(tls=True).certificate_sha256 != make_sim(tls=True).certificate_sha256


# -- 7. switching at run time -----------------------------------------------------------------------


async def test_set_server_profile_applies_at_once_and_back() -> None:
    sim = make_sim()
    door = online_door(sim.world)
    async with served(sim) as http:
        printed = "/api/door/remotecloseById"
        assert (await _post(http, printed, doorId=door.id)).status_code == 200
        sim.set_server_profile("real", event_language="zh")
        assert (sim.server_profile, sim.event_language) == ("real", "zh")
        assert (await _post(http, printed, doorId=door.id)).status_code == 404
        assert (await http.get("/api/door/allDoorState", params={"timestamp": 1})).json()["code"] == -40
        stamp = _stamp(sim)
        sim.emit("forced_open")
        assert (await _get(http, "/api/transaction/monitor", timestamp=stamp))[-1]["eventName"] == "门被意外打开"
        sim.set_server_profile("manual")
        assert sim.event_language == "zh"  # the language is kept unless given
        assert (await _post(http, printed, doorId=door.id)).status_code == 200
        changed = await http.post("/_sim/profile", params={"access_token": TOKEN},
                                  json={"server_profile": "real", "event_language": "pt"})
        assert changed.json() == {"server_profile": "real", "event_language": "pt", "state_codes": "api",
                                  "tls": False, "certificate_sha256": None}
        assert (await _post(http, printed, doorId=door.id)).status_code == 404
        bad = await http.post("/_sim/profile", params={"access_token": TOKEN}, json={"server_profile": "odd"})
        assert bad.status_code == 400
        assert sim.server_profile == "real"
    with pytest.raises(ValueError, match="server_profile"):
        sim.set_server_profile("odd")
    with pytest.raises(ValueError, match="event_language"):
        sim.set_event_language("fr")


def test_sim_config_refuses_an_unknown_profile_or_language() -> None:
    with pytest.raises(ValueError, match="server_profile"):
        SimConfig(token=TOKEN, server_profile="Real")
    with pytest.raises(ValueError, match="event_language"):
        SimConfig(token=TOKEN, event_language="de")
    assert SimConfig(token=TOKEN).server_profile == "manual"  # the default stays the manual's behaviour


def test_the_monitor_stamp_helper_is_in_the_past() -> None:
    sim = make_sim()
    assert _stamp(sim) < time.time() * 1000 + 1


# -- the command line ---------------------------------------------------------------------------------


def test_cli_real_spanish_https_prints_its_certificate_and_behaves_like_a_real_server() -> None:
    from tests.sim.test_cli import _Sim

    cli = _Sim("--token", TOKEN, "--event-rate", "0", "--server-profile", "real", "--event-language", "es", "--tls")
    try:
        url = cli.line()
        assert url.startswith("https://127.0.0.1:")
        fingerprint = cli.line().removeprefix("certificate sha256: ")
        assert len(fingerprint) == 64
        pem_lines = [cli.line()]
        while not pem_lines[-1].startswith("-----END CERTIFICATE"):
            pem_lines.append(cli.line())
        ready = cli.line()
        assert "ready" in ready
        assert "profile=real" in ready
        assert "language=es" in ready
        assert "tls=on" in ready
        pem = "\n".join(pem_lines) + "\n"
        with httpx.Client(base_url=url, verify=ssl.create_default_context(cadata=pem), timeout=10) as http:
            token = {"access_token": TOKEN}
            assert http.get("/_sim/profile", params=token).json()["certificate_sha256"] == fingerprint
            assert http.get("/api/door/allDoorState", params={"timestamp": 1}).json()["code"] == -40
            door = http.get("/api/door/allDoorState", params={**token, "timestamp": 1}).json()["data"][0]
            assert door["sensor"].isdigit()
            assert http.post("/api/door/remotecloseById", params={**token, "doorId": door["id"]}).status_code == 404
            assert http.post("/api/door/remoteCloseById", params={**token, "doorId": door["id"]}).json()["code"] == 0
            stamp = int(time.time() * 1000) - 1000
            http.post("/_sim/emit", params=token, json={"kind": "unknown_card"})
            names = [r["eventName"] for r in
                     http.get("/api/transaction/monitor", params={**token, "timestamp": stamp}).json()["data"]]
            assert names[-1] == "Usuario no registrado"
        cli.proc.send_signal(signal.SIGTERM)
        assert cli.proc.wait(timeout=15) == 0
    finally:
        cli.close()


def test_cli_refuses_an_unknown_profile_or_language() -> None:
    from console.sim.__main__ import main

    for argv in (["--server-profile", "fake"], ["--event-language", "fr"]):
        with pytest.raises(SystemExit) as caught:
            main(argv)
        assert caught.value.code == 2
