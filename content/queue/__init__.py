"""The queue's rules and statistics, as pure functions over plain data: tickets, calls, the order of
service, the day's figures."""
