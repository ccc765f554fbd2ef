"""Events named in the server's language are filed at their true severity, even without an eventLevel."""

from __future__ import annotations

import pytest

from console.services.events import Level
from console.services.events.rules import Classifier

ALARMS = {
    "es": ["Puerta abierta forzadamente", "Apertura con contraseña de coacción", "Alarma de manipulación",
           "Tiempo de puerta abierta excedido", "Apertura con huella de coacción"],
    "pt": ["Porta aberta à força", "Abertura com senha de coação", "Alarme de violação",
           "Tempo de porta aberta excedido", "Abertura com impressão digital de coação"],
    "zh": ["门被意外打开", "胁迫密码开门", "防拆报警", "开门超时", "胁迫指纹开门"],
    "en": ["Door Opened Accidentally", "Duress Password Open", "Tamper Alarm", "Door Open Timeout"],
}
WARNINGS = {
    "es": ["Usuario no registrado", "Acceso denegado"],
    "pt": ["Usuário não registrado", "Acesso negado"],
    "zh": ["人未登记", "禁止通行"],
}
NORMAL = {
    "es": ["Apertura con verificación normal", "Apertura remota", "Cancelar alarma"],
    "pt": ["Abertura com verificação normal", "Abertura remota", "Cancelar alarme"],
    "zh": ["正常验证开门", "远程开门", "取消报警"],
}


@pytest.mark.parametrize(("language", "name"), [(lang, n) for lang, names in ALARMS.items() for n in names])
def test_alarms_named_in_the_sites_language_are_alarms(language: str, name: str) -> None:
    assert Classifier().classify({"eventName": name}) is Level.ALARM, (language, name)


@pytest.mark.parametrize(("language", "name"), [(lang, n) for lang, names in WARNINGS.items() for n in names])
def test_refusals_named_in_the_sites_language_are_warnings(language: str, name: str) -> None:
    assert Classifier().classify({"eventName": name}) is Level.WARNING, (language, name)


@pytest.mark.parametrize(("language", "name"), [(lang, n) for lang, names in NORMAL.items() for n in names])
def test_ordinary_events_in_the_sites_language_stay_normal(language: str, name: str) -> None:
    assert Classifier().classify({"eventName": name}) is Level.NORMAL, (language, name)


def test_every_alarm_the_simulator_names_in_another_language_is_an_alarm() -> None:
    """The training simulator's tables (``--event-language``) and the console's agree."""
    from console.sim.profiles import EVENT_NAMES

    english = Classifier()
    for en_name, names in EVENT_NAMES.items():
        expected = english.classify({"eventName": en_name})
        for language, name in names.items():
            assert english.classify({"eventName": name}) is expected, (en_name, language, name)
