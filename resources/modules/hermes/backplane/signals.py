"""hermes.backplane.signals: Hermes's signal type and flag numbers (every value is a float64 here too)."""

from enum import IntEnum, IntFlag


class SignalType(IntEnum):
    F64 = 0
    F32 = 1
    I64 = 2
    I32 = 3
    BOOL = 4


class SignalFlags(IntFlag):
    NONE = 0
    WRITABLE = 1 << 0
    PUBLISHED = 1 << 1
