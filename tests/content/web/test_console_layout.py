"""Every tab of the staff console whole at a hall manager's laptop (1024×768) and on a phone (390 px), for
each role, with the stress centre (content.centre.stress: names at their longest, rare hanzi of every CJK
extension, 20 windows, 40 categories): no two panels overlap, nothing spills out of its panel, the phone
never scrolls sideways, and no table column is narrower than its longest unbreakable run. Against a real
`hall serve`, a real Mosquitto and a real headless Chromium; a screenshot of each tab at each width."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import time
import urllib.error
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from content.accounts.users import UserStore
from content.broker.config import Account, Roster
from content.broker.local import Mosquitto, free_port, mosquitto_available
from content.centre.stress import write_stress_centre
from content.service.store import AuditEntry
from content.shared.broker_url import parse_broker_url
from content.shared.client import send_command
from content.web.console import add_console
from content.web.console.audit import Names, shown
from tests.conftest import HALL, WAIT_S, roster_file
from tests.content.web.test_console import Browser
from tests.content.web.test_console_routes import PASSWORDS as PASSWORDS_ROUTES
from tests.content.web.test_console_routes import FakeLink
from tests.words import english

STRESS = "stress"
SHOTS = Path(os.environ.get("HALL_LAYOUT_SHOTS", "/tmp/console-layout"))
PASSWORDS = {"boss": "manager-pass-1", "jiancha": "supervisor-pass-1", "clerk": "window-pass-1"}
ROLES = {"boss": "manager", "jiancha": "supervisor", "clerk": "staff"}
WIDTHS = {"laptop": (1024, 768), "phone": (390, 844)}
ROSTER = Roster(
    centre=STRESS,
    accounts=[
        Account(user="service", role="service"),
        Account(user="staff", role="staff", office=True),
        Account(user="staff-2", role="staff"),
        Account(user="kiosk-1", role="kiosk"),
    ],
)
LONG_REASON = "下村办理𠮷祥镇𡋗村片区㐀䶵𪜀𫝀群众的养老认证和医保参保登记业务，预计下午三点前回到窗口"  # catalog: data


@dataclass
class StressHall:
    url: str
    broker: Mosquitto
    state: Path


@pytest.fixture
def stress_hall(tmp_path: Path) -> Iterator[StressHall]:
    """The stress centre served with its console: a manager and a window clerk named by staff ids whose
    names are long (阿依古丽·买买提, and a name of every CJK extension), and a supervisor."""
    if not mosquitto_available():
        pytest.fail("Mosquitto is not installed: run the tests through scripts/dev test")
    broker = Mosquitto(tmp_path / "broker", ROSTER).start()
    content = tmp_path / "stress"
    write_stress_centre(content)
    users = UserStore(tmp_path / "users.sqlite3")
    users.add("boss", "manager", PASSWORDS["boss"], staff_id="s02")
    users.add("jiancha", "supervisor", PASSWORDS["jiancha"])
    users.add("clerk", "staff", PASSWORDS["clerk"], window="w03", staff_id="s03")
    port = free_port()
    state = tmp_path / "s.sqlite3"
    argv = [*HALL, "serve", "--content", str(content), "--broker", broker.url("service"), "--state", str(state)]
    argv += ["--roster", str(roster_file(ROSTER)), "--no-watch", "--console-http", f"127.0.0.1:{port}"]
    argv += ["--console-broker", broker.url("staff-2"), "--users", str(tmp_path / "users.sqlite3")]
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        yield StressHall(f"http://127.0.0.1:{port}", broker, state)
    finally:
        process.terminate()
        process.wait(WAIT_S)
        assert process.stderr is not None
        process.stderr.close()
        broker.stop()


def logged_in(hall: StressHall, name: str) -> Browser:
    """A plain client logged in as `name`, once the console is up and has the hall's documents."""
    browser = Browser(hall.url)
    deadline = time.monotonic() + WAIT_S * 2
    while True:
        try:
            if browser.login(name, PASSWORDS[name])[0] == 200:
                break
        except (urllib.error.URLError, ConnectionError):
            pass
        assert time.monotonic() < deadline, "the console did not come up"
        time.sleep(0.1)  # polling for the listener, as a browser would retry
    browser.wait_state(lambda s: len(s["windows"]) == 20 and len(s["staff"]) == 60)
    return browser


