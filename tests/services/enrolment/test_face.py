"""Live face guidance on frames (OpenCV's cascade from inside its wheel), the portrait crop, and the whole
flow to the simulator's face check and person record."""

from __future__ import annotations

import cv2

from console.services.enrolment.face import PORTRAIT, FaceGuide, Hint, crop_portrait, encode_jpeg_b64, eye_line
from tests import face_frames
from tests.services.enrolment.conftest import Rig


def guide(frame: object) -> Hint:
    return FaceGuide().guide(frame).hint


def test_the_detector_ships_inside_the_package() -> None:
    assert cv2.__version__.startswith("4.")
    assert FaceGuide().available


def test_the_words_for_each_kind_of_frame() -> None:
    assert guide(face_frames.face_frame()) is Hint.GOOD
    assert guide(face_frames.blank()) is Hint.NO_FACE
    assert guide(face_frames.two_faces()) is Hint.SEVERAL
    assert guide(face_frames.dark()) is Hint.TOO_DARK
    assert guide(face_frames.bright()) is Hint.TOO_BRIGHT
    assert guide(face_frames.face_frame(left=300)) is Hint.CENTRE
    assert guide(face_frames.far_face()) is Hint.CLOSER


def test_a_moving_face_is_told_to_hold_still() -> None:
    faces = FaceGuide()
    assert faces.guide(face_frames.face_frame(left=164)).good
    assert faces.guide(face_frames.face_frame(left=60)).hint is Hint.STILL
    assert faces.guide(face_frames.face_frame(left=60)).good


async def test_the_portrait_is_accepted_by_the_server_and_stored(rig: Rig) -> None:
    frame = face_frames.face_frame()
    verdict = FaceGuide().guide(frame)
    assert verdict.face is not None
    portrait = crop_portrait(frame, verdict.face)
    assert (portrait.shape[1], portrait.shape[0]) == PORTRAIT
    again = FaceGuide().faces(portrait)
    assert len(again) == 1  # the face is still there, and centred
    x, _, w, _ = again[0]
    assert abs((x + w / 2) - PORTRAIT[0] / 2) < PORTRAIT[0] * 0.1
    b64 = encode_jpeg_b64(portrait)
    assert (await rig.desk.check_face(b64)).ok
    assert (await rig.desk.save(rig.form(), photo_b64=b64, new=True)).ok
    assert rig.sim.world.persons["N1001"].photo == b64


def _tilted(degrees: float) -> object:
    """The sample face frame turned by ``degrees`` (counter-clockwise) about its middle, as a tilted head."""
    frame = face_frames.face_frame()
    turn = cv2.getRotationMatrix2D((320, 240), degrees, 1.0)
    return cv2.warpAffine(frame, turn, (640, 480), borderMode=cv2.BORDER_REPLICATE)


def test_a_tilted_head_is_straightened_so_the_eyes_are_level() -> None:
    faces = FaceGuide()
    for degrees in (12.0, -10.0):
        frame = _tilted(degrees)
        (face,) = faces.faces(frame)
        tilt = eye_line(frame, face)
        assert tilt is not None
        assert abs(tilt) > 5  # the eyes are visibly off level in the frame
        portrait = crop_portrait(frame, face)
        assert (portrait.shape[1], portrait.shape[0]) == PORTRAIT
        (again,) = faces.faces(portrait)
        level = eye_line(portrait, again)
        assert level is not None
        assert abs(level) <= 3.0, (degrees, tilt, level)
        left_as_is = crop_portrait(frame, face, straighten=False)
        (same,) = faces.faces(left_as_is)
        assert abs(eye_line(left_as_is, same) or 0.0) > 5  # the test would catch a crop that does not turn


def test_no_eyes_found_leaves_the_portrait_as_it_is() -> None:
    frame = face_frames.face_frame()
    box = (20, 20, 120, 120)  # a "face" box over the plain background: no eyes in it
    assert eye_line(frame, box) is None
    assert (crop_portrait(frame, box) == crop_portrait(frame, box, straighten=False)).all()
