#!/usr/bin/env python3
"""Seed 000's mock vehicle as a Hermes Console module: it moves at a constant velocity (1.0, 0.5) m/s.

Like Hermes's examples/mock_module.py, it publishes position.x/y and velocity.x/y, which the YAML lists
(seed000_websocket_telemetry.yaml); unlike it, dt comes from the engine instead of being fixed at 0.01 s.
The engine puts resources/modules on PYTHONPATH, so hermes_module imports from anywhere.
"""

from hermes_module import Module, run


class MockVehicle(Module):
    def stage(self):
        self.x = 0.0
        self.y = 0.0
        self.publish()

    def step(self, t):
        self.x += 1.0 * t.dt
        self.y += 0.5 * t.dt
        self.publish()

    def publish(self):
        out = self.outputs
        out["position.x"] = self.x
        out["position.y"] = self.y
        out["velocity.x"] = 1.0
        out["velocity.y"] = 0.5


if __name__ == "__main__":
    run(MockVehicle())
