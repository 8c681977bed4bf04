"""The hall's devices as the broker reports them: a board of their states, alerts and availability
(`board`), kept in a small history file of its own (`history`). Fed by the console's link; read by the
console's devices tab."""

from content.devices.board import STALE_GRACE_S, DeviceBoard, read_report
from content.devices.history import DEVICES_FILE, History

__all__ = ["DEVICES_FILE", "STALE_GRACE_S", "DeviceBoard", "History", "read_report"]
