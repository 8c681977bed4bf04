// The staff console's window page: follows the hall over an event stream (polling where a stream cannot be
// held), and sends one action per click, then says what happened. Everything shown is set as text, never as
// markup; every sentence is `_("English id")`, in the hall's language (console_words.js).
"use strict";
(function () {
  const boot = JSON.parse(document.getElementById("boot").textContent);
  const csrf = document.querySelector('meta[name="csrf"]').content;
  const user = boot.user;
  const cut = window.hallText.cut;
  let state = boot.state;
  let version = boot.version;
  let chosen = user.role === "staff" ? user.window : null;
  let polling = null;
  let failures = 0;
  const LABEL = 24;
  /** Characters of a window's name in the window list (the whole name is its tooltip). */
  const ON_DUTY = ["on_duty", "away"];
  /** The statuses of staff who are at work today: the windows table lists them. */
  const STATUS = { on_duty: _("On duty"), away: _("Away"), off: _("Off duty"), leave: _("On leave") };

  const $ = (id) => document.getElementById(id);
  const el = (tag, text) => { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; return e; };
  const str = (v) => (typeof v === "string" || typeof v === "number") ? String(v) : "";
  const list = (v) => (Array.isArray(v) ? v : []);
  const windowOf = (id) => list(state.windows).find((w) => str(w.id) === str(id));
  const windowLabel = (w) => (w.number == null ? str(w.name) : _("No. {number} {name}", { number: str(w.number), name: str(w.name) }));
  const place = (w, fallback) => (w && w.number != null ? _("window {number}", { number: str(w.number) }) : str(fallback));
  const statusName = (status) => STATUS[status] || str(status);

  function option(value, text) {
    const o = el("option", cut(text, LABEL));
    o.value = value;
    o.title = text;
    return o;
  }

  function render() {
    $("banner").hidden = state.online;
    const windows = list(state.windows);
    if (!chosen && windows.length) chosen = str(windows[0].id);
    const select = $("window");
    const wanted = windows.map((w) => str(w.id) + "=" + windowLabel(w)).join(",");
    if (select.dataset.ids !== wanted) {
      select.replaceChildren(...windows
        .filter((w) => user.role !== "staff" || str(w.id) === user.window)
        .map((w) => option(str(w.id), windowLabel(w))));
      select.dataset.ids = wanted;
    }
    select.value = chosen || "";
    select.disabled = user.role === "staff";
    const mine = windowOf(chosen) || {};
    select.title = mine.name ? windowLabel(mine) : "";
    $("serving").textContent = str(mine.serving) || "—";
    $("serving-note").textContent = mine.serving ? "" : _("Nobody is being served now");
    $("window-state").textContent = mine.open === false
      ? (mine.reason ? _("Paused: {reason}", { reason: str(mine.reason) }) : _("Paused"))
      : (mine.open ? _("Open") : "");
    $("window-state").className = mine.open === false ? "paused" : "open";
    const categories = list(state.categories);
    const cat = $("category");
    const catIds = categories.map((c) => str(c.id)).join(",") + "|" + wanted + "|" + chosen;
    if (cat.dataset.ids !== catIds) {
      const byCategory = document.createElement("optgroup");
      byCategory.label = _("To a category (keeps the number and its place in the queue)");
      byCategory.append(...categories.map((c) => option(`category:${str(c.id)}`, str(c.name))));
      const byWindow = document.createElement("optgroup");
      byWindow.label = _("To a window (called by that window only)");
      byWindow.append(...windows.filter((w) => str(w.id) !== chosen)
        .map((w) => option(`to_window:${str(w.id)}`, windowLabel(w))));
      cat.replaceChildren(byCategory, byWindow);
      cat.dataset.ids = catIds;
    }
    renderWaiting(categories);
    renderCalls();
    renderWindows(windows);
    renderStaff();
    const readOnly = user.role === "supervisor";
    document.querySelectorAll("[data-action]").forEach((b) => { b.disabled = readOnly || !chosen || !state.online; });
    $("status-row").hidden = readOnly || !user.staff;
    document.body.dataset.version = String(version);
  }

  function renderWaiting(categories) {
    // Only the categories someone waits in: a hall of forty categories shows the few that matter.
    const waiting = categories.filter((c) => Number(c.waiting) > 0 || Number(c.priority_waiting) > 0);
    const rows = waiting.map((c) => {
      const tr = el("tr");
      const minutes = c.estimated_wait_min;
      tr.append(el("td", str(c.name)), el("td", str(c.waiting)), el("td", str(c.priority_waiting)),
        el("td", minutes == null ? "—" : (Number(minutes) < 1 ? _("under a minute") : _("{minutes} min", { minutes: str(minutes) }))));
      return tr;
    });
    if (!rows.length) {
      const td = el("td", _("Nobody is waiting"));
      td.colSpan = 4;
      td.className = "none";
      rows.push(el("tr"));
      rows[0].append(td);
    }
    $("waiting").tBodies[0].replaceChildren(...rows);
  }

  function renderCalls() {
    const calls = list(state.last_calls).slice(0, 8);
    $("calls").replaceChildren(...calls.map((c) => {
      const at = c.window_number == null ? str(c.window_name) : _("window {number}", { number: str(c.window_number) });
      const li = el("li", c.recall
        ? _("{ticket} → {window} (called again)", { ticket: str(c.ticket), window: at })
        : _("{ticket} → {window}", { ticket: str(c.ticket), window: at }));
      if (c.recall) li.className = "recall";
      return li;
    }));
  }

  function renderWindows(windows) {
    const staffList = list(state.staff);
    $("windows").tBodies[0].replaceChildren(...windows.map((w) => {
      const tr = el("tr");
      // Everyone at work today at this window, each with their status; and whoever the queue names there.
      const here = staffList.filter((s) => str(s.window) === str(w.id) && ON_DUTY.includes(s.status));
      const named = w.staff && typeof w.staff === "object" ? w.staff : null;
      const people = here.map((s) => _("{name} ({status})", { name: str(s.name), status: statusName(s.status) }));
      if (named && !here.some((s) => str(s.id) === str(named.id))) people.unshift(str(named.name));
      const who = el("td");
      who.className = "staff";
      if (people.length) who.append(...people.map((p) => el("div", p)));
      else who.textContent = "—";
      tr.append(el("td", windowLabel(w)), who, el("td", str(w.serving) || "—"),
        el("td", w.open === false ? (w.reason ? _("Paused ({reason})", { reason: str(w.reason) }) : _("Paused")) : _("Open")));
      if (str(w.id) === chosen) tr.className = "chosen";
      return tr;
    }));
  }

  function renderStaff() {
    const staffList = list(state.staff);
    const sub = $("substitute");
    const subIds = staffList.map((s) => str(s.id)).join(",");
    if (sub.dataset.ids !== subIds) {
      const keep = sub.value;
      sub.replaceChildren(option("", _("(nobody)")), ...staffList
        .filter((s) => str(s.id) !== user.staff)
        .map((s) => option(str(s.id), _("{name} ({post})", { name: str(s.name), post: str(s.post) }))));
      sub.value = keep;
      sub.dataset.ids = subIds;
    }
    // The person's own status, as the service last published it: the button of that status is pressed.
    const me = staffList.find((s) => str(s.id) === str(user.staff));
    const status = me ? str(me.status) : "";
    document.querySelectorAll("#status-row button[data-status]").forEach((b) => {
      const on = b.dataset.status === status;
      b.setAttribute("aria-pressed", on ? "true" : "false");
      b.classList.toggle("current", on);
    });
    let now = "";
    if (me) {
      const standIn = me.substitute ? staffList.find((s) => str(s.id) === str(me.substitute)) : null;
      now = standIn
        ? _("Now: {status}, {name} stands in", { status: statusName(status), name: str(standIn.name) })
        : _("Now: {status}", { status: statusName(status) });
    }
    $("my-status").textContent = now;
  }

  function apply(data) {
    if (!data || typeof data !== "object" || !data.state) return;
    version = data.version;
    state = data.state;
    render();
  }

  function poll() {
    if (polling) return;
    polling = setInterval(() => {
      fetch("/console/state", { credentials: "same-origin" })
        .then((r) => { if (r.status === 401) location.assign("/console/login"); return r.json(); })
        .then((d) => { apply(d); })
        .catch(() => { state.online = false; render(); });
    }, boot.poll_ms);
  }

  function listen() {
    if (!window.EventSource) { poll(); return; }
    const source = new EventSource("/console/events");
    source.addEventListener("state", (e) => { failures = 0; apply(JSON.parse(e.data)); });
    source.addEventListener("logout", () => { source.close(); location.assign("/console/login"); });
    source.onerror = () => {
      failures += 1;
      if (source.readyState === EventSource.CLOSED || failures > 3) {
        source.close();
        state.online = false;
        render();
        poll();  // the stream cannot be held: poll, and re-sync the whole state each time
      } else if (failures > 1) {
        state.online = false;
        render();
      }
    };
  }

  /** What happened, from the service's answer: the number, where it went, the window's or person's state. */
  function confirmation(action, body, r) {
    const ticket = str(r.ticket);
    const at = place(windowOf(r.window || body.window), r.window_name);
    switch (action) {
      case "next":
      case "ticket":
        return r.ticket == null ? _("Nobody is waiting") : _("{ticket} called to {window}", { ticket, window: at });
      case "recall":
        return _("{ticket} called again to {window}", { ticket, window: at });
      case "no_show":
        return _("{ticket} marked not present", { ticket });
      case "done":
        return _("{ticket} finished", { ticket });
      case "transfer":
        if (r.to_window) {
          const to = place(windowOf(r.to_window), r.to_window_name);
          return _("{ticket} transferred to {window}, keeping its number", { ticket, window: to });
        }
        return _("{ticket} transferred to {category}, keeping its number", { ticket, category: str(r.category_name) });
      case "pause":
        return _("{window} paused: {reason}", { window: at, reason: str(r.reason) });
      case "open":
        return _("{window} open again", { window: at });
      case "staff": {
        const standIn = r.substitute ? list(state.staff).find((s) => str(s.id) === str(r.substitute)) : null;
        return standIn
          ? _("Your status is now {status}, {name} stands in", { status: statusName(r.status), name: str(standIn.name) })
          : _("Your status is now {status}", { status: statusName(r.status) });
      }
      default:
        return _("Done");
    }
  }

  function say(text, ok) {
    $("message").textContent = text;
    $("message").className = ok ? "message ok" : "message error";
  }

  function act(button) {
    // The service's own names: the `call` command's actions, the `window` command's states, `staff`.
    const body = { action: button.dataset.action, window: chosen };
    if (body.action === "ticket") body.ticket = $("ticket").value;
    if (body.action === "transfer") {
      const [key, ...name] = $("category").value.split(":");  // category:<id> or to_window:<id>
      body[key === "to_window" ? "to_window" : "category"] = name.join(":");
    }
    if (body.action === "pause") body.reason = $("reason").value;
    if (body.action === "staff") {
      body.status = button.dataset.status;
      body.staff = user.staff;
      if (body.status !== "on_duty" && $("substitute").value) body.substitute = $("substitute").value;
    }
    button.disabled = true;
    $("message").textContent = _("Sending…");
    $("message").className = "message";
    fetch("/console/act", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf }, body: JSON.stringify(body),
    })
      .then((r) => r.json().then((d) => ({ status: r.status, d })))
      .then(({ status, d }) => {
        if (status === 401) { location.assign("/console/login"); return; }
        const result = d.result && typeof d.result === "object" ? d.result : {};
        if (d.ok) {
          say(confirmation(body.action, body, result), true);
          if (body.action === "ticket") $("ticket").value = "";
          if (body.action === "pause") $("reason").value = "";
        } else {
          // The service's own sentence, whole, as it gave it.
          say(_("Not done: {reason}", { reason: str(d.error) || _("the service gave no reason") }), false);
        }
      })
      .catch(() => { say(_("Not done: the connection to the service was cut, please try again"), false); })
      .finally(() => { button.disabled = user.role === "supervisor"; });
  }

  $("window").addEventListener("change", (e) => { chosen = e.target.value; render(); });
  document.querySelectorAll("[data-action]").forEach((b) => b.addEventListener("click", () => act(b)));
  render();
  listen();
})();