def busy_hour(hall: StressHall) -> None:
    """An hour of the hall in a few dozen operations: numbers taken in long-named categories, called,
    windows paused with long reasons, staff away with someone standing in, an announcement."""
    manager = logged_in(hall, "boss")  # once the service has published the hall
    kiosk = parse_broker_url(hall.broker.url("kiosk-1"))
    office = parse_broker_url(hall.broker.url("staff"))
    for n in range(12):
        send_command(kiosk, STRESS, "ticket", {"category": ("c06", "c01", "c04", "c07")[n % 4]})
    for n in range(30):
        window = ("w01", "w04", "w03")[n % 3]
        action = ("next", "done", "recall", "no_show", "next", "done")[n % 6]
        status, reply = manager.act(action=action, window=window)
        assert status in (200, 409), reply  # a refusal (no one served yet) is recorded too
    assert manager.act(action="pause", window="w04", reason=LONG_REASON[:60])[0] == 200
    assert manager.act(action="open", window="w04")[0] == 200
    assert manager.act(action="staff", window="w02", status="away", staff="s02", substitute="s03")[0] == 200
    assert manager.act(action="next", window="w01")[0] == 200
    assert manager.act(action="transfer", window="w01", category="c06")[0] in (200, 409)
    send_command(office, STRESS, "announce", {"text": f"今日逢场，{LONG_REASON}", "priority": "high"})  # catalog: data
    for _ in range(12):
        send_command(kiosk, STRESS, "ticket", {"category": "c06"})


LAYOUT_PROBLEMS = """
() => {
  const PANELS = "header, .banner, main > section, main > aside, main > div:not(.toolbar), main > dl, .card, .panel,"
    + " .login-box, .totals > div";
  const problems = [];
  const shown = (e) => {
    const r = e.getBoundingClientRect(), s = getComputedStyle(e);
    return r.width > 0 && r.height > 0 && s.visibility !== "hidden";
  };
  const name = (e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
    + (typeof e.className === "string" && e.className.trim() ? "." + e.className.trim().split(/\\s+/).join(".") : "");
  const path = (e) => {
    const parts = [];
    for (let x = e; x && x !== document.body && parts.length < 4; x = x.parentElement) parts.unshift(name(x));
    return parts.join(" > ");
  };
  const text = (e) => Array.from((e.textContent || "").trim().replace(/\\s+/g, " ")).slice(0, 24).join("");
  const panels = [...document.querySelectorAll(PANELS)].filter(shown);
  // No two panels overlap (one inside the other is a panel on a panel, not an overlap).
  for (let i = 0; i < panels.length; i++) {
    for (let j = i + 1; j < panels.length; j++) {
      const a = panels[i], b = panels[j];
      if (a.contains(b) || b.contains(a)) continue;
      const p = a.getBoundingClientRect(), q = b.getBoundingClientRect();
      const w = Math.min(p.right, q.right) - Math.max(p.left, q.left);
      const h = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
      if (w > 1 && h > 1) problems.push(`${path(a)} overlaps ${path(b)} (${Math.round(w)}×${Math.round(h)} px)`);
    }
  }
  // Nothing spills out of its panel sideways (or out of the box that scrolls or clips it).
  for (const e of document.body.querySelectorAll("*")) {
    const tag = e.tagName.toLowerCase();
    if (["script", "style", "option", "title", "br"].includes(tag) || !shown(e)) continue;
    if (e.closest("svg") && tag !== "svg") continue;
    let bound = null;
    for (let x = e.parentElement; x; x = x.parentElement) {
      if (x.matches(PANELS) || getComputedStyle(x).overflowX !== "visible") { bound = x; break; }
    }
    bound = bound || document.documentElement;
    const clips = getComputedStyle(bound);
    // What scrolls is there to be scrolled to; what is cut with … is cut on purpose (whole in its title).
    if (["auto", "scroll"].includes(clips.overflowX) || clips.textOverflow === "ellipsis") continue;
    const r = e.getBoundingClientRect(), b = bound.getBoundingClientRect();
    if (r.right > b.right + 1 || r.left < b.left - 1) {
      problems.push(`${path(e)} «${text(e)}» spills out of ${name(bound)}: ${Math.round(r.left)}–${Math.round(r.right)}`
        + ` beyond ${Math.round(b.left)}–${Math.round(b.right)}`);
    }
  }
  // No column narrower than its longest unbreakable run (what it needs with the normal line breaking).
  for (const cell of document.querySelectorAll("td, th, ol.log li > *")) {
    if (!shown(cell)) continue;
    const s = getComputedStyle(cell);
    const probe = document.createElement("div");
    probe.style.cssText = "position:absolute;left:0;top:0;visibility:hidden;width:min-content;"
      + `white-space:${s.whiteSpace === "nowrap" ? "nowrap" : "normal"};overflow-wrap:normal;word-break:normal;`;
    for (const key of ["fontFamily", "fontSize", "fontWeight", "fontStyle", "fontVariantNumeric", "letterSpacing"]) {
      probe.style[key] = s[key];
    }
    probe.append(...[...cell.childNodes].map((n) => n.cloneNode(true)));
    document.body.append(probe);
    const need = probe.getBoundingClientRect().width;
    probe.remove();
    const have = cell.getBoundingClientRect().width - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight)
      - parseFloat(s.borderLeftWidth) - parseFloat(s.borderRightWidth);
    if (have + 1 < need) {
      problems.push(`${path(cell)} «${text(cell)}» is ${Math.round(have)} px wide,`
        + ` its longest word ${Math.round(need)} px`);
    }
  }
  if (document.documentElement.scrollWidth > window.innerWidth) {
    problems.push(`the page scrolls sideways: ${document.documentElement.scrollWidth} px in ${window.innerWidth}`);
  }
  return problems;
}
"""


