"""Write the alarm sounds into resources/sounds: the chime and one sound per alarm priority (issue 13).

Generated with Python's ``wave`` module from the notes in ``console/ui/alarms/sound.py`` (no download, no
recording): ``python tools/make_sounds.py [DIR]``. Run it again after changing the notes.
"""

from __future__ import annotations

import sys
from pathlib import Path

from console.ui.alarms.sound import PRIORITY_TONES, TONE_FILE, priority_file, write_tone


def main(target: Path) -> list[Path]:
    written = [write_tone(target / TONE_FILE)]
    for priority, notes in sorted(PRIORITY_TONES.items()):
        written.append(write_tone(target / priority_file(priority), notes=notes))
    return written


if __name__ == "__main__":
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "resources" / "sounds"
    for path in main(folder):
        print(f"{path} ({path.stat().st_size} bytes)")
