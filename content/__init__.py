"""The content service: the MQTT contract, content loading, live state, the CLI."""
