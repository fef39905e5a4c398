"""hermes_module: write a Hermes Console process module in Python (one file, standard library only).

    from hermes_module import Module, run

    class Vehicle(Module):
        signals = [{"name": "position.x", "unit": "m"}]   # optional: the YAML may list them instead

        def stage(self):
            self.x = 0.0
            self.outputs["position.x"] = self.x

        def step(self, t):                                # t.frame, t.time_ns, t.time, t.dt
            self.x += 1.0 * t.dt
            self.outputs["position.x"] = self.x

    if __name__ == "__main__":
        run(Vehicle())

The engine starts the script with python3 (`type: script` with a .py file) or as an executable
(`type: process`), with this folder on PYTHONPATH, and steps it through the binary protocol of
docs/modules.md over standard input and output. This helper owns both: print() and anything else
written to standard output goes to standard error, which the engine shows and quotes when the module
fails. An exception in a hook is reported to the engine (the run pauses) and the module keeps going;
the module exits when the engine says TERM or when its standard input ends (the engine is gone).
"""

import json
import os
import select
import signal as _signal
import struct
import sys
import time
import traceback

__all__ = ["Module", "Context", "Time", "Values", "signal", "run"]

PROTOCOL = 1


def _tag(text):
    return struct.unpack("<I", text.encode("ascii"))[0]


HELO, INIT, STAG, STEP, RSET, TERM, DONE, FAIL = (_tag(t) for t in ("HELO", "INIT", "STAG", "STEP", "RSET", "TERM", "DONE", "FAIL"))
_HEADER = struct.Struct("<II")
_STEP = struct.Struct("<Qqdd")


class _Waiter:
    """Spins on the non-blocking request pipe only while requests come within the budget and a core is free.

    The engine's rule (docs/architecture.md, "Waiting"): a spin that runs out of budget three times in a
    row, or that sees this process descheduled (a gap of 50 µs between two polls), or a machine with more
    runnable threads than cores (/proc/loadavg), turns spinning off; one wait in 64 (doubling up to 4096
    while it fails) tries again. HERMES_WAIT=spin always spins, HERMES_WAIT=block never does.
    """

    PREEMPTED = 50e-6
    MISS_LIMIT = 3
    PROBE_MIN = 64
    PROBE_MAX = 4096
    LOAD_PERIOD = 0.02

    def __init__(self, budget):
        self.budget = budget
        self.policy = os.environ.get("HERMES_WAIT", "adaptive")
        if self.policy not in ("spin", "block"):
            self.policy = "adaptive"
        self.spinning = budget > 0 and self.policy != "block"
        self.misses = 0
        self.probe_every = self.PROBE_MIN
        self.until_probe = 0
        self.spins = self.yields = self.blocks = self.switches = 0
        try:
            self.cores = len(os.sched_getaffinity(0))
        except (AttributeError, OSError):
            self.cores = os.cpu_count() or 1
        try:
            self.load_fd = os.open("/proc/loadavg", os.O_RDONLY)
        except OSError:
            self.load_fd = -1
        self.load_at = -1.0
        self.load_busy = False

    def busy(self, now):
        if self.load_fd < 0:
            return False
        if now - self.load_at >= self.LOAD_PERIOD:
            self.load_at = now
            try:
                self.load_busy = int(os.pread(self.load_fd, 128, 0).split()[3].split(b"/")[0]) > self.cores
            except (OSError, ValueError, IndexError):
                self.load_busy = False
        return self.load_busy

    def spin(self, fd):
        """What a non-blocking read of `fd` returned while spinning, or None: the caller then blocks."""
        if self.budget <= 0 or self.policy == "block":
            return None
        clock = time.perf_counter
        start = clock()
        adaptive = self.policy == "adaptive"
        if adaptive:
            if not self.spinning:
                self.until_probe -= 1
                if self.until_probe > 0:
                    return None
            if self.busy(start):
                return self.give_up(True)
        until = start + self.budget
        last = start
        while True:
            try:
                chunk = os.read(fd, 65536)
            except BlockingIOError:
                now = clock()
                if adaptive and now - last > self.PREEMPTED:
                    return self.give_up(True)
                last = now
                if now >= until:
                    return self.give_up(False) if adaptive else None
                continue
            self.spins += 1
            self.misses = 0
            if not self.spinning:
                self.spinning = True
                self.switches += 1
                self.probe_every = self.PROBE_MIN
            return chunk

    def give_up(self, preempted):
        if preempted:
            self.yields += 1
        if self.spinning:
            if not preempted:
                self.misses += 1
                if self.misses < self.MISS_LIMIT:
                    return None
            self.spinning = False
            self.switches += 1
            self.probe_every = self.PROBE_MIN
        else:
            self.probe_every = min(self.PROBE_MAX, self.probe_every * 2)
        self.misses = 0
        self.until_probe = self.probe_every
        return None


