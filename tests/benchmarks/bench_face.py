"""How long the live face guidance takes on a 640x480 frame (the issue asks for at most 30 ms on 2 cores).

    PYTHONPATH=. .venv/bin/python tests/benchmarks/bench_face.py [--frames 200]

Not a timed test: a slower machine only drops preview frames (the panel keeps at most one frame waiting).
"""

from __future__ import annotations

import argparse
import statistics
import time

from benchlib import Figure, add_json_option, emit, human, p95

from console.services.enrolment.face import FaceGuide
from tests import face_frames


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--frames", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="60 frames")
    add_json_option(parser)
    args = parser.parse_args()
    if args.quick:
        args.frames = 60
    guide = FaceGuide()
    frames = [face_frames.face_frame(), face_frames.blank(), face_frames.two_faces(), face_frames.dark()]
    times: list[float] = []
    cpu: list[float] = []  # this thread's CPU time: what the frame costs, whatever else the machine is doing
    for i in range(args.frames):
        frame = frames[i % len(frames)]
        start, start_cpu = time.perf_counter(), time.thread_time()
        guide.guide(frame)
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.thread_time() - start_cpu) * 1000)
    times.sort()
    cpu.sort()
    print(f"{args.frames} frames of 640x480: median {statistics.median(times):.1f} ms, "
          f"95th percentile {times[int(len(times) * 0.95) - 1]:.1f} ms, worst {times[-1]:.1f} ms; "
          f"CPU median {statistics.median(cpu):.1f} ms, p95 {p95(cpu):.1f} ms", file=human(args))
    emit([Figure("face guidance: one 640x480 frame (median)", 30.0, statistics.median(times), "ms",
                 note=f"p95 {p95(times):.1f} ms, worst {times[-1]:.1f} ms, {args.frames} frames; "
                      f"CPU median {statistics.median(cpu):.1f} ms, p95 {p95(cpu):.1f} ms"),
          Figure("face guidance: one 640x480 frame (p95)", 30.0, p95(times), "ms",
                 note="a slow frame is dropped, the preview never waits")], args)


if __name__ == "__main__":
    main()
