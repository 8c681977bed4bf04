// The console's devices page: polls /console/devices.json and redraws the table and the alerts.
// Everything shown is set as text, never as markup; the words are the console_js catalog's (`_`, console_words.js).
"use strict";
(function () {
  const boot = JSON.parse(document.getElementById("boot").textContent);
  const $ = (id) => document.getElementById(id);
  const el = (tag, text, className) => {
    const e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (className) e.className = className;
    return e;
  };
  const str = (v) => (typeof v === "string" || typeof v === "number") ? String(v) : "";
  const STATUS = { online: _("Online"), lost: _("Cut off"), stopped: _("Stopped") };
  let data = boot;
  let failures = 0;

  function names(topics) {
    const known = data.topic_names && typeof data.topic_names === "object" ? data.topic_names : {};
    return (Array.isArray(topics) ? topics : []).map((t) => str(known[t]) || str(t)).join(_(", "));
  }

  function percent(v) {
    if (typeof v !== "number") return el("td", "—", "num muted");
    const text = v >= 0.9995 ? "100%" : `${(Math.floor(v * 1000) / 10).toFixed(1)}%`;
    return el("td", text, v < 0.95 ? "num low" : "num");
  }

  function revs(d) {
    const r = d.revs && typeof d.revs === "object" ? d.revs : {};
    if (r.state === "source") return el("td", _("The reference (what the service publishes)"), "muted");
    if (d.status !== "online") return el("td", "—", "muted");
    if (r.state === "stale") return el("td", _("Out of date: {documents}", { documents: names(r.stale) }), "stale");
    if (r.state === "unconfirmed") {
      return el("td", _("To be confirmed: {documents}", { documents: names(r.unconfirmed) }), "pending");
    }
    if (r.state === "current") return el("td", _("Current"), "fresh");
    return el("td", "—", "muted");
  }

  function row(d) {
    const tr = el("tr");
    tr.dataset.id = str(d.id);
    tr.dataset.status = str(d.status);
    const status = el("td");
    const badge = el("span", STATUS[d.status] || str(d.status), `badge ${str(d.status)}`);
    status.append(badge);
    if (d.seen_ready === false && d.status !== "online") status.append(el("span", _("(never online)"), "muted small"));
    status.append(el("div", _("since {since} ({duration})", { since: str(d.since), duration: str(d.since_for) }), "small muted"));
    const latency = typeof d.latency_ms === "number" ? _("{ms} ms", { ms: Math.round(d.latency_ms) }) : "—";
    tr.append(
      el("td", str(d.id), "id"),
      el("td", str(d.kind_name)),
      status,
      revs(d),
      el("td", str(d.last_seen)),
      el("td", latency, typeof d.latency_ms === "number" ? "num" : "num muted"),
      percent(d.today),
      percent(d.week),
    );
    return tr;
  }

  function render() {
    $("banner").hidden = data.online !== false;
    const devices = Array.isArray(data.devices) ? data.devices : [];
    $("devices").tBodies[0].replaceChildren(...devices.map(row));
    $("empty").hidden = devices.length > 0;
    const counts = data.counts && typeof data.counts === "object" ? data.counts : {};
    $("counts").replaceChildren(...Object.keys(STATUS).map((s) => {
      const n = typeof counts[s] === "number" ? counts[s] : 0;
      return el("span", _("{state}: {count}", { state: STATUS[s], count: n }), n > 0 ? `badge ${s}` : "badge zero");
    }));
    $("now").textContent = _("Updated at {time}", { time: str(data.now) || "—" });
    const alerts = Array.isArray(data.alerts) ? data.alerts : [];
    $("alerts").replaceChildren(...alerts.map((a) => {
      const li = el("li", undefined, `alert ${str(a.kind)}`);
      li.append(el("time", str(a.at)), el("span", str(a.text)));
      return li;
    }));
    $("no-alerts").hidden = alerts.length > 0;
    document.body.dataset.version = str(data.version);
  }

  function poll() {
    fetch("/console/devices.json", { credentials: "same-origin" })
      .then((r) => {
        if (r.status === 401) { location.assign("/console/login"); throw new Error("logged out"); }
        return r.json();
      })
      .then((d) => { if (d && typeof d === "object" && Array.isArray(d.devices)) { failures = 0; data = d; render(); } })
      .catch(() => { failures += 1; if (failures > 1) { data.online = false; render(); } })
      .finally(() => { setTimeout(poll, boot.poll_ms || 2000); });
  }

  render();
  setTimeout(poll, boot.poll_ms || 2000);
})();
