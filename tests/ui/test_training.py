from __future__ import annotations

from console.sim import SimConfig, Simulator
from console.ui.training import ACTIONS


def test_every_training_action_happens_on_the_demo_site() -> None:
    sim = Simulator(SimConfig(token="t-0123456789", seed=1, site="small", event_rate=0.0))
    before = len(sim.emitted)
    said = {title: action(sim) for title, action in ACTIONS}
    assert all(text and "not possible" not in text for text in said.values()), said
    names = [e["eventName"] for e in sim.emitted[before:]]
    assert "Door Opened Accidentally" in names
    assert sum(1 for n in names if "Duress" in n) == 2  # "Duress alarm", and "a duress and a forced door together"
    assert sim.faults.as_dict(sim.world.now()).get("down_seconds", 0) == 0  # "healthy again" cleared the outage
    assert all(d.online for d in sim.world.devices.values())


def test_the_menu_switches_the_running_simulator_to_a_real_server_and_back(qapp: object) -> None:
    import httpx

    from console.sim import SimulatorThread
    from console.ui.training import TrainingMenu

    token = "t-0123456789"
    thread = SimulatorThread(SimConfig(token=token, seed=1, site="small", event_rate=0.0))
    url = thread.start()
    said: list[str] = []
    try:
        menu = TrainingMenu(thread, said.append)
        assert not menu.real_server.isChecked()
        assert menu.language_actions["en"].isChecked()
        door = thread.call(lambda sim: next(iter(sim.world.doors)))
        printed = f"{url}/api/door/remotecloseById"
        assert httpx.post(printed, params={"access_token": token, "doorId": door}, timeout=10).status_code == 200

        menu.real_server.trigger()  # ticked: a real server from the next request on
        assert menu.real_server.isChecked()
        assert "real one" in said[-1]
        assert httpx.post(printed, params={"access_token": token, "doorId": door}, timeout=10).status_code == 404
        refused = httpx.get(f"{url}/api/door/allDoorState", params={"timestamp": 1}, timeout=10)
        assert (refused.status_code, refused.json()["code"]) == (200, -40)

        menu.language_actions["es"].trigger()
        assert menu.language_actions["es"].isChecked()
        assert thread.call(lambda sim: sim.event_language) == "es"
        assert "Español" in said[-1]

        menu.real_server.trigger()  # unticked: the manual's behaviour again, the language kept
        assert not menu.real_server.isChecked()
        assert thread.call(lambda sim: (sim.server_profile, sim.event_language)) == ("manual", "es")
        assert httpx.post(printed, params={"access_token": token, "doorId": door}, timeout=10).status_code == 200
        assert [a.text() for a in menu.languages.actions()] == [
            "English", "Spanish (Español)", "Chinese (简体中文)", "Portuguese (Português)"]
    finally:
        thread.stop()
