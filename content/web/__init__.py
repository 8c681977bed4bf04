"""The web side: the public pages behind the QR codes, served by the service from its own state."""
