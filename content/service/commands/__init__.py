"""The service's commands: the table of verbs (`table`), what every handler shares (`base`), and one
module a family: announcements, staff, queue, windows, cases, statistics."""
