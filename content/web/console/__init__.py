"""The staff console (`/console`): the page a window, a hall manager and a district supervisor work from.

Served by the content service beside the public pages (`hall serve --http … --console-broker URL`). What
a person does goes to the service as a command of the console's own broker account, naming the person
(`link.ConsoleLink`), so the audit log has both; what they may do is `content.accounts.may`: staff act on
their own window, managers on any, supervisors look. Nothing is fetched from outside: the scripts and
styles are this package's own.

A module a tab (`window`, `announce`, `devices`, `today`, `audit`), each listing its routes for
`base.Console.add`; `login` the routes without a session; `reading` what the console reads of the state
documents; `assembly` puts them together.
"""

from content.web.console.assembly import ConsoleSetup, add_console
from content.web.console.base import Console, Preview
from content.web.console.link import ConsoleLink
from content.web.console.window import MAX_STREAMS

__all__ = ["MAX_STREAMS", "Console", "ConsoleLink", "ConsoleSetup", "Preview", "add_console"]
