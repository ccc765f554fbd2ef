from __future__ import annotations

import json

import pytest

from console.services.doors import Kind
from console.services.floorplans import MAX_IMAGE_BYTES, FloorPlans, PlanError, image_kind
from tests.services.doors_helpers import png_bytes

SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300"></svg>'


def test_plans_and_markers_survive_a_restart(tmp_path) -> None:
    source = tmp_path / "ground floor.png"
    source.write_bytes(png_bytes(40, 30))
    svg = tmp_path / "roof.svg"
    svg.write_bytes(SVG)
    plans = FloorPlans(tmp_path / "data", "Head office")
    ground = plans.add("Ground floor", source)
    roof = plans.add("", svg)
    assert roof.name == "roof"  # no name given: the file's
    plans.set_marker(ground.id, (Kind.DOOR, "d1"), 12.5, 7)
    plans.set_marker(ground.id, (Kind.GATE, "g1"), 30, 20)
    plans.set_marker(ground.id, (Kind.DOOR, "d1"), 14, 8)  # moved
    plans.set_marker(roof.id, (Kind.DOOR, "d9"), 100, 100)
    plans.rename(roof.id, "Roof")
    source.unlink()  # the plan keeps its own copy of the image

    again = FloorPlans(tmp_path / "data", "Head office")
    assert [(p.name, p.image.rsplit(".", 1)[1]) for p in again] == [("Ground floor", "png"), ("Roof", "svg")]
    ground2 = again.plan(ground.id)
    assert ground2 is not None
    assert {(m.key, m.x, m.y) for m in ground2.markers} == {((Kind.DOOR, "d1"), 14.0, 8.0),
                                                             ((Kind.GATE, "g1"), 30.0, 20.0)}
    assert again.image_path(ground2).read_bytes() == png_bytes(40, 30)
    assert [p.name for p in again.plans_with((Kind.DOOR, "d9"))] == ["Roof"]
    again.remove_marker(ground.id, (Kind.GATE, "g1"))
    again.remove(roof.id)
    third = FloorPlans(tmp_path / "data", "Head office")
    assert [len(p.markers) for p in third] == [1]
    assert not (third.folder / roof.image).exists()
    assert FloorPlans(tmp_path / "data", "Another site").plans == []  # plans are per profile


def test_only_png_jpeg_and_svg_of_sane_size_are_accepted(tmp_path) -> None:
    text = tmp_path / "plan.png"
    text.write_text("not an image at all")
    with pytest.raises(PlanError, match="not a PNG, JPEG or SVG"):
        image_kind(text)
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    with pytest.raises(PlanError, match="empty"):
        image_kind(empty)
    huge = tmp_path / "huge.png"
    with huge.open("wb") as handle:
        handle.write(png_bytes())
        handle.truncate(MAX_IMAGE_BYTES + 1)
    with pytest.raises(PlanError, match="larger than"):
        image_kind(huge)
    jpeg = tmp_path / "photo.bin"
    jpeg.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 20)
    assert image_kind(jpeg) == "jpeg"
    plans = FloorPlans(tmp_path / "data", "p")
    with pytest.raises(PlanError):
        plans.add("x", text)
    assert plans.plans == []
    assert not list(plans.folder.glob("*.png"))


def test_a_profile_name_cannot_escape_the_plans_folder(tmp_path) -> None:
    plans = FloorPlans(tmp_path / "data", "../../etc/<evil>")
    assert plans.folder.parent == tmp_path / "data" / "plans"
    assert FloorPlans(tmp_path / "data", "a/b").folder != FloorPlans(tmp_path / "data", "a?b").folder


def test_a_damaged_layout_file_is_set_aside_not_fatal(tmp_path) -> None:
    source = tmp_path / "p.png"
    source.write_bytes(png_bytes())
    plans = FloorPlans(tmp_path / "data", "p")
    plan = plans.add("First", source)
    plans.set_marker(plan.id, (Kind.DOOR, "d1"), 1, 2)
    layout = plans.folder / "plans.json"
    doc = json.loads(layout.read_text())
    doc["plans"][0]["markers"] += [{"kind": "door", "id": "d2", "x": "NaN", "y": 1}, {"kind": "lift", "id": "x"}]
    doc["plans"].append({"id": "x", "name": "gone", "image": "../../secret.png"})
    layout.write_text(json.dumps(doc))
    again = FloorPlans(tmp_path / "data", "p")
    assert [(p.name, len(p.markers)) for p in again] == [("First", 1)]
    layout.write_text("{ not json")
    fresh = FloorPlans(tmp_path / "data", "p")
    assert fresh.plans == []
    [aside] = fresh.set_aside  # renamed with the time and said to the operator, like the other damaged files
    assert aside.aside.name.startswith("plans.json.damaged-")
    assert aside.aside.read_text() == "{ not json"
    assert "floor plans file" in aside.text
    assert not layout.exists()
