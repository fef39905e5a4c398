"""The one link between a Hermes-style module and the Hermes Console engine (private to this package).

Hermes's scheduler writes frame and time into shared memory, posts a step semaphore and waits on a done
semaphore; here the same moments are protocol messages (docs/modules.md): STEP carries frame, time and
the module's inputs, and DONE carries its outputs back. One Link per process, shared by every
SharedMemoryManager and FrameBarrier the module makes, because there is one engine on the pipes.

    HELO  at import (the module declares nothing: its signals are the YAML's)
    INIT  answered when the module first attaches (shm or barrier)
    STAG  answered with the current outputs while the module waits for its first step
    STEP  wait_step() returns True; signal_done() answers it with the outputs
    RSET  answered with the current outputs (Hermes's reset leaves values alone); frame and time go to 0
    TERM, or end of input: wait_step() returns False once; a later call ends the process (exit 0)
"""

import json
import os
import select
import signal as _signal
import struct
import sys
import time

# The protocol's constants and the Linux end-with-the-engine request come from the project's own helper,
# which sits next to this package on PYTHONPATH.
from hermes_module import DONE, HELO, INIT, PROTOCOL, RSET, STAG, STEP, TERM, _HEADER, _STEP, _Waiter, _end_with_engine

_TIMEOUT = object()
_END = object()


def under_engine():
    return bool(os.environ.get("HERMES_PROTOCOL"))


