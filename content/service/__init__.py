"""The running content service: its loop, the day's live state, the state documents it publishes, the
SQLite store and audit log, and the table of command handlers."""
