"""Live face guidance on frames (OpenCV's cascade from inside its wheel), the portrait crop, and the whole
flow to the simulator's face check and person record."""

from __future__ import annotations

import cv2

from console.services.enrolment.face import PORTRAIT, FaceGuide, Hint, crop_portrait, encode_jpeg_b64
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