def settle(page: object, path: str) -> None:
    """Wait until the tab has drawn what it fetched (each tab's own sign that it has)."""
    wait = page.wait_for_function  # type: ignore[attr-defined]
    if path == "/console":
        wait("() => document.querySelectorAll('#window option').length > 0")
    elif path == "/console/today":
        wait("() => Number(document.body.dataset.loads || 0) > 0")
    elif path == "/console/devices":
        wait("() => document.querySelectorAll('#devices tbody tr').length > 0")
    elif path == "/console/announce":
        wait("() => document.querySelectorAll('#list tbody tr, .listing tbody tr').length > 0")


def test_every_tab_is_whole_at_a_laptop_and_on_a_phone_for_every_role(stress_hall: StressHall) -> None:
    from playwright.sync_api import sync_playwright

    browser_path = shutil.which("chromium-headless-shell") or shutil.which("chromium")
    assert browser_path, "no headless Chromium: run the tests through scripts/dev test"
    busy_hour(stress_hall)
    SHOTS.mkdir(parents=True, exist_ok=True)
    found: dict[str, list[str]] = {}
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=browser_path, args=["--no-sandbox"])
        try:
            for width_name, (width, height) in WIDTHS.items():
                context = chromium.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
                page = context.new_page()
                page.goto(stress_hall.url + "/console/login")
                found[f"login {width_name}"] = page.evaluate(LAYOUT_PROBLEMS)
                page.screenshot(path=str(SHOTS / f"login-{width_name}.png"), full_page=True)
                context.close()
                for name in ROLES:
                    context = chromium.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
                    page = context.new_page()
                    page.goto(stress_hall.url + "/console/login")
                    page.fill("input[name=name]", name)
                    page.fill("input[name=password]", PASSWORDS[name])
                    page.click("button[type=submit]")
                    page.wait_for_url(stress_hall.url + "/console")
                    tabs = page.eval_on_selector_all("header nav a", "links => links.map(a => a.getAttribute('href'))")
                    assert "/console/today" in tabs and ("/console/audit" in tabs) == (name != "clerk"), tabs
                    for path in tabs:
                        page.goto(stress_hall.url + path)
                        settle(page, path)
                        found[f"{path} as {ROLES[name]} at {width}px"] = page.evaluate(LAYOUT_PROBLEMS)
                        shot = f"{ROLES[name]}{path.replace('/', '-')}-{width_name}.png"
                        page.screenshot(path=str(SHOTS / shot), full_page=True)
                    context.close()
        finally:
            chromium.close()
    broken = {where: problems for where, problems in found.items() if problems}
    (SHOTS / "problems.json").write_text(json.dumps(broken, ensure_ascii=False, indent=1), encoding="utf-8")
    assert not broken, "\n".join(f"{where}:\n  " + "\n  ".join(problems[:8]) for where, problems in broken.items())


