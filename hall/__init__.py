"""The `hall` command: ties the content service, the kiosk and the LED controller together, so it sits
above all three packages; nothing below imports it."""
