"""The accounts of the staff console: who may log in (a SQLite file of users and their argon2 hashes),
what each role may do, and the logins in progress (sessions, CSRF tokens, a limit on wrong passwords).
Pure Python and SQLite: the service serves the console's pages; `hall user` keeps the accounts."""
