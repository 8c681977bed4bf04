// The staff console: follows the hall over an event stream (polling where a stream cannot be held),
// and sends one action per click. Everything shown is set as text, never as markup.
"use strict";
(function () {
  const boot = JSON.parse(document.getElementById("boot").textContent);
  const csrf = document.querySelector('meta[name="csrf"]').content;
  const user = boot.user;
  let state = boot.state;
  let version = boot.version;
  let chosen = user.role === "staff" ? user.window : null;
  let polling = null;
  let failures = 0;

  const $ = (id) => document.getElementById(id);
  const el = (tag, text) => { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; return e; };
  const str = (v) => (typeof v === "string" || typeof v === "number") ? String(v) : "";

  function render() {
    $("banner").hidden = state.online;
    const windows = Array.isArray(state.windows) ? state.windows : [];
    if (!chosen && windows.length) chosen = str(windows[0].id);
    const select = $("window");
    const wanted = windows.map((w) => str(w.id)).join(",");
    if (select.dataset.ids !== wanted) {
      select.replaceChildren(...windows
        .filter((w) => user.role !== "staff" || str(w.id) === user.window)
        .map((w) => { const o = el("option", `${str(w.number)}号 ${str(w.name)}`); o.value = str(w.id); return o; }));
      select.dataset.ids = wanted;
    }
    select.value = chosen || "";
    select.disabled = user.role === "staff";
    const mine = windows.find((w) => str(w.id) === chosen) || {};
    $("serving").textContent = str(mine.serving) || "—";
    $("serving-note").textContent = mine.serving ? "" : "当前没有正在办理的号码";
    $("window-state").textContent = mine.open === false ? `暂停服务：${str(mine.reason)}` : (mine.open ? "服务中" : "");
    $("window-state").className = mine.open === false ? "paused" : "open";
    const categories = Array.isArray(state.categories) ? state.categories : [];
    const cat = $("category");
    const catIds = categories.map((c) => str(c.id)).join(",") + "|" + windows.map((w) => str(w.id)).join(",") + "|" + chosen;
    if (cat.dataset.ids !== catIds) {
      const byCategory = document.createElement("optgroup");
      byCategory.label = "转到类别（保留原号和排队顺序）";
      byCategory.append(...categories.map((c) => { const o = el("option", str(c.name)); o.value = `category:${str(c.id)}`; return o; }));
      const byWindow = document.createElement("optgroup");
      byWindow.label = "转到窗口（只由该窗口叫号）";
      byWindow.append(...windows.filter((w) => str(w.id) !== chosen)
        .map((w) => { const o = el("option", `${str(w.number)}号 ${str(w.name)}`); o.value = `to_window:${str(w.id)}`; return o; }));
      cat.replaceChildren(byCategory, byWindow);
      cat.dataset.ids = catIds;
    }
    const waiting = $("waiting").tBodies[0];
    waiting.replaceChildren(...categories.map((c) => {
      const tr = el("tr");
      tr.append(el("td", str(c.name)), el("td", str(c.waiting)), el("td", str(c.priority_waiting)),
        el("td", c.estimated_wait_min == null ? "—" : `${str(c.estimated_wait_min)}分钟`));
      return tr;
    }));
    const calls = Array.isArray(state.last_calls) ? state.last_calls : [];
    $("calls").replaceChildren(...calls.slice(0, 8).map((c) => el("li", `${str(c.ticket)} → ${str(c.window_name)}`)));
    $("windows").tBodies[0].replaceChildren(...windows.map((w) => {
      const tr = el("tr");
      const staff = w.staff && typeof w.staff === "object" ? str(w.staff.name) : "—";
      tr.append(el("td", `${str(w.number)} ${str(w.name)}`), el("td", staff), el("td", str(w.serving) || "—"),
        el("td", w.open === false ? `暂停（${str(w.reason)}）` : "服务中"));
      if (str(w.id) === chosen) tr.className = "chosen";
      return tr;
    }));
    const staffList = Array.isArray(state.staff) ? state.staff : [];
    const sub = $("substitute");
    const subIds = staffList.map((s) => str(s.id)).join(",");
    if (sub.dataset.ids !== subIds) {
      const keep = sub.value;
      sub.replaceChildren(el("option", "（无）"), ...staffList
        .filter((s) => str(s.id) !== user.staff)
        .map((s) => { const o = el("option", `${str(s.name)}（${str(s.post)}）`); o.value = str(s.id); return o; }));
      sub.firstChild.value = "";
      sub.value = keep;
      sub.dataset.ids = subIds;
    }
    const readOnly = user.role === "supervisor";
    document.querySelectorAll("[data-action]").forEach((b) => { b.disabled = readOnly || !chosen || !state.online; });
    $("status-row").hidden = readOnly || !user.staff;
    document.body.dataset.version = String(version);
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
    $("message").textContent = "正在发送……";
    fetch("/console/act", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf }, body: JSON.stringify(body),
    })
      .then((r) => r.json().then((d) => ({ status: r.status, d })))
      .then(({ status, d }) => {
        if (status === 401) { location.assign("/console/login"); return; }
        const result = d.result && typeof d.result === "object" ? d.result : {};
        const none = result.ticket === null && result.message === "no one waiting";
        $("message").textContent = d.ok ? (str(result.text) || (none ? "当前没有等候的群众" : "已完成")) : `未完成：${str(d.error)}`;
        $("message").className = d.ok ? "message ok" : "message error";
      })
      .catch(() => { $("message").textContent = "未完成：与服务的连接中断，请稍后再试"; $("message").className = "message error"; })
      .finally(() => { button.disabled = user.role === "supervisor"; });
  }

  $("window").addEventListener("change", (e) => { chosen = e.target.value; render(); });
  document.querySelectorAll("[data-action]").forEach((b) => b.addEventListener("click", () => act(b)));
  render();
  listen();
})();