def signal(name, unit=None, writable=None, published=None, initial=None, description=None, type=None):
    """A signal declaration, for Module.signals; fields left out take the YAML's value or the default."""
    fields = {"name": name, "unit": unit, "writable": writable, "published": published, "initial": initial, "description": description, "type": type}
    return {k: v for k, v in fields.items() if v is not None}


class Time:
    """Time during one step: frame, time_ns (integer), time and dt (seconds)."""

    __slots__ = ("frame", "time_ns", "time", "dt")

    def __init__(self):
        self.frame, self.time_ns, self.time, self.dt = 0, 0, 0.0, 0.0


class Context:
    """What the engine tells every module about itself (the same as the HERMES_* environment variables)."""

    def __init__(self):
        env = os.environ
        self.name = env.get("HERMES_MODULE_NAME", "")
        self.config_path = env.get("HERMES_CONFIG_PATH") or None
        self.config_file = env.get("HERMES_MODULE_CONFIG") or None
        self.rate_hz = float(env.get("HERMES_RATE_HZ") or 0)
        self.options = json.loads(env.get("HERMES_OPTIONS") or "{}")
        self.inputs = ()
        self.outputs = ()


class Values:
    """Signal values by local name: the module's inputs (read-only) or outputs (writable)."""

    __slots__ = ("_index", "_values", "_kind")

    def __init__(self, names, values, kind):
        self._index = {name: i for i, name in enumerate(names)}
        self._values = values
        self._kind = kind

    def _missing(self, name):
        names = ", ".join(self._index) or "none"
        return KeyError(f"no {self._kind} named {name!r}; the {self._kind}s are: {names}")

    def __getitem__(self, name):
        try:
            return self._values[self._index[name]]
        except KeyError:
            raise self._missing(name) from None

    def __setitem__(self, name, value):
        if self._kind != "output":
            raise TypeError(f"{name!r} is an input (a writable signal): the engine writes it, the module reads it")
        try:
            self._values[self._index[name]] = float(value)
        except KeyError:
            raise self._missing(name) from None

    def __contains__(self, name):
        return name in self._index

    def __iter__(self):
        return iter(self._index)

    def __len__(self):
        return len(self._index)

    def keys(self):
        return self._index.keys()

    def items(self):
        return [(name, self._values[i]) for name, i in self._index.items()]

    def get(self, name, default=None):
        i = self._index.get(name)
        return default if i is None else self._values[i]


class Module:
    """Subclass it and override step (and any other hook). Inputs are the module's writable signals."""

    #: Optional declarations: names, signal(...) results or dicts with the YAML's signal fields.
    signals = ()

    context: Context
    inputs: Values
    outputs: Values

    def init(self):
        """Once, before stage: self.context, self.inputs and self.outputs are set."""

    def stage(self):
        """Before the first frame: initial state and initial outputs."""

    def step(self, t):
        raise NotImplementedError("a module must define step(self, t)")

    def reset(self):
        """Back to the staged state; the engine has restored every signal's initial value."""
        self.stage()

    def terminate(self):
        """Once, at the end of the run."""


def _declarations(module):
    decls = []
    for s in module.signals or ():
        decls.append({"name": s} if isinstance(s, str) else dict(s))
    return decls


def _failure(error):
    """One line for the engine: the exception and where in the module's code (not this helper's) it was raised."""
    text = f"{type(error).__name__}: {error}"
    frames = [f for f in traceback.extract_tb(error.__traceback__) if os.path.abspath(f.filename) != os.path.abspath(__file__)]
    if frames:
        last = frames[-1]
        text += f" ({os.path.basename(last.filename)}:{last.lineno} in {last.name})"
    return text


