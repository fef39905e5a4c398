#!/usr/bin/env python3
"""Seed 000's Python client flow, checked: schema, subscribe, resume, telemetry, then the other commands.

Prints one JSON line with what it saw; exits non-zero on any protocol violation.
Usage: seed_client.py ws://127.0.0.1:PORT
"""

import asyncio
import json
import struct
import sys

import websockets


def decode_telemetry(data: bytes):
    """Seed 000's decoder, with its length checks."""
    magic, frame, time_s, count = struct.unpack("<IQdI", data[:24])
    if magic != 0x48455254:
        raise ValueError(f"Invalid magic: 0x{magic:08X}")
    values = list(struct.unpack(f"<{count}d", data[24 : 24 + 8 * count]))
    return frame, time_s, values


async def next_json(ws):
    """The next JSON message, skipping telemetry frames that stream in between."""
    while True:
        data = await ws.recv()
        if isinstance(data, str):
            return json.loads(data)


async def main(url: str) -> None:
    seen = {}
    async with websockets.connect(url) as ws:
        schema = json.loads(await ws.recv())
        assert schema["type"] == "schema", schema
        seen["modules"] = list(schema["modules"].keys())

        await ws.send(json.dumps({"action": "subscribe", "params": {"signals": ["*"]}}))
        ack = json.loads(await ws.recv())
        assert ack["type"] == "ack" and ack["action"] == "subscribe", ack
        seen["subscribed"] = ack["count"]

        await ws.send(json.dumps({"action": "resume"}))
        assert await next_json(ws) == {"type": "ack", "action": "resume"}
        assert await next_json(ws) == {"type": "event", "event": "running"}

        frames = []
        while len(frames) < 10:
            data = await ws.recv()
            if isinstance(data, bytes):
                frame, time_s, values = decode_telemetry(data)
                assert len(values) == ack["count"]
                frames.append((frame, time_s, values))
        seen["frames"] = [f[0] for f in frames]
        seen["first_values"] = frames[0][2]

        await ws.send(json.dumps({"action": "pause"}))
        assert await next_json(ws) == {"type": "ack", "action": "pause"}
        assert await next_json(ws) == {"type": "event", "event": "paused"}

        await ws.send(json.dumps({"action": "step", "params": {"count": 10}}))
        step = await next_json(ws)
        assert step["type"] == "ack" and step["action"] == "step" and step["count"] == 10, step
        seen["step_frame"] = step["frame"]
        while True:
            data = await ws.recv()
            if isinstance(data, bytes):
                seen["frame_after_step"] = decode_telemetry(data)[0]
                break

        await ws.send(json.dumps({"action": "set", "params": {"signal": "vehicle.nonexistent", "value": 42.5}}))
        seen["set_error"] = await next_json(ws)

        await ws.send(json.dumps({"action": "reset"}))
        assert await next_json(ws) == {"type": "ack", "action": "reset"}
        assert await next_json(ws) == {"type": "event", "event": "reset"}
    print(json.dumps(seen))


asyncio.run(main(sys.argv[1]))
