"""Reads a Hermes Console recording (.mcap, docs/recording.md) into pandas: one row per frame.

Standard library plus numpy and pandas, and the lz4 package for compressed recordings (zstandard for
those recorded with compression: zstd; Debian: python3-pandas python3-lz4 python3-zstandard). It reads the MCAP records in order, so a recording whose engine was
killed (no index at its end) reads up to its last whole chunk.
"""
import json
import struct

import numpy as np
import pandas as pd

MAGIC = b"\x89MCAP0\r\n"
OP_SCHEMA, OP_CHANNEL, OP_MESSAGE, OP_CHUNK, OP_METADATA, OP_DATA_END = 0x03, 0x04, 0x05, 0x06, 0x0C, 0x0F
FRAMES_TOPIC, EVENTS_TOPIC = "/hermes/frames", "/hermes/events"


def _string(buf, at):
    (n,) = struct.unpack_from("<I", buf, at)
    return bytes(buf[at + 4 : at + 4 + n]).decode("utf-8"), at + 4 + n


def _records(buf):
    """(opcode, content) for each whole record; a record cut by the end of the data ends the walk."""
    at = 0
    while at + 9 <= len(buf):
        op, n = struct.unpack_from("<BQ", buf, at)
        if at + 9 + n > len(buf):
            return
        yield op, memoryview(buf)[at + 9 : at + 9 + n]
        at += 9 + n


def _walk(path):
    with open(path, "rb") as f:
        data = f.read()
    if not data.startswith(MAGIC):
        raise ValueError(f"{path} is not an MCAP file")
    for op, content in _records(data[len(MAGIC) :]):
        if op == OP_DATA_END:
            return
        if op != OP_CHUNK:
            yield op, content
            continue
        (size,) = struct.unpack_from("<Q", content, 16)
        compression, at = _string(content, 28)
        (length,) = struct.unpack_from("<Q", content, at)
        inner = bytes(content[at + 8 : at + 8 + length])
        if compression == "zstd":
            import zstandard

            inner = zstandard.ZstdDecompressor().decompress(inner, max_output_size=size)
        elif compression:
            raise ValueError(f"chunk compression {compression!r} is not supported")
        yield from _records(inner)


def _unpack(codec, stored, size):
    if codec == 1:
        import lz4.block

        return lz4.block.decompress(stored)  # a block after its u32 size, as lz4.block writes it
    import zstandard

    return zstandard.ZstdDecompressor().decompress(stored, max_output_size=size)


def _decode_grouped(payload):
    """HRF2 and HRF3: a summary block, frame and time, groups of signals (HRF3: then the constant ones)."""
    count, signals, segment, codec, group, flags, groups = struct.unpack_from("<7I", payload, 4)
    first_frame, first_time, step = struct.unpack_from("<3d", payload, 32)
    blocks = groups + (3 if payload[:4] == b"HRF3" else 2)
    lengths = struct.unpack_from(f"<{blocks}I", payload, 56)
    starts = [56 + 4 * blocks]  # block 0 is the summary, not needed here
    for n in lengths:
        starts.append(starts[-1] + n)
    n4 = (count + 3) & ~3
    constant = np.zeros(signals, bool)
    if blocks == groups + 3:  # a bitmap of the constant signals (u32 LE words), then their values
        words = (signals + 31) // 32
        bits = np.frombuffer(payload, "<u4", count=words, offset=starts[-2])
        constant = ((bits[np.arange(signals) // 32] >> (np.arange(signals) % 32).astype(np.uint32)) & 1).astype(bool)
        values = np.frombuffer(payload, "<f8", count=int(constant.sum()), offset=starts[-2] + 4 * words)

    def block(i, columns):
        stored = payload[starts[i] : starts[i + 1]]
        if columns == 0:
            return np.zeros((0, count))
        if codec == 0:
            return np.frombuffer(stored, "<f8").reshape(columns, count)
        planes = np.frombuffer(_unpack(codec, stored, 8 * columns * n4), np.uint8).reshape(8, columns, n4)[:, :, :count]
        return np.ascontiguousarray(planes.transpose(1, 2, 0)).view("<f8").reshape(columns, count)

    if flags & 1:  # consecutive frames, evenly spaced: frame and time follow from the first
        k = np.arange(count, dtype=np.float64)
        head = np.stack([first_frame + k, first_time + k * step])
    else:
        head = block(1, 2)
    out = np.empty((signals + 2, count))
    out[:2] = head
    for g in range(groups):
        members = [s for s in range(g * group, min(signals, (g + 1) * group)) if not constant[s]]
        out[[s + 2 for s in members]] = block(g + 2, len(members))
    if constant.any():
        out[2:][constant] = values[:, None]
    return segment, out


def _decode_batch(payload):
    if payload[:4] in (b"HRF2", b"HRF3"):
        return _decode_grouped(payload)
    count, signals, segment = struct.unpack_from("<III", payload, 4)
    n = count * (signals + 2)
    if payload[:4] == b"HRF0":  # plain float64 columns (an uncompressed recording)
        return segment, np.frombuffer(payload, "<f8", count=n, offset=16).reshape(signals + 2, count)
    planes = np.frombuffer(payload, np.uint8, count=n * 8, offset=16).reshape(8, n)
    return segment, np.ascontiguousarray(planes.T).view("<f8").reshape(signals + 2, count)


def read_recording(path):
    """(frames DataFrame, events list, run metadata dict) of a recording."""
    topics, names, batches, events, run = {}, None, [], [], {}
    for op, c in _walk(path):
        if op == OP_SCHEMA:
            name, at = _string(c, 2)
            if name == "hermes.frames.v1":
                _, at = _string(c, at)
                names = [s["name"] for s in json.loads(_string(c, at)[0])["signals"]]
        elif op == OP_CHANNEL:
            topics[struct.unpack_from("<H", c, 0)[0]] = _string(c, 4)[0]
        elif op == OP_MESSAGE:
            topic, payload = topics.get(struct.unpack_from("<H", c, 0)[0]), bytes(c[22:])
            if topic == FRAMES_TOPIC:
                batches.append(_decode_batch(payload))
            elif topic == EVENTS_TOPIC:
                events.append(json.loads(payload))
        elif op == OP_METADATA:
            name, at = _string(c, 0)
            if name == "hermes.run":
                (end,) = struct.unpack_from("<I", c, at)
                at, end = at + 4, at + 4 + end
                while at < end:
                    key, at = _string(c, at)
                    run[key], at = _string(c, at)
    if names is None:
        raise ValueError(f"{path} is not a Hermes recording (no frames schema)")
    columns = np.concatenate([b for _, b in batches], axis=1) if batches else np.zeros((len(names) + 2, 0))
    segments = np.concatenate([np.full(b.shape[1], s, np.int32) for s, b in batches]) if batches else np.zeros(0, np.int32)
    frame = {"time": columns[1] / 1e9, "frame": columns[0].astype(np.int64), "segment": segments}
    frame.update({name: columns[i + 2] for i, name in enumerate(names)})
    return pd.DataFrame(frame), events, run


def read_frames(path):
    """One row per recorded frame: time (simulated seconds), frame, segment, then one column per signal."""
    return read_recording(path)[0]
