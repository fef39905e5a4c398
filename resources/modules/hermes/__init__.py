"""hermes: Hermes Console's stand-in for the module-side API of Hermes's own `hermes` package.

A Python module written for Hermes attaches to `hermes.backplane.shm.SharedMemoryManager` and
`hermes.backplane.sync.FrameBarrier`, named by HERMES_SHM_NAME and HERMES_BARRIER_NAME. This package
offers those classes with the same methods, results and errors, but speaks Hermes Console's process
module protocol (docs/modules.md) over standard input and output instead of POSIX shared memory and
semaphores. The engine puts this folder's parent (resources/modules) first on PYTHONPATH, so
`from hermes.backplane.shm import SharedMemoryManager` finds it; see docs/modules.md, "Modules written
for Hermes".

Importing it under the engine (HERMES_PROTOCOL set) takes over standard output at once, before the
module's first print: protocol messages go to the engine, and print() goes to standard error (Hermes
sends a module's standard output to /dev/null; here it shows in the engine's log).
"""

from hermes import _engine

__version__ = "0.2.0+hermes-console"

_engine.take_over()

from hermes.backplane.shm import SharedMemoryManager  # noqa: E402
from hermes.backplane.signals import SignalFlags, SignalType  # noqa: E402
from hermes.backplane.sync import FrameBarrier  # noqa: E402

__all__ = ["__version__", "SharedMemoryManager", "FrameBarrier", "SignalType", "SignalFlags"]
