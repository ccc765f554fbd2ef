"""The guard reads "Forced open", not "Door Opened Accidentally"; the server's name stays in the details."""

from __future__ import annotations

from console.services.events.words import guard_words


def test_vendor_names_read_as_the_guard_words_and_others_stay_as_sent() -> None:
    assert guard_words("Door Opened Accidentally") == "Forced open"
    assert guard_words("  normal   verify OPEN ") == "Access granted"
    assert guard_words("Door Open Timeout") == "Held open too long"
    assert guard_words("Puerta abierta forzadamente") == "Puerta abierta forzadamente"
    assert guard_words("<b>x</b>") == "<b>x</b>"
