"""One hall built from its options: the content service, its public pages, the staff console and the console's
link to the broker, wired in one place for `hall serve` and `hall demo`.

The service loads the content (once, when it runs); the console's link needs only the centre's id before
that, which `centre_id` reads from centre.yaml alone.
"""

from __future__ import annotations

import errno
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Final

from content.shared.broker_url import BrokerUrl
from content.shared.catalog import N_, domain

_ = domain("hall").gettext

if TYPE_CHECKING:
    from content.accounts.roster import Roster
    from content.service.live import Snapshot
    from content.service.loop import ContentService
    from content.service.store import Store
    from content.web.console import ConsoleSetup
    from content.web.server import Proxy, WebServer


@dataclass(frozen=True)
class HallOptions:
    content: Path
    """The centre's content directory."""
    broker: BrokerUrl
    """The service's own broker account."""
    state: Path
    """The SQLite file of the live state; the users file and the case secret default to its side."""
    watch: bool = True
    """Republish when a content file changes."""
    case_secret: Path | None = None
    """The secret that signs the case tracking links (default: `case-secret` beside `state`)."""
    http: tuple[str, int] | None = None
    """Serve the public pages on this host and port (port 0: any free one)."""
    proxies: int = 0
    """Reverse proxies in front of the pages and the console that add X-Forwarded-For (0: none)."""
    proxy_address: str = "127.0.0.1"
    """The address the nearest of them connects from: only its X-Forwarded-For and -Proto are believed."""
    public_url: str | None = None
    """Where phones reach the pages (the QR codes); None: centre.yaml's `public_url`."""
    public_url_is_own: bool = False
    """The QR codes point at the pages' own address (`hall demo`, whose pages are on a free loopback port)."""
    console_broker: BrokerUrl | None = None
    """Serve the staff console (on `console_http`), acting through this broker account of its own."""
    console_http: tuple[str, int] | None = None
    """Serve the staff console on this host and port, apart from the public pages (port 0: any free one)."""
    users: Path | None = None
    """The console's users file (default: `users.sqlite3` beside `state`)."""
    roster: Path | None = None
    """The roster file: the broker's accounts, and what each staff account acts for, by which the service
    decides what every command may do (`content.accounts.acting`). Without one, on a broker with accounts,
    the service takes only numbers and case lookups."""


class HallError(Exception):
    """The hall cannot be built; the message says why. `code`: the exit code (2: a usage error)."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class Hall:
    """A built hall: `start` it, `wait` until its service stops (`request_stop`), then `stop` the rest."""

    service: ContentService
    store: Store
    web: WebServer | None = None
    """The public pages."""
    console: ConsoleSetup | None = None
    console_web: WebServer | None = None
    """The staff console's own listener."""
    _thread: threading.Thread | None = field(default=None, repr=False)
    _code: list[int] = field(default_factory=list, repr=False)

    def start(self) -> Hall:
        """The pages, the console's link, and the service on a thread of its own."""
        for web in (self.web, self.console_web):
            if web is not None:
                web.start()
        if self.console is not None:
            self.console.link.start()
        self._thread = threading.Thread(target=lambda: self._code.append(self.service.run()), name="service")
        self._thread.start()
        return self

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until the service has stopped (True), or `timeout` seconds."""
        assert self._thread is not None, "start the hall first"
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def request_stop(self) -> None:
        """Ask the service to stop; safe from a signal handler."""
        self.service.request_stop()

    def stop(self) -> int:
        """Stop everything the hall started and close the store; the service's exit code."""
        self.service.request_stop()
        if self._thread is not None:
            self._thread.join()
        if self.console is not None:
            self.console.link.stop()
        for web in (self.web, self.console_web):
            if web is not None:
                web.stop()
        self.store.close()
        return self._code[0] if self._code else 1


def centre_id(content: Path) -> str:
    """The centre's id, from its centre.yaml alone (the service loads and checks the whole content)."""
    from content.shared.contract import CENTRE_ID
    from content.shared.yamlfile import load_yaml

    data, _located, problems = load_yaml(content / "centre.yaml")
    found = data.get("id") if isinstance(data, dict) else None
    if problems or not isinstance(found, str) or not CENTRE_ID.match(found):
        raise HallError(_("{content} is not valid: run hall check {content}").format(content=content))
    return found


def build_hall(options: HallOptions, *, store: Store | None = None) -> Hall:
    """The hall `options` describe, not started. `store`: the state file already open (the demo opens it
    first, to refuse a second demo before it starts a broker); the hall closes it. HallError when it cannot be
    built, with nothing left open."""
    from content.service.store import Store, StoreInUse

    if options.console_broker is not None and options.console_http is None:
        raise HallError(
            _("the staff console is served on an address of its own: give --console-http HOST:PORT"), code=2
        )
    if options.console_http is not None and options.console_broker is None:
        raise HallError(
            _("the staff console acts through a broker account of its own: give --console-broker URL"), code=2
        )
    if store is None:
        try:
            store = Store(options.state)
        except (OSError, sqlite3.Error, StoreInUse) as exc:
            raise HallError(_("cannot use the state file {file}: {why}").format(file=options.state, why=exc)) from exc
    try:
        return _build(options, store)
    except BaseException:
        store.close()
        raise


