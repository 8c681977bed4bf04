"""`hall demo`: a broker, the content service on the sample centre, and how to try each part."""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from content.shared.catalog import N_, domain
from hall.parts import require

if TYPE_CHECKING:
    from content.accounts.users import UserStore

_ = domain("hall").gettext

HELP = N_("run a broker and the service on the sample centre")
log = logging.getLogger("hall.demo")

WINDOW = "shebao"
"""The window of the guide's tickets and calls (社会保障, 2号窗口), whose screen the demo previews."""
SUGGESTED = "screen-zonghe"
"""The account of the real display the guide suggests (the comprehensive window's screen): no device of
the demo uses it, since two clients on one device account take the connection from each other in turn."""
WATCH = "watch"
"""The read-only account of the guide's `mosquitto_sub`."""
ACCOUNTS = (
    ("service", "service"),
    ("staff", "staff"),  # the guide's `hall` commands: the office, which acts for every window
    ("console", "staff"),  # the console's: its people act through it, each with their own rights
    ("kiosk-1", "kiosk"),
    ("led-wall", "display"),
    (f"screen-{WINDOW}", "display"),
    (SUGGESTED, "display"),
    (WATCH, "display"),
)
# The LED previews: the hall wall and the screen of the window the guide calls to, each a PNG replaced
# every second (the small screen enlarged 4× so its dots can be seen), at a modest frame rate.
PREVIEWS = (
    ("led-wall", "wall-1920x1080", "wall.png", 1, 10),
    (f"screen-{WINDOW}", "window-192x64", f"window-{WINDOW}.png", 4, 20),
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--content", metavar="DIR", help=_("content directory (default: the sample centre)"))
    parser.add_argument(
        "--embedded", action="store_true", help=_("use the embedded broker even if Mosquitto is installed")
    )


def run(args: argparse.Namespace) -> int:
    require("service", "led")  # the LED previews are drawn with the LED driver's renderers
    return run_demo(Path(args.content) if args.content else None, embedded=args.embedded)


def _try(command: str, comment: str = "") -> str:
    """One line of the guide: a command to type, and what it does after a `#` (the shell ignores it)."""
    if not comment:
        return f"  {command}\n"
    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in command)
    return f"  {command}{' ' * max(1, 42 - used)}# {comment}\n"


def _guide(
    centre: str,
    content_dir: Path,
    urls: dict[str, str],
    directory: Path,
    previews: list[Path],
    pages: str,
    case: str | None = None,
    case_url: str | None = None,
) -> str:
    """What to try, in an order that holds on a fresh start: the ids it names (a1, a2) are the ones the
    service gives the announcements it puts up."""
    from content.shared.broker_url import parse_broker_url
    from content.shared.contract import base

    watch = parse_broker_url(urls[WATCH])
    auth = f"-u {watch.username} -P '{watch.password}' -i {watch.username} " if watch.username else ""
    # The documents and calls by name: `#` would also bring every photo's bytes (media/<sha256>).
    topics = f"-t '{base(centre)}+' -t '{base(centre)}device/+/state'"
    number = case or "WC-…"
    led = (
        f"hall led --display window-192x64 --window zonghe --output ddp://CONTROLLER "
        f"--cache {directory / 'led-cache' / SUGGESTED} --broker '{urls[SUGGESTED]}'"
    )
    return "".join(
        [
            "\n",
            _("The hall demo is running. In another terminal:") + "\n\n",
            _try(
                f"source {directory / 'env'}",
                _("HALL_BROKER (a staff account), HALL_CENTRE={centre}, hall on PATH").format(centre=centre),
            ),
            "\n",
            _try(f'hall announce "{EXAMPLES["notice"]}" --expires 2h', _("a1, on every ticker")),  # catalog: data
            _try(
                f'hall announce "{EXAMPLES["emergency"]}" --priority emergency --expires 10m',
                _("a2 covers every screen"),
            ),  # catalog: data
            _try("hall announce --clear a2", _("the emergency ends; a1 stays")),
            _try(
                "hall staff s03 away --substitute s04",
                _("{name} leaves the comprehensive window, s04 covers").format(name=EXAMPLES["s03"]),
            ),
            _try("hall staff s03 on_duty"),
            "\n",
            _try("hall ticket shebao", _("a citizen takes a number (prints it last)")),
            _try("hall ticket shebao --priority elderly"),
            _try(f"hall call {WINDOW}", _("{call}: priority first").format(call=EXAMPLES["call"])),  # catalog: data
            _try(f"hall call {WINDOW} --recall"),
            _try(f"hall call {WINDOW} --transfer minzheng", _("keeps its number and place")),
            _try(f"hall window guotu pause --reason {EXAMPLES['reason']}"),
            _try("hall stats"),
            "\n",
            _try(f"hall case show {number}", _("a sample case, handed in at a village point")),
            _try(f"hall case advance {number} sent --to township --note {EXAMPLES['carried']}"),
            _try(f"hall case slip {number} --out {directory / 'slip.pdf'}", _("the acceptance slip with its QR code")),
            _try(
                "hall case open --item minzheng-dibao --at township --window zonghe "
                f"--applicant {EXAMPLES['applicant']} --phone 13700002222"
            ),
            _try("hall case list --due-soon"),
            _try("hall case trip", _("the township agent's weekly trip to the district")),
            "\n",
            _("Watch what a display receives, without the photos' bytes (an account of its own, read-only):") + "\n\n",
            f"  mosquitto_sub -h {watch.host} -p {watch.port} {auth}-v {topics} -F '%t %p' | cut -c1-200\n\n",
            _("LED previews, redrawn every second (open them in an image viewer; a call flashes on both):") + "\n\n",
            "".join(f"  {path}\n" for path in previews),
            "\n",
            _("A real display, e.g. the comprehensive window's screen on a pixel controller (an account of its own):")
            + "\n\n",
            f"  {led}\n\n",
            _("The public pages that the QR codes open (a guide, a ticket's progress), served by the service:")
            + "\n\n",
            _try(f"{pages}/", _("the centre and every guide")),
            _try(f"{pages}/g/shebao-yanglao-canbao", _("one guide; `hall ticket` prints its ticket's page")),
            f"  {case_url or _('(no sample case: see the log above)')}\n",
            f"  {' ' * 40}# "
            + _("the sample case's tracking page: the details need {digits}").format(digits="5678")
            + "\n",
            "\n",
            _(
                "Edit a file under {directory} and save: the change is republished within 2 s; a broken edit is "
                "reported here with file:line and the last good content stays published."
            ).format(directory=content_dir)
            + "\n\n",
            _("Ctrl-C stops everything the demo started and removes its files ({directory}).").format(
                directory=directory
            )
            + "\n",
        ]
    )