class _Runner:
    def __init__(self, module, fd_in, fd_out):
        self.module = module
        self.fd_in = fd_in
        self.fd_out = fd_out
        self.pending = b""
        # Spinning on the pipe for the next request saves the engine a wake-up per step while requests come
        # fast and a core is free (_Waiter); the engine says how long (0 when the cores are all taken).
        self.spin = float(os.environ.get("HERMES_SPIN_US") or 0) / 1e6
        self.waiter = _Waiter(self.spin)
        if self.spin > 0:
            os.set_blocking(fd_in, False)
        self.time = Time()
        self.initialized = False
        self.terminated = False
        self.n_in = 0
        self.inputs_format = None
        self.done = None
        self.in_values = []
        self.out_values = []
        self.initial_outputs = ()

    def send(self, tag, payload=b""):
        data = _HEADER.pack(tag, len(payload)) + payload
        while data:
            data = data[os.write(self.fd_out, data):]

    def receive(self):
        """(tag, payload) of the next message, or None at end of input."""
        buf = self.pending
        while True:
            if len(buf) >= 8:
                tag, length = _HEADER.unpack_from(buf, 0)
                if len(buf) >= 8 + length:
                    self.pending = buf[8 + length:]
                    return tag, buf[8:8 + length]
            chunk = self.read() if self.spin > 0 else os.read(self.fd_in, 65536)
            if not chunk:
                return None
            buf += chunk

    def read(self):
        fd = self.fd_in
        while True:
            try:
                return os.read(fd, 65536)
            except BlockingIOError:
                chunk = self.waiter.spin(fd)
                if chunk is not None:
                    return chunk
                self.waiter.blocks += 1
                select.select([fd], [], [])

    def reply(self, hook, *args):
        try:
            hook(*args)
        except Exception as error:  # reported to the engine, which pauses the run; the module lives on
            traceback.print_exc(file=sys.stderr)
            self.send(FAIL, _failure(error).encode("utf-8", "replace"))
            return
        self.send_outputs()

    def send_outputs(self):
        self.send_raw(self.done.pack(DONE, 8 * len(self.out_values), *self.out_values))

    def send_raw(self, data):
        while data:
            data = data[os.write(self.fd_out, data):]

    def init(self, payload):
        n_in, n_out = struct.unpack_from("<II", payload, 0)
        count = n_in + n_out
        initial = struct.unpack_from(f"<{count}d", payload, 8)
        names = [n.decode("utf-8") for n in payload[8 + 8 * count:].split(b"\0")[:count]]
        self.n_in = n_in
        self.inputs_format = struct.Struct(f"<{n_in}d")
        self.done = struct.Struct(f"<II{n_out}d")
        self.in_values = list(initial[:n_in])
        self.initial_outputs = initial[n_in:]
        self.out_values = list(self.initial_outputs)
        module = self.module
        module.context = Context()
        module.context.inputs = tuple(names[:n_in])
        module.context.outputs = tuple(names[n_in:])
        module.inputs = Values(names[:n_in], self.in_values, "input")
        module.outputs = Values(names[n_in:], self.out_values, "output")
        try:
            module.init()
        except Exception as error:
            traceback.print_exc(file=sys.stderr)
            self.send(FAIL, _failure(error).encode("utf-8", "replace"))
            return
        self.initialized = True
        self.send(DONE)

    def set_inputs(self, payload, offset):
        if self.n_in:
            self.in_values[:] = self.inputs_format.unpack_from(payload, offset)

    def restart(self, payload):
        # As the engine did with every slot: outputs the hook does not write keep their initial value.
        self.set_inputs(payload, 0)
        self.out_values[:] = self.initial_outputs

    def terminate(self):
        if self.initialized and not self.terminated:
            self.terminated = True
            self.module.terminate()

    def loop(self):
        self.send(HELO, json.dumps({"protocol": PROTOCOL, "signals": _declarations(self.module)}).encode("utf-8"))
        module, t = self.module, self.time
        while True:
            message = self.receive()
            if message is None:
                self.terminate()
                return 0
            tag, payload = message
            if tag == STEP:
                t.frame, t.time_ns, t.time, t.dt = _STEP.unpack_from(payload, 0)
                self.set_inputs(payload, 32)
                self.reply(module.step, t)
            elif tag == STAG:
                self.restart(payload)
                self.reply(module.stage)
            elif tag == RSET:
                self.restart(payload)
                self.reply(module.reset)
            elif tag == INIT:
                self.init(payload)
            elif tag == TERM:
                self.terminate()
                return 0
            else:
                sys.stderr.write(f"hermes_module: protocol error: unknown message tag {struct.pack('<I', tag)!r}\n")
                return 2


def _end_with_engine():
    """On Linux, also end if the engine dies while a hook is busy (end of input covers the rest)."""
    engine = os.environ.get("HERMES_ENGINE_PID")
    if not sys.platform.startswith("linux") or not engine:
        return
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, _signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != int(engine):  # it died before we asked
        sys.exit(0)


def run(module):
    """Speaks the protocol for `module` until the engine says TERM or goes away; exits the process."""
    _end_with_engine()
    # The engine manages the module's life: a Ctrl+C in the terminal is the engine's to handle.
    _signal.signal(_signal.SIGINT, _signal.SIG_IGN)
    fd_in, fd_out = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    sys.stdout.flush()
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    sys.exit(_Runner(module, fd_in, fd_out).loop())
