"""Everything on the service's side, one subpackage a concept, each importing only those below it:

    web, broker     the public pages; the broker's configuration and a local broker
    service         the running service: loop, live state, state documents, store, command handlers
    queue           the queue's pure rules and statistics
    centre          a centre's content files: schema, loading, validation, samples
    shared          what every device shares; the only part a kiosk or an LED controller imports

A new capability takes the same shape: its pure rules in a subpackage of their own beside `queue`, its
command handlers in `service`, its pages in `web`. The import contract in pyproject.toml checks the order.
"""