EXAMPLES: Final = {
    "notice": "今天逢场，各窗口全员在岗，请按号有序办理",  # catalog: data
    "emergency": "系统维护，暂停办理社保业务",  # catalog: data
    "s03": "陈静",  # catalog: data
    "s05": "刘小燕",  # catalog: data
    "shebao": "社会保障",  # catalog: data
    "call": "请A002号到2号窗口办理",  # catalog: data
    "reason": "下村办件",  # catalog: data
    "carried": "村代办员送交",  # catalog: data
    "applicant": "王五",  # catalog: data
    "case_applicant": "张三丰",  # catalog: data
    "case_document": "《最低生活保障申请书》",  # catalog: data
    "case_note": "演示办件",  # catalog: data
}
"""What the guide types and the sample case holds: the sample centre's people, windows and documents, and
what its staff would write (the hall's content, in its own language)."""

DEMO_LOGINS = (("zhuren", "manager", None, None), ("liu.xiaoyan", "staff", "shebao", "s05"))
"""The demo's console logins: the hall's manager, and 刘小燕 at the social security window."""


def _demo_logins(state: Path) -> tuple[UserStore, list[tuple[str, str, str]]]:
    """The demo's users file with its two logins, each given a new password on every start (printed)."""
    from content.accounts.users import UserStore, users_path

    users = UserStore(users_path(state))
    made = []
    for name, role, window, staff in DEMO_LOGINS:
        password = secrets.token_urlsafe(9)
        if users.get(name) is None:
            users.add(name, role, password, window=window, staff_id=staff)  # type: ignore[arg-type]
        else:
            users.set_password(name, password)
        made.append((name, password, role))
    return users, made


def _console_guide(console: str, logins: list[tuple[str, str, str]]) -> str:
    roles = {
        "manager": _("the hall's manager"),
        "staff": _("{name}, window {number} ({window})").format(
            name=EXAMPLES["s05"], number=2, window=EXAMPLES["shebao"]
        ),  # catalog: data
    }
    lines = "".join(f"  {name:<12} {password:<14} {roles[role]}\n" for name, password, role in logins)
    title = _("The staff console, in a browser: {url}/console (login, new password each start, who)")
    return "\n" + title.format(url=console) + "\n\n" + lines


def _write_env(path: Path, staff_url: str, centre: str) -> None:
    """The file the guide's commands source in another terminal: the staff account's broker URL, password and
    all, so it is its owner's only from its first byte; it also puts this installation's `hall` first on PATH."""
    from content.shared.files import PRIVATE, write_file

    bin_dir = Path(sys.executable).parent
    text = f"export HALL_BROKER='{staff_url}'\nexport HALL_CENTRE={centre}\nexport PATH=\"{bin_dir}:$PATH\"\n"
    write_file(path, text.encode(), mode=PRIVATE)


