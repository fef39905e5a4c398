"""hermes.backplane.sync: FrameBarrier as a Hermes module uses it (wait_step, signal_done), over the engine's protocol.

wait_step(timeout) returns True when the engine asks for a step, and False when `timeout` seconds pass
first, as Hermes's semaphore does; it also returns False once when the engine stops the module (TERM or
end of input), and a further call then ends the process with exit code 0. signal_done() sends the
step's outputs back.
"""

import os

from hermes._engine import LINK

__all__ = ["FrameBarrier"]


class FrameBarrier:
    def __init__(self, name, count):
        if count < 1:
            raise ValueError(f"FrameBarrier count must be at least 1, got {count}")
        self._name = name
        self._count = count
        self._attached = False

    @property
    def name(self):
        return self._name

    @property
    def count(self):
        return self._count

    def create(self):
        raise RuntimeError("Hermes Console's engine runs the frame barrier; a module attaches to it (FrameBarrier.attach)")

    def attach(self):
        if self._attached:
            raise RuntimeError("Already attached to barrier")
        expected = os.environ.get("HERMES_BARRIER_NAME")
        if expected and self._name != expected:
            raise FileNotFoundError(f"No barrier named {self._name!r}: this engine's is {expected!r} (HERMES_BARRIER_NAME)")
        LINK.connect()
        self._attached = True

    def _check(self):
        if not self._attached:
            raise RuntimeError("Barrier not created/attached")

    def wait_step(self, timeout=None):
        self._check()
        return LINK.wait_step(timeout)

    def signal_done(self):
        self._check()
        LINK.signal_done()

    def signal_step(self):
        self._check()
        raise RuntimeError("the engine signals the steps: a module waits for them (wait_step)")

    def wait_all_done(self, timeout=None):
        self._check()
        raise RuntimeError("the engine waits for the modules: a module signals its own step done (signal_done)")

    def close(self):
        self._attached = False

    def destroy(self):
        self.close()

    def __enter__(self):
        return self

    def __exit__(self, *args):
        self.close()
