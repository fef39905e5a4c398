#!/usr/bin/env python3
"""A seed 000 client that steps a single_frame run one frame at a time and records what telemetry shows.

Usage: step_client.py ws://127.0.0.1:PORT STEPS PATTERN...
Subscribes to the patterns, then STEPS times: `step` (count 1), its ack, and the first telemetry frame
that shows the acked frame. Prints one JSON object: the schema's groups, the subscribed names, and one
row per step, [frame, time, values...], and the events seen. Stops early when a step no longer advances (end_time reached).
"""

import asyncio
import json
import struct
import sys

import websockets


def decode(data):
    magic, frame, time_s, count = struct.unpack("<IQdI", data[:24])
    if magic != 0x48455254:
        raise ValueError(f"Invalid magic: 0x{magic:08X}")
    return frame, time_s, list(struct.unpack(f"<{count}d", data[24:24 + 8 * count]))


async def next_json(ws, events):
    """The next JSON reply, skipping telemetry and collecting events (such as `ended`) on the way."""
    while True:
        data = await ws.recv()
        if isinstance(data, str):
            message = json.loads(data)
            if message.get("type") != "event":
                return message
            events.append(message)


async def main(url, steps, patterns):
    async with websockets.connect(url) as ws:
        schema = json.loads(await ws.recv())
        assert schema["type"] == "schema", schema
        await ws.send(json.dumps({"action": "subscribe", "params": {"signals": patterns}}))
        events = []
        ack = await next_json(ws, events)
        assert ack["type"] == "ack" and ack["action"] == "subscribe", ack
        rows = []
        last = None
        for _ in range(steps):
            await ws.send(json.dumps({"action": "step", "params": {"count": 1}}))
            step = await next_json(ws, events)
            assert step["type"] == "ack" and step["action"] == "step", step
            if step["frame"] == last:
                break
            last = step["frame"]
            while True:
                data = await ws.recv()
                if isinstance(data, bytes):
                    frame, time_s, values = decode(data)
                    if frame == step["frame"]:
                        rows.append([frame, time_s, *values])
                        break
    print(json.dumps({"modules": list(schema["modules"]), "signals": ack["signals"], "rows": rows, "events": events}))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), sys.argv[3:]))