def _sample_case(centre: str, staff_url: str) -> tuple[str | None, str | None]:
    """A case to follow, opened through the service as staff would (the demo's state is its own)."""
    from content.shared.broker_url import parse_broker_url
    from content.shared.client import CommandFailed, send_command

    args = {
        "item": "minzheng-dibao",
        "at": "village",
        "agent": "a01",
        "applicant": EXAMPLES["case_applicant"],
        "phone": "13812345678",
        "received": [EXAMPLES["case_document"]],
        "notify": True,
        "note": EXAMPLES["case_note"],
    }
    try:
        result = send_command(parse_broker_url(staff_url), centre, "case_open", args, timeout=10)
    except CommandFailed as exc:
        logging.getLogger("hall.demo").warning(_("no sample case: {why}").format(why=exc))
        return None, None
    return str(result["number"]), result.get("url")


def _start_kiosk(centre: str, url: str, directory: Path) -> subprocess.Popen[bytes] | None:
    """The kiosk in a window of its own when there is a display; otherwise, how to see its screens."""
    cache = directory / "kiosk-cache" / "kiosk-1"
    if not os.environ.get("DISPLAY"):
        print(
            _("No display here (DISPLAY is not set), so no kiosk window. Its screens, as PNGs:")
            + "\n\n"
            + f"  xvfb-run -a -s '-screen 0 1080x1920x24' hall kiosk --screenshots {directory / 'kiosk'} "
            f"--cache {cache} --broker '{url}' --centre {centre}\n",
            flush=True,
        )
        return None
    print(_("The kiosk opens in its own window ({account}).").format(account="kiosk-1") + "\n", flush=True)
    return subprocess.Popen(
        [sys.executable, "-m", "hall", "kiosk", "--cache", str(cache), "--broker", url, "--centre", centre],
        stdin=subprocess.DEVNULL,
    )


class _Previews:
    """The LED controllers of the demo, each with its scheduler on a thread of its own."""

    def __init__(self, centre: str, urls: dict[str, str], directory: Path) -> None:
        self.centre = centre
        self.urls = urls
        self.directory = directory
        self._stop = threading.Event()
        self._running: list[tuple[Any, Any, threading.Thread]] = []

    def start(self) -> list[Path]:
        from content.shared.broker_url import parse_broker_url
        from led_driver.device import LedController
        from led_driver.outputs.snapshot import SnapshotOutput
        from led_driver.profile import find_profile, load_profile
        from led_driver.scheduler import Scheduler

        paths = []
        for user, display, file, scale, fps in PREVIEWS:
            profile, _problems = load_profile(find_profile(display))
            if profile is None:
                continue
            # Open all hours: whatever the time, the demo shows the hall at work.
            profile = profile.model_copy(update={"fps": fps, "always_open": True})
            if profile.needs_window:
                profile = profile.for_window(user.removeprefix("screen-"))
            path = self.directory / "led" / file
            output = SnapshotOutput(path, every=1.0, scale=scale)
            output.open((profile.size[0], profile.size[1]), "1" if profile.colour_mode == "mono" else "RGB")
            scheduler = Scheduler(profile, output)
            controller = LedController(
                parse_broker_url(self.urls[user]),
                self.centre,
                scheduler,
                device_id=user,
                cache_dir=self.directory / "led-cache" / user,
            )
            controller.start()
            runner = threading.Thread(target=scheduler.run, args=(self._stop,), name=f"led-{user}", daemon=True)
            runner.start()
            self._running.append((controller, scheduler, runner))
            paths.append(path)
        return paths

    def stop(self) -> None:
        self._stop.set()
        for controller, scheduler, runner in self._running:
            scheduler.update(scheduler.state)
            runner.join(timeout=5)
            controller.stop()