def _build(options: HallOptions, store: Store) -> Hall:
    from content.service.loop import ContentService
    from content.service.secret import SECRET_FILE, SecretError, load_or_create

    secret_path = options.case_secret or options.state.with_name(SECRET_FILE)
    try:
        secret = load_or_create(secret_path, options.content)
    except SecretError as exc:
        raise HallError(str(exc)) from exc
    console = _console(options) if options.console_broker is not None else None
    service: ContentService | None = None

    def snapshot() -> Snapshot | None:
        return service.snapshot() if service is not None else None

    proxy = _proxy(options)
    web = _web(options, snapshot, secret, proxy)
    try:
        console_web = _console_web(options, snapshot, console, proxy)
    except BaseException:
        if web is not None:
            web.stop()
        raise
    public_url = web.url if options.public_url_is_own and web is not None else options.public_url
    service = ContentService(
        options.content,
        options.broker,
        store,
        watch=options.watch,
        public_url=public_url,
        case_secret=secret,
        console_accounts=frozenset({console.link.account}) if console is not None else frozenset(),
        roster=_roster(options.roster, options.content) if options.roster is not None else None,
        users=console.users if console is not None else None,
    )
    return Hall(service, store, web, console, console_web)


def _roster(path: Path, content: Path) -> Roster:
    """The roster in `path`, which must list accounts of the centre in `content`."""
    from content.accounts.roster import read_roster

    roster, problems = read_roster(path)
    if roster is None:
        raise HallError(_("the roster is not valid:") + "\n" + "\n".join(f"  {problem}" for problem in problems))
    centre = centre_id(content)
    if not any((account.centre or roster.centre) == centre for account in roster.accounts):
        raise HallError(_("the roster {file} has no account of centre {centre}").format(file=path, centre=centre))
    return roster


def _console(options: HallOptions) -> ConsoleSetup:
    from content.accounts.users import UserStore, users_path
    from content.web.console import ConsoleLink, ConsoleSetup
    from hall.preview import render_previews

    assert options.console_broker is not None
    centre = centre_id(options.content)
    try:
        users = UserStore(options.users or users_path(options.state))
    except Exception as exc:  # the users file: unreadable, or not one
        raise HallError(_("cannot use the users file: {why}").format(why=exc)) from exc
    link = ConsoleLink(options.console_broker, centre)
    return ConsoleSetup(users, link, state=options.state, preview=render_previews)


def _proxy(options: HallOptions) -> Proxy | None:
    from content.web.server import Proxy

    if not options.proxies:
        return None
    try:
        return Proxy(options.proxies, options.proxy_address)
    except ValueError as exc:
        raise HallError(str(exc), code=2) from exc


def _web(
    options: HallOptions, snapshot: Callable[[], Snapshot | None], secret: bytes, proxy: Proxy | None
) -> WebServer | None:
    from content.service.case_store import CaseReader
    from content.web.server import pages_server

    if options.http is None:
        return None
    host, port = options.http
    try:
        return pages_server(host, port, snapshot, cases=(CaseReader(options.state), secret), proxy=proxy)
    except OSError as exc:
        raise HallError(_cannot_listen(exc, PAGES_CANNOT_LISTEN, host, port)) from exc
    except ValueError as exc:
        raise HallError(
            _("cannot serve the public pages on {host}:{port}: {why}").format(host=host, port=port, why=exc)
        ) from exc


def _console_web(
    options: HallOptions, snapshot: Callable[[], Snapshot | None], console: ConsoleSetup | None, proxy: Proxy | None
) -> WebServer | None:
    from content.web.server import console_server

    if console is None or options.console_http is None:
        return None
    host, port = options.console_http
    try:
        return console_server(host, port, snapshot, console, proxy=proxy)
    except OSError as exc:
        raise HallError(_cannot_listen(exc, CONSOLE_CANNOT_LISTEN, host, port)) from exc
    except ValueError as exc:
        raise HallError(
            _("cannot serve the staff console on {host}:{port}: {why}").format(host=host, port=port, why=exc)
        ) from exc


PAGES_CANNOT_LISTEN: Final = {
    errno.EADDRINUSE: N_(
        "cannot serve the public pages on {host}:{port}: another program listens on that port already; stop it, "
        "or give another port (--http {host}:PORT)"
    ),
    errno.EACCES: N_(
        "cannot serve the public pages on {host}:{port}: only root may listen on a port below 1024; give a port "
        "of 1024 or above (--http {host}:8080) and let the reverse proxy take port 80"
    ),
    errno.EADDRNOTAVAIL: N_(
        "cannot serve the public pages on {host}:{port}: this machine has no address {host}; give one of its "
        "addresses, or 0.0.0.0 for all of them (--http 0.0.0.0:{port})"
    ),
    0: N_("cannot serve the public pages on {host}:{port}: {why}"),
}
"""Why the public pages cannot listen, by the error's number, and what to do (0: any other error)."""
CONSOLE_CANNOT_LISTEN: Final = {
    errno.EADDRINUSE: N_(
        "cannot serve the staff console on {host}:{port}: another program listens on that port already; stop it, "
        "or give another port (--console-http {host}:PORT)"
    ),
    errno.EACCES: N_(
        "cannot serve the staff console on {host}:{port}: only root may listen on a port below 1024; give a port "
        "of 1024 or above (--console-http {host}:8443) and let the reverse proxy take port 443"
    ),
    errno.EADDRNOTAVAIL: N_(
        "cannot serve the staff console on {host}:{port}: this machine has no address {host}; give one of its "
        "addresses (--console-http)"
    ),
    0: N_("cannot serve the staff console on {host}:{port}: {why}"),
}
"""Why the staff console cannot listen, by the error's number, and what to do (0: any other error)."""


def _cannot_listen(exc: OSError, words: dict[int, str], host: str, port: int) -> str:
    """Why a listener could not be opened on host:port, in a sentence that says what to do."""
    said = words.get(exc.errno or 0, words[0])
    return _(said).format(host=host, port=port, why=exc.strerror or exc)
