#!/usr/bin/env python3
"""A cart written against Hermes's module API (hermes.backplane), which Hermes Console runs unchanged.

It attaches to the backplane and the frame barrier by the names the engine puts in HERMES_SHM_NAME and
HERMES_BARRIER_NAME, and in every step reads its writable `speed` (set by a client or a wire), moves
`position` by speed times the step's time since the last one, and reports the frame and time it was given.
Under Hermes Console the `hermes` package is resources/modules/hermes, which the engine puts on PYTHONPATH.
Run it with hermes_style.yaml.
"""

import os
import sys

from hermes.backplane.shm import SharedMemoryManager
from hermes.backplane.sync import FrameBarrier


def main():
    me = os.environ.get("HERMES_MODULE_NAME", "cart")
    segment = os.environ.get("HERMES_SHM_NAME")
    barrier_name = os.environ.get("HERMES_BARRIER_NAME")
    if not segment or not barrier_name:
        print("cart: HERMES_SHM_NAME and HERMES_BARRIER_NAME must name the backplane and the barrier", file=sys.stderr)
        return 1

    backplane = SharedMemoryManager(segment)
    backplane.attach()
    barrier = FrameBarrier(barrier_name, 1)
    barrier.attach()

    position = 0.0
    previous = None
    print(f"{me}: attached to {segment}; signals: {', '.join(backplane.signal_names())}")
    try:
        # No timeout: the cart waits for the engine, which ends it when the run stops.
        while barrier.wait_step():
            now = backplane.get_time()
            if previous is None or now < previous:  # the first step, or after a reset
                previous = now
            position += backplane.get_signal(f"{me}.speed") * (now - previous)
            previous = now
            backplane.set_signal(f"{me}.position", position)
            backplane.set_signal(f"{me}.frame_seen", backplane.get_frame())
            backplane.set_signal(f"{me}.time_seen", now)
            barrier.signal_done()
    finally:
        barrier.close()
        backplane.detach()
    print(f"{me}: done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
