"""The documents of the MQTT contract, one module each: its typed form, the function the service builds it
with, and the one tolerant reader that every device and the console use. A reader never raises on what a
document holds (a wrong type reads as missing, text and lists are bounded); it raises `PayloadError` only
when what the document is for is missing, so the last good one stays on screen."""
