"""Skin dose map of a 300-event fluoroscopy procedure: the numpy projection's time.

    python bench/skindose.py [--events 300] [--repeat 5]

Builds 300 events of varied angles, fields and table positions (a seeded random procedure),
projects them onto the reference phantom and prints the median and slowest of ``--repeat``
runs (the phantom build and the projection; no database).
"""
import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from app.skindose import phantom  # noqa: E402
from app.skindose.calculation import Beams, skin_dose  # noqa: E402


def procedure(events: int, seed: int = 168) -> Beams:
    rng = np.random.default_rng(seed)
    rows = [{"dose_rp": float(rng.uniform(0.001, 0.05)),
             "primary": float(rng.uniform(-60, 60)), "secondary": float(rng.uniform(-30, 30)),
             "source_to_isocentre": 765.0, "source_to_detector": float(rng.uniform(900, 1200)),
             "field_width": float(rng.uniform(100, 300)),
             "field_height": float(rng.uniform(100, 300)),
             "table": (float(rng.uniform(-50, 50)), float(rng.uniform(-150, 150)),
                       float(rng.uniform(-30, 30))),
             "kvp": float(rng.uniform(60, 110)),
             "copper": float(rng.choice([0.0, 0.1, 0.3, 0.6]))} for _ in range(events)]
    return Beams.of(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    beams = procedure(args.events)
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        body = phantom.build(1.75, 80.0)
        grid = skin_dose(body, beams)
        times.append(time.perf_counter() - start)
    print(f"{args.events} events, {body.rows} x {body.columns} cells: median "
          f"{statistics.median(times):.3f} s, slowest {max(times):.3f} s; "
          f"peak skin dose {grid.max():.3f} Gy")


if __name__ == "__main__":
    main()