class Link:
    def __init__(self):
        self.fd_in = -1
        self.fd_out = -1
        self.buffer = b""
        self.module = os.environ.get("HERMES_MODULE_NAME", "")
        self.spin = float(os.environ.get("HERMES_SPIN_US") or 0) / 1e6
        # Spins for the next request only while requests come that fast and a core is free.
        self.waiter = _Waiter(self.spin)
        # Hermes modules leave wait_step on its timeout; HERMES_COMPAT_TIMEOUTS=ignore lets them wait for the
        # engine instead (a paused console then does not end them).
        self.ignore_timeouts = os.environ.get("HERMES_COMPAT_TIMEOUTS", "") == "ignore"
        self.connected = False
        self.ended = False
        self.pending = False
        self.frame = 0
        self.time_ns = 0
        self.index = {}
        self.inputs = []
        self.outputs = []
        self.n_in = 0
        self.inputs_format = None
        self.done = None

    # -- start-up --------------------------------------------------------------------------------------

    def take_over(self):
        """Keeps the engine's pipes for the protocol and sends print() to standard error; says HELO."""
        if self.fd_out >= 0:
            return
        _end_with_engine()
        # Ctrl+C in a terminal is the engine's to handle: it stops its modules in order.
        _signal.signal(_signal.SIGINT, _signal.SIG_IGN)
        self.fd_in, self.fd_out = os.dup(0), os.dup(1)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        sys.stdout.flush()
        os.dup2(2, 1)
        os.set_blocking(self.fd_in, False)
        self.send(HELO, json.dumps({"protocol": PROTOCOL, "signals": []}).encode("utf-8"))

    def connect(self):
        """Answers INIT: from then on the module's signals are known by their qualified names."""
        if self.connected:
            return
        if self.fd_out < 0:
            raise RuntimeError(
                "hermes (Hermes Console's compatibility package) works only inside Hermes Console's engine: "
                "HERMES_PROTOCOL is not set, so no engine started this module"
            )
        message = self.receive(None)
        if message is _END:
            # The engine only read the HELO (it does so while the configuration loads), or it is gone.
            sys.exit(0)
        tag, payload = message
        if tag != INIT:
            self.protocol_error(tag, "INIT")
        n_in, n_out = struct.unpack_from("<II", payload, 0)
        count = n_in + n_out
        initial = struct.unpack_from(f"<{count}d", payload, 8)
        names = [n.decode("utf-8") for n in payload[8 + 8 * count:].split(b"\0")[:count]]
        self.n_in = n_in
        self.inputs = list(initial[:n_in])
        self.outputs = list(initial[n_in:])
        self.inputs_format = struct.Struct(f"<{n_in}d")
        self.done = struct.Struct(f"<II{n_out}d")
        prefix = f"{self.module}." if self.module else ""
        # Hermes names signals <module>.<signal>; an entry is (is_input, position).
        self.index = {prefix + name: (i < n_in, i if i < n_in else i - n_in) for i, name in enumerate(names)}
        self.connected = True
        self.send(DONE)

    # -- signals and time ------------------------------------------------------------------------------

    def slot(self, name):
        where = self.index.get(name)
        if where is None:
            names = ", ".join(self.index) or "none"
            raise KeyError(f"Signal not found: {name} (under Hermes Console a module reaches its own signals: {names})")
        return where

    def get(self, name):
        is_input, i = self.slot(name)
        return self.inputs[i] if is_input else self.outputs[i]

    def set(self, name, value):
        is_input, i = self.slot(name)
        # A writable signal belongs to the engine (clients and wires set it): the module's write holds
        # until the engine sends its value with the next step.
        (self.inputs if is_input else self.outputs)[i] = float(value)

    def names(self):
        return list(self.index)

    # -- the frame barrier -----------------------------------------------------------------------------

    def wait_step(self, timeout):
        """True at the next STEP; False on timeout (as Hermes) or when the engine says goodbye."""
        if self.ended:
            # The engine said goodbye and the module asks again: nothing more will come.
            sys.exit(0)
        self.connect()
        if self.pending:
            # The module skipped signal_done: Hermes would wait 30 s and abort; here the step just ends.
            self.signal_done()
        if timeout is not None and self.ignore_timeouts:
            timeout = None
        deadline = None if timeout is None else time.monotonic() + max(0.0, float(timeout))
        while True:
            message = self.receive(deadline)
            if message is _TIMEOUT:
                return False
            if message is _END:
                self.ended = True
                return False
            tag, payload = message
            if tag == STEP:
                self.frame, self.time_ns, _, _ = _STEP.unpack_from(payload, 0)
                self.take_inputs(payload, _STEP.size)
                self.pending = True
                return True
            if tag == STAG or tag == RSET:
                self.take_inputs(payload, 0)
                if tag == RSET:
                    self.frame, self.time_ns = 0, 0
                self.send_outputs()
            elif tag == TERM:
                self.ended = True
                return False
            else:
                self.protocol_error(tag, "STAG, STEP, RSET or TERM")

    def signal_done(self):
        # A signal_done without a step (or after goodbye) has nothing to answer.
        if self.pending:
            self.pending = False
            self.send_outputs()

    # -- the pipes -------------------------------------------------------------------------------------

    def take_inputs(self, payload, offset):
        if self.n_in:
            self.inputs[:] = self.inputs_format.unpack_from(payload, offset)

    def send_outputs(self):
        self.write(self.done.pack(DONE, 8 * len(self.outputs), *self.outputs))

    def send(self, tag, payload=b""):
        self.write(_HEADER.pack(tag, len(payload)) + payload)

    def write(self, data):
        try:
            while data:
                data = data[os.write(self.fd_out, data):]
        except BrokenPipeError:
            # The engine is gone; the next read sees the end of input.
            pass

    def receive(self, deadline):
        """(tag, payload), _TIMEOUT once `deadline` (monotonic) passes, or _END at end of input."""
        buf = self.buffer
        fd = self.fd_in
        while True:
            if len(buf) >= 8:
                tag, length = _HEADER.unpack_from(buf, 0)
                if len(buf) >= 8 + length:
                    self.buffer = buf[8 + length:]
                    return tag, buf[8:8 + length]
            # The pipe is non-blocking: a request that is already there costs one read, no select.
            try:
                chunk = os.read(fd, 65536)
            except BlockingIOError:
                chunk = self.waiter.spin(fd) if deadline is None or time.monotonic() < deadline else None
                if chunk is None:
                    self.waiter.blocks += 1
                    chunk = self.block(fd, deadline)
                    if chunk is None:
                        self.buffer = buf
                        return _TIMEOUT
                    continue
            if not chunk:
                self.buffer = b""
                return _END
            buf += chunk

    def block(self, fd, deadline):
        """b"" once the pipe is readable (the loop reads it), None when `deadline` passes first."""
        wait = None if deadline is None else max(0.0, deadline - time.monotonic())
        ready, _, _ = select.select([fd], [], [], wait)
        return b"" if ready else None

    def protocol_error(self, tag, expected):
        sys.stderr.write(f"hermes (compatibility): protocol error: got {struct.pack('<I', tag)!r} where {expected} was expected\n")
        sys.exit(2)


LINK = Link()


def take_over():
    if under_engine():
        LINK.take_over()