def test_the_audit_log_reads_as_sentences_a_page_at_a_time(stress_hall: StressHall) -> None:
    """After an hour's operations: each row says who did what to what with what result, in Chinese, with
    the operations' names (no raw verbs, no JSON); a page at a time; filtered by person, operation, day."""
    busy_hour(stress_hall)
    manager = logged_in(stress_hall, "boss")
    status, page = manager.request("/console/audit")
    assert status == 200
    assert '<span id="person">阿依古丽·买买提</span>' in page  # the header: the person, not the login
    assert "阿依古丽·买买提（boss）" in page  # catalog: data
    assert "在综合受理窗口（全科无差别受理·一窗通办）叫下一位" in page  # catalog: data
    assert "暂停了" in page and LONG_REASON[:20] in page  # catalog: data
    for raw in ("announce_review", '{"window"', "&#34;window&#34;", "no_show"):
        assert raw not in page.split('<ol class="log">')[1].split("</ol>")[0]
    assert page.count('<li class="entry') == 50 and "较早" in page  # catalog: data
    older = page.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    status, second = manager.request("/console/audit" + older)
    assert status == 200 and "第 2 页" in second and 0 < second.count('<li class="entry') <= 50  # catalog: data
    status, calls = manager.request("/console/audit?verb=call")
    assert status == 200 and 'data-verb="ticket"' not in calls and 'data-verb="call"' in calls
    assert '<option value="call" selected>叫号</option>' in calls  # catalog: data
    status, kiosk = manager.request("/console/audit?who=kiosk-1")
    assert 'data-verb="call"' not in kiosk and 'data-verb="ticket"' in kiosk
    day = page.split('<time datetime="')[1][:10]
    status, today = manager.request(f"/console/audit?day={day}")
    assert status == 200 and today.count('<li class="entry') == 50
    status, before = manager.request("/console/audit?day=2001-01-01")
    assert status == 200 and '<li class="entry' not in before and "没有记录" in before  # catalog: data
    assert manager.request("/console/audit?day=2001-02-30")[0] == 400
    log = html.unescape(re.sub(r"<[^>]+>", " ", page.split('<ol class="log">')[1].split("</ol>")[0]))
    assert english(log, allowed=["boss", "kiosk", "staff"]) == [], english(log)


# -- without a hall: the header's person and the log's sentences -----------------------------------------


class StaffLink(FakeLink):
    """A hall whose staff document names the people behind the console's accounts."""

    def state(self) -> tuple[int, dict[str, Any]]:
        version, state = super().state()
        staff = [{"id": "s02", "name": "阿依古丽·买买提", "post": "专职副主任", "status": "on_duty"}]
        return version, {**state, "staff": {"rev": "1", "staff": staff}}


def test_the_header_names_the_person_not_the_login(tmp_path: Path) -> None:
    users = UserStore(tmp_path / "users.sqlite3")
    users.add("li.na", "staff", PASSWORDS_ROUTES["li.na"], window="shebao", staff_id="s02")
    users.add("boss", "manager", PASSWORDS_ROUTES["boss"])
    app = Flask(__name__)
    add_console(app, users, StaffLink())  # type: ignore[arg-type]
    for name, person, role in (("li.na", "阿依古丽·买买提", "（窗口工作人员）"), ("boss", "boss", "（中心负责人）")):
        client = app.test_client()
        token = re.search(r'name="token" value="([^"]+)"', client.get("/console/login").get_data(as_text=True))
        assert token is not None
        form = {"token": token[1], "name": name, "password": PASSWORDS_ROUTES[name]}
        assert client.post("/console/login", data=form).status_code == 303
        page = client.get("/console/today").get_data(as_text=True)
        assert f'<span id="person">{person}</span>' in page, page[:2000]
        assert role in page and f'title="登录账号：{name}"' in page
        assert '<html lang="zh-CN">' in page


