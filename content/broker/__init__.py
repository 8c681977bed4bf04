"""The broker: Mosquitto's configuration from a roster of accounts, and running one locally (tests, demo)."""
