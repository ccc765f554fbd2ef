"""How long the live face guidance takes on a 640x480 frame (the issue asks for at most 30 ms on 2 cores).

    PYTHONPATH=. .venv/bin/python tests/benchmarks/bench_face.py [--frames 200]

Not a timed test: a slower machine only drops preview frames (the panel keeps at most one frame waiting).
"""

from __future__ import annotations

import argparse
import statistics
import time

from console.services.enrolment.face import FaceGuide
from tests import face_frames


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--frames", type=int, default=200)
    args = parser.parse_args()
    guide = FaceGuide()
    frames = [face_frames.face_frame(), face_frames.blank(), face_frames.two_faces(), face_frames.dark()]
    times: list[float] = []
    for i in range(args.frames):
        frame = frames[i % len(frames)]
        start = time.perf_counter()
        guide.guide(frame)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    print(f"{args.frames} frames of 640x480: median {statistics.median(times):.1f} ms, "
          f"95th percentile {times[int(len(times) * 0.95) - 1]:.1f} ms, worst {times[-1]:.1f} ms")


if __name__ == "__main__":
    main()
