"""hermes.backplane: the module side of Hermes's backplane (signals and the frame barrier), over Hermes Console's protocol."""

from hermes.backplane.shm import SharedMemoryManager
from hermes.backplane.signals import SignalFlags, SignalType
from hermes.backplane.sync import FrameBarrier

__all__ = ["SharedMemoryManager", "FrameBarrier", "SignalType", "SignalFlags"]