def run_demo(content_dir: Path | None = None, *, embedded: bool = False, directory: Path | None = None) -> int:
    """The demo until Ctrl-C. `directory`: where its files go (state, broker, previews, caches, logins, the
    sample's copy); by default a new temporary one, removed when the demo stops, so that each start is a
    fresh hall (the guide's ids hold) and the checkout it runs from stays as it was."""
    if directory is None:
        with tempfile.TemporaryDirectory(prefix="hall-demo-", ignore_cleanup_errors=True) as made:
            return run_demo(content_dir, embedded=embedded, directory=Path(made))
    import yaml

    from content.broker.config import CLIENTID_PLUGIN, Account, Roster, build_plugin, find_clientid_plugin
    from content.broker.local import EmbeddedBroker, Mosquitto, mosquitto_available
    from content.centre.synth import SAMPLE, numbers_at_any_hour
    from content.service.store import Store, StoreInUse
    from hall.assembly import HallError, centre_id

    directory.mkdir(parents=True, exist_ok=True)
    if content_dir is None:
        # A copy of the sample, to edit at will with the checkout left as it was, that takes numbers at
        # any hour: the guide's tickets are taken whenever one tries them.
        content_dir = directory / "content"
        shutil.copytree(SAMPLE, content_dir, dirs_exist_ok=True)
        numbers_at_any_hour(content_dir)
    try:
        centre = centre_id(content_dir)
    except HallError as exc:
        print(_("{command}: {why}").format(command="hall demo", why=exc), file=sys.stderr)
        return 1
    try:
        store = Store(directory / "state.sqlite3")
    except StoreInUse as exc:
        print(
            _("hall demo: another demo runs from {directory}: {why}").format(directory=directory, why=exc),
            file=sys.stderr,
        )
        return 1

    broker: Any
    roster_file: Path | None = None  # the embedded broker has no accounts: nobody's rights can be told apart
    if mosquitto_available() and not embedded:
        accounts = [Account(user=u, role=r, office=u == "staff") for u, r in ACCOUNTS]  # type: ignore[arg-type]
        roster = Roster(centre=centre, accounts=accounts)
        roster_file = directory / "roster.yaml"
        roster_file.write_text(yaml.safe_dump(roster.model_dump(exclude_defaults=True), sort_keys=False), "utf-8")
        bound = find_clientid_plugin() is not None
        broker = Mosquitto(directory / "broker", roster, bind_client_ids=bound).start()
        urls = {user: broker.url(user) for user, _ in ACCOUNTS}
        print(
            _("Mosquitto {address} with broker_config roles (logs in {directory})").format(
                address=broker.url("service").split("@")[1], directory=broker.directory
            )
        )
        if not bound:
            print(
                "  "
                + _("without {plugin}, so client ids are not bound to accounts: {build}").format(
                    plugin=CLIENTID_PLUGIN, build=build_plugin()
                )
            )
    else:
        broker = EmbeddedBroker().start()
        urls = {user: broker.url() for user, _ in ACCOUNTS}
        print(
            _("embedded broker on {url} (anonymous, loopback only: install mosquitto for the real set-up)").format(
                url=broker.url()
            )
        )

    try:
        return _serve(content_dir, centre, store, urls, directory, roster_file)
    finally:
        broker.stop()
        print(_("demo stopped"))


def _serve(
    content_dir: Path, centre: str, store: Any, urls: dict[str, str], directory: Path, roster: Path | None
) -> int:
    """The hall on the demo's broker (`urls`: each account's broker URL, `roster` its accounts' file), until
    Ctrl-C; closes `store`."""
    from content.shared.broker_url import parse_broker_url
    from hall.assembly import HallError, HallOptions, build_hall

    staff_url = urls["staff"]
    _write_env(directory / "env", staff_url, centre)
    try:
        _users, logins = _demo_logins(store.path)
    except BaseException:
        store.close()
        raise
    # The public pages and the console each on a free loopback port; the QR codes of this demo point at the pages.
    options = HallOptions(
        content=content_dir,
        broker=parse_broker_url(urls["service"]),
        state=store.path,
        http=("127.0.0.1", 0),
        public_url_is_own=True,
        console_broker=parse_broker_url(urls["console"]),
        console_http=("127.0.0.1", 0),
        roster=roster,
    )
    try:
        hall = build_hall(options, store=store)
    except HallError as exc:
        print(_("{command}: {why}").format(command="hall demo", why=exc), file=sys.stderr)
        return 1
    assert hall.web is not None and hall.console_web is not None
    pages, console = hall.web.url, hall.console_web.url
    service = hall.service
    previous = {sig: signal.signal(sig, lambda *_: hall.request_stop()) for sig in (signal.SIGINT, signal.SIGTERM)}
    hall.start()
    leds = _Previews(centre, urls, directory)
    kiosk: subprocess.Popen[bytes] | None = None
    try:
        while not hall.wait(0.2) and not service.ready.is_set():
            pass
        if service.ready.is_set():
            paths = leds.start()
            case, case_url = _sample_case(centre, staff_url)
            print(_console_guide(console, logins), flush=True)
            print(_guide(centre, content_dir, urls, directory, paths, pages, case, case_url), flush=True)
            kiosk = _start_kiosk(centre, urls["kiosk-1"], directory)
        hall.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if kiosk is not None:
            kiosk.terminate()
            kiosk.wait(timeout=10)
        leds.stop()
        code = hall.stop()
    return code
