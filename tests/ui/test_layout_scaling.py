"""The whole console at 1366x768 and at 200 % scaling: every panel, brought to the front in turn, has no visible
widget leaving its parent, overlapping a sibling or squeezed below its minimum (rows drawn over each other),
and the status bar gives way with "…" instead of pushing the window wider.

200 % is simulated as a desktop does it: ``QT_SCALE_FACTOR=2`` set before the QApplication exists (in a
subprocess: one process cannot change it), so the device pixel ratio is 2 (icons, pixmaps, pens and the
offscreen grab are all at double density) and the window is laid out in device-independent pixels. A 200 %
desktop is then a 100 % desktop of half the resolution: the common 2560x1440 screen at 200 % gives the console
1280x720 logical pixels, less room than 1366x768 at 100 %. Doubling the fonts alone (without the pixel ratio)
would test a desktop setting Qt 6 does not produce: Qt turns a 192 dpi desktop into a ratio of 2, not into
fonts twice as big in the same pixels.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _probe(tmp_path: Path, size: str, scale: str | None) -> dict[str, object]:
    out = tmp_path / f"layout-{size}-{scale or 1}.json"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
           "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "XDG_DATA_HOME": str(tmp_path / "data")}
    env.pop("QT_SCALE_FACTOR", None)
    if scale:
        env["QT_SCALE_FACTOR"] = scale
    done = subprocess.run([sys.executable, "-m", "tests.ui.layout_probe", size, str(out)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=240, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, object] = json.loads(out.read_text(encoding="utf-8"))
    return result


@pytest.mark.parametrize(("size", "scale", "ratio"), [("1366x768", None, 1.0), ("1280x720", "2", 2.0)],
                         ids=["1366x768", "200%-of-2560x1440"])
def test_every_panel_holds_its_layout(tmp_path: Path, size: str, scale: str | None, ratio: float) -> None:
    result = _probe(tmp_path, size, scale)
    assert result["ratio"] == ratio  # the scale really is in force
    assert result["window"] == [int(n) for n in size.split("x")]
    assert result["missing"] == [], "panels that were not built"
    panels = result["panels"]
    assert isinstance(panels, dict)
    assert set(panels) == {"doors", "events", "alarms", "visitors", "people", "parking", "spaces"}
    found = {key: problems for key, problems in panels.items() if problems}
    assert found == {}, json.dumps(found, indent=1)
    status = result["status"]
    assert isinstance(status, dict)
    assert status["fits"], "a status bar label leaves the status bar"
    assert status["elided"], "a long profile name was not cut with '…'"
    assert status["health_whole"], "the connection state must never be cut"
    assert status["problems"] == []
