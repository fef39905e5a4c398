"""hermes.backplane.shm: SharedMemoryManager as a Hermes module uses it, served by Hermes Console's engine.

Hermes maps a POSIX shared-memory segment; here the engine sends the module's signal values, frame and
time with every step and takes its outputs back with the step's answer, so the module sees the same
values at the same moments. Names are qualified (`<module>.<signal>`), as in Hermes. A module reaches
its own signals (Hermes lets it reach every module's); another name is a KeyError that lists them.
"""

import os

from hermes._engine import LINK

__all__ = ["SharedMemoryManager"]

NANOSECONDS_PER_SECOND = 1_000_000_000


class SharedMemoryManager:
    """The module's view of the backplane: attach, then get_frame, get_time, get_signal, set_signal."""

    MAGIC = 0x4845524D
    VERSION = 3
    NANOSECONDS_PER_SECOND = NANOSECONDS_PER_SECOND

    def __init__(self, name):
        self._name = name
        self._attached = False

    @property
    def name(self):
        return self._name

    @property
    def is_attached(self):
        return self._attached

    def create(self, signals):
        raise RuntimeError("Hermes Console's engine creates the backplane; a module attaches to it (SharedMemoryManager.attach)")

    def attach(self):
        if self._attached:
            raise RuntimeError("Already attached to shared memory")
        expected = os.environ.get("HERMES_SHM_NAME")
        if expected and self._name != expected:
            raise FileNotFoundError(f"No shared memory segment named {self._name!r}: this engine's is {expected!r} (HERMES_SHM_NAME)")
        LINK.connect()
        self._attached = True

    def detach(self):
        self._attached = False

    def destroy(self):
        # The engine owns the backplane: destroying it from a module only detaches.
        self.detach()

    def _check(self):
        if not self._attached:
            raise RuntimeError("Not attached to shared memory")

    def get_signal(self, name):
        self._check()
        return LINK.get(name)

    def set_signal(self, name, value):
        self._check()
        LINK.set(name, value)

    def get_frame(self):
        self._check()
        return int(LINK.frame)

    def get_time_ns(self):
        self._check()
        return int(LINK.time_ns)

    def get_time(self):
        return self.get_time_ns() / NANOSECONDS_PER_SECOND

    def set_frame(self, frame):
        self._engine_owns("frame")

    def set_time_ns(self, time_ns):
        self._engine_owns("time")

    def set_time(self, time):
        self._engine_owns("time")

    def _engine_owns(self, what):
        self._check()
        raise RuntimeError(f"the engine owns the {what}: a module under Hermes Console reads it (get_frame, get_time)")

    def signal_names(self):
        self._check()
        return LINK.names()

    def __enter__(self):
        return self

    def __exit__(self, *args):
        self.detach()
