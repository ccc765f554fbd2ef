"""Severity: the server's eventLevel, else the event name, through one table a site can override."""

from __future__ import annotations

import pytest

from console.services.events import DEFAULT_RULES, Classifier, Level

classify = Classifier().classify


@pytest.mark.parametrize(
    ("name", "level"),
    [
        ("Normal Verify Open", Level.NORMAL),
        ("Remote Opening", Level.NORMAL),
        ("Duress Password Open", Level.ALARM),
        ("Duress Fingerprint Open", Level.ALARM),
        ("Opened Accidentally", Level.ALARM),
        ("Door forced open", Level.ALARM),
        ("Tamper alarm", Level.ALARM),
        ("Blacklisted person detected", Level.ALARM),
        ("Fever detected", Level.ALARM),
        ("Abnormal body temperature", Level.ALARM),
        ("Cancel Alarm", Level.NORMAL),
        ("card is not registered", Level.WARNING),
        ("Unregistered Card", Level.WARNING),
        ("Opening Timeout", Level.ALARM),
        ("Door Open Timeout", Level.ALARM),
        ("Door left open", Level.ALARM),
        ("Card Not Registered", Level.WARNING),
        ("Verification timeout", Level.WARNING),
        ("Device Disconnected", Level.WARNING),
        ("Abnormal Temperature", Level.ALARM),
        ("Illegal Time Zone", Level.WARNING),
        ("No mask", Level.WARNING),
        ("Access Denied", Level.WARNING),
        ("Anti-Passback", Level.WARNING),
        ("The Gate is not connected", Level.WARNING),
    ],
)
def test_the_event_name_decides_without_an_event_level(name: str, level: Level) -> None:
    assert classify({"eventName": name}) is level


def test_the_server_event_level_wins_over_the_name() -> None:
    assert classify({"eventName": "Normal Verify Open", "eventLevel": 2}) is Level.ALARM
    assert classify({"eventName": "Door forced open", "eventLevel": "0"}) is Level.NORMAL
    assert classify({"eventName": "x", "eventLevel": "1"}) is Level.WARNING
    # an unreadable level falls back to the name
    assert classify({"eventName": "Door forced open", "eventLevel": "high"}) is Level.ALARM
    assert classify({"eventName": "Door forced open", "eventLevel": None}) is Level.ALARM


def test_temperature_status_and_mask() -> None:
    assert classify({"eventName": "Normal Verify Open", "status": "Abnormal", "maskFlag": "1"}) is Level.ALARM
    assert classify({"eventName": "Normal Verify Open", "status": "Normal", "maskFlag": "0"}) is Level.WARNING
    assert classify({"eventName": "Normal Verify Open", "status": "Normal", "maskFlag": None}) is Level.NORMAL


def test_site_rules_come_first_and_can_lower_or_raise() -> None:
    site = Classifier.from_settings({"rules": [
        {"match": "exit button", "level": "alarm"},
        {"match": "/^door forced open$/", "level": "warning"},
        {"regex": "server room", "level": 2, "field": "point"},
        {"match": "Test Door", "level": "normal", "field": "point"},
    ]})
    assert site.classify({"eventName": "Exit Button Open"}) is Level.ALARM
    assert site.classify({"eventName": "Door Forced Open", "eventLevel": 2}) is Level.WARNING
    assert site.classify({"eventName": "Normal Verify Open", "eventPointName": "Server Room-1"}) is Level.ALARM
    assert site.classify({"eventName": "Duress", "eventPointName": "Test Door"}) is Level.NORMAL
    # what the site does not mention keeps the defaults
    assert site.classify({"eventName": "Tamper"}) is Level.ALARM
    assert Classifier.from_settings(None).classify({"eventName": "Tamper"}) is Level.ALARM
    assert Classifier.from_settings({}).site_rules == ()


def test_a_substring_rule_is_not_a_regex() -> None:
    site = Classifier.from_settings({"rules": [{"match": "door (2)", "level": "alarm"}]})
    assert site.classify({"eventName": "Opened: door (2)"}) is Level.ALARM
    assert site.classify({"eventName": "Opened: door 2"}) is Level.NORMAL


@pytest.mark.parametrize(
    ("settings", "words"),
    [
        ({"rules": [{"match": "x", "level": "critical"}]}, "rule 1: not a level"),
        ({"rules": [{"level": "alarm"}]}, "needs 'match'"),
        ({"rules": [{"match": "/(/", "level": "alarm"}]}, "not a valid regular expression"),
        ({"rules": [{"match": "x", "level": "alarm", "field": "colour"}]}, "field must be one of"),
        ({"rules": [{"match": "a", "level": "alarm"}, "forced"]}, "rule 2"),
        ({"rules": "forced=alarm"}, "must be a list"),
        ({"rules": [{"match": "  ", "level": "alarm"}]}, "empty"),
    ],
)
def test_bad_site_rules_are_refused_with_a_readable_reason(settings: dict[str, object], words: str) -> None:
    with pytest.raises(ValueError, match="rule") as info:
        Classifier.from_settings(settings)
    assert words in str(info.value)


def test_the_default_table_is_one_table() -> None:
    assert all(rule.why for rule in DEFAULT_RULES)
    assert {rule.level for rule in DEFAULT_RULES} == set(Level)