def entry(verb: str, args: dict[str, Any], reply: dict[str, Any], person: str | None = "boss") -> AuditEntry:
    by = "staff-2" if person else "kiosk-1"
    return AuditEntry("2026-12-08T00:32:54.123456+08:00", verb, by, person, json.dumps(args), json.dumps(reply))


NAMES = Names(
    windows={"shebao": "社会保障窗口", "zonghe": "综合受理窗口"},
    categories={"shebao": "社会保障"},
    staff={"s02": "阿依古丽·买买提", "s03": "陈静"},
    people={"boss": "王志强（boss）"},
)


@pytest.mark.parametrize(
    ("verb", "args", "reply", "said", "result"),
    [
        ("call", {"window": "shebao", "action": "next"}, {"ok": True, "result": {"ticket": "A003"}},
         "王志强（boss）在社会保障窗口叫下一位", "完成：叫到 A003 号"),
        ("call", {"window": "shebao", "action": "next"}, {"ok": True, "result": {"ticket": None}},
         "王志强（boss）在社会保障窗口叫下一位", "完成：没有人在等候"),
        ("call", {"window": "zonghe", "action": "transfer", "category": "shebao"}, {"ok": True, "result": {}},
         "王志强（boss）将综合受理窗口的当前号码转到“社会保障”队列", "完成"),
        ("call", {"window": "shebao", "action": "no_show"}, {"ok": False, "error": "当前没有正在办理的号码"},
         "王志强（boss）将社会保障窗口的当前号码记为过号", "被拒绝：当前没有正在办理的号码"),
        ("window", {"window": "shebao", "state": "pause", "reason": "下村办件"}, {"ok": True},
         "王志强（boss）暂停了社会保障窗口：下村办件", "完成"),
        ("staff", {"staff": "s02", "status": "away", "substitute": "s03"}, {"ok": True},
         "王志强（boss）将阿依古丽·买买提设为“暂离”，由陈静顶岗", "完成"),
        ("announce", {"text": "今日逢场", "priority": "emergency"}, {"ok": True},
         "王志强（boss）发布了紧急公告：“今日逢场”", "完成"),
        ("announce_review", {"id": "a3", "decision": "reject", "reason": "措辞不妥"}, {"ok": True},
         "王志强（boss）驳回了公告 a3：措辞不妥", "完成"),
        ("something_new", {"window": "shebao", "all": True}, {"ok": True},
         "王志强（boss）执行了“something_new”：window：shebao；all：是", "完成"),
    ],
)  # fmt: skip
def test_an_operation_reads_as_a_sentence(
    verb: str, args: dict[str, Any], reply: dict[str, Any], said: str, result: str
) -> None:
    row = shown(entry(verb, args, reply), NAMES)
    assert (row["sentence"], row["result"]) == (said, result)
    assert row["ok"] == reply["ok"] and row["via"] == "经工作台账号 staff-2"


def test_a_row_without_a_person_names_its_account_and_what_was_typed_is_cut_by_grapheme() -> None:
    row = shown(entry("ticket", {"category": "shebao"}, {"ok": True, "result": {"ticket": "A001"}}, None), NAMES)
    assert (row["sentence"], row["result"], row["via"]) == ("账号 kiosk-1为“社会保障”取号", "完成：A001 号", "")
    assert row["operation"] == "取号" and (row["day"], row["time"]) == ("2026-12-08", "00:32:54")
    family = "👨\u200d👩\u200d👧"
    text = "公" * 118 + family + "告" * 10
    row = shown(entry("announce", {"text": text}, {"ok": True}), NAMES)
    assert f"公{family}…" in row["sentence"]  # the family whole before the cut, never a part of it
    assert "\u200d…" not in row["sentence"] and "👨…" not in row["sentence"]
