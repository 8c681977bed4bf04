// The staff console's today page: the queue's figures of a day per category, window and staff member,
// polled from /console/today.json while the day is today, drawn as SVG bars. Every value is set as text; the
// words are the console_js catalog's (`_`, console_words.js).
"use strict";
(function () {
  const boot = JSON.parse(document.getElementById("boot").textContent);
  const SVG = "http://www.w3.org/2000/svg";
  const DAY = /^\d{4}-\d{2}-\d{2}$/;
  const $ = (id) => document.getElementById(id);
  const el = (tag, text) => { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; return e; };
  const svg = (tag, attrs, text) => {
    const e = document.createElementNS(SVG, tag);
    Object.entries(attrs || {}).forEach(([k, v]) => e.setAttribute(k, String(v)));
    if (text !== undefined) e.textContent = text;
    return e;
  };
  const str = (v) => (typeof v === "string" || typeof v === "number") ? String(v) : "";
  const num = (v) => (typeof v === "number" && isFinite(v) && v >= 0) ? v : null;
  const count = (v) => num(v) === null ? "—" : String(v);
  const minutes = (v) => num(v) === null ? "—" : v.toFixed(1);
  // Cut by what a reader sees as a character (Intl.Segmenter's graphemes): never inside a surrogate pair
  // (𠮷 is two UTF-16 units) or an emoji, and not inside a name joined by · when its beginning fits.
  const segmenter = new Intl.Segmenter("zh", { granularity: "grapheme" });
  const graphemes = (text) => Array.from(segmenter.segment(text), (s) => s.segment);
  const short = (text, most) => {
    const all = graphemes(text);
    if (all.length <= most) return text;
    let kept = all.slice(0, most - 1);
    const dot = Math.max(kept.lastIndexOf("·"), kept.lastIndexOf("・"));
    const joined = dot >= 0 && /[^\s·・]/.test(all[most - 1] || "") && !/\s/.test(kept.slice(dot).join(""));
    if (joined && dot > 0) kept = kept.slice(0, dot);
    return kept.join("").trimEnd() + "…";
  };
  const rows = (v) => Array.isArray(v) ? v.filter((r) => r && typeof r === "object") : [];

  let today = typeof boot.today === "string" && DAY.test(boot.today) ? boot.today : "";
  let chosen = typeof boot.date === "string" ? boot.date : "";
  let timer = null;
  let loads = 0;

  function live() { return chosen === "" || chosen === today; }

  function shift(day, days) {
    const d = new Date(day + "T12:00:00Z");
    if (isNaN(d.getTime())) return today;
    d.setUTCDate(d.getUTCDate() + days);
    return d.toISOString().slice(0, 10);
  }

  function showError(text) {
    $("error").textContent = text;
    $("error").hidden = !text;
  }

  function syncControls() {
    const input = $("date");
    if (today) input.max = today;
    const shown = chosen || today;
    if (document.activeElement !== input) input.value = DAY.test(shown) && !isNaN(new Date(shown).getTime()) ? shown : "";
    $("next").disabled = live();
    $("today").disabled = live();
    $("export").href = "/console/today.csv" + (chosen ? "?date=" + encodeURIComponent(chosen) : "");
  }

  function choose(day) {
    if (day !== "" && !DAY.test(day)) {
      showError(_("The date is not in the right form: YYYY-MM-DD, such as 2024-05-01"));
      return;
    }
    chosen = day === today ? "" : day;
    history.replaceState(null, "", "/console/today" + (chosen ? "?date=" + chosen : ""));
    syncControls();
    load();
  }

  function hbars(box, items, series, options) {
    // items: [{label, values: [..]}], a value per series ({cls}); the value at options.mark is drawn as a tick
    // across the bar before it, not as a bar of its own.
    const width = Math.max(240, Math.round(box.clientWidth || 600)), left = 112, right = 84, bar = 13, gap = 3;
    const bars = series.length - (options.mark === undefined ? 0 : 1);
    const per = bars * (bar + gap) + 10;
    const height = items.length ? items.length * per + 8 : 48;
    const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img" });
    if (!items.length) {
      chart.append(svg("text", { x: width / 2, y: 30, "text-anchor": "middle", class: "empty" }, _("No figures yet")));
      box.replaceChildren(chart);
      return;
    }
    const most = Math.max(1, ...items.flatMap((i) => i.values.map((v) => num(v) || 0)));
    const span = width - left - right;
    const length = (v) => v === null ? 0 : Math.max(v > 0 ? 2 : 0, (v / most) * span);
    chart.append(svg("line", { x1: left, y1: 0, x2: left, y2: height, class: "axis" }));
    items.forEach((item, row) => {
      const top = 6 + row * per;
      const label = svg("text", { x: left - 8, y: top + (per - 10) / 2 + 4, "text-anchor": "end", class: "label" },
        short(item.label, 7));
      label.append(svg("title", {}, item.label));
      chart.append(label);
      let y = top;
      item.values.forEach((value, n) => {
        const v = num(value);
        if (options.mark === n) {
          if (v !== null) {
            const x = left + length(v);
            chart.append(svg("line", { x1: x, y1: y - bar - gap - 3, x2: x, y2: y - gap + 3, class: series[n].cls }));
          }
          return;
        }
        const w = length(v);
        chart.append(svg("rect", { x: left, y, width: w, height: bar, rx: 2, class: series[n].cls }));
        const after = options.mark === undefined ? w : Math.max(w, length(num(item.values[options.mark])));
        chart.append(svg("text", { x: left + after + 6, y: y + bar - 1, class: "value" }, options.format(v, item.values)));
        y += bar + gap;
      });
    });
    box.replaceChildren(chart);
  }

  function table(id, list) {
    const body = $(id).tBodies[0];
    if (!list.length) {
      const td = el("td", _("No figures yet"));
      td.colSpan = 8;
      td.className = "empty";
      const tr = el("tr");
      tr.append(td);
      body.replaceChildren(tr);
      return;
    }
    body.replaceChildren(...list.map((r) => {
      const tr = el("tr");
      const name = el("td", str(r.name) || str(r.id));
      name.title = str(r.id);
      tr.append(name, el("td", count(r.tickets)), el("td", count(r.waiting)), el("td", count(r.served)),
        el("td", minutes(r.avg_wait_min)), el("td", minutes(r.p90_wait_min)), el("td", minutes(r.avg_service_min)),
        el("td", count(r.no_shows)));
      return tr;
    }));
  }

  let last = null;

  function render(data) {
    last = data;
    const groups = data.groups && typeof data.groups === "object" ? data.groups : {};
    const categories = rows(groups.category), windows = rows(groups.window), staff = rows(groups.staff);
    const total = data.total && typeof data.total === "object" ? data.total : {};
    $("t-tickets").textContent = count(total.tickets);
    $("t-served").textContent = count(total.served);
    $("t-waiting").textContent = count(total.waiting);
    $("t-avg").textContent = minutes(total.avg_wait_min);
    $("t-p90").textContent = minutes(total.p90_wait_min);
    $("t-service").textContent = minutes(total.avg_service_min);
    $("t-noshow").textContent = count(total.no_shows);
    hbars($("chart-category"), categories.map((r) => ({ label: str(r.name), values: [r.waiting, r.served] })),
      [{ cls: "waiting" }, { cls: "served" }], { format: (v) => v === null ? "—" : String(v) });
    hbars($("chart-window"), windows.map((r) => ({ label: str(r.name), values: [r.avg_wait_min, r.p90_wait_min] })),
      [{ cls: "avg" }, { cls: "p90" }], { mark: 1, format: (v, all) => `${minutes(v)} / ${minutes(all[1])}` });
    table("table-category", categories);
    table("table-window", windows);
    table("table-staff", staff);
    $("note").textContent = str(data.note);
    $("note").hidden = !data.note;
    const at = new Date().toLocaleTimeString(document.documentElement.lang || "zh-CN", { hour12: false });
    $("updated").textContent = live()
      ? _("Figures of {day}, updated at {time} (again every {seconds} s)",
        { day: str(data.day), time: at, seconds: Math.round(boot.poll_ms / 1000) })
      : _("Figures of {day}, a past day, read at {time}", { day: str(data.day), time: at });
    document.body.dataset.day = str(data.day);
    document.body.dataset.loads = String(++loads);
  }

  function load() {
    clearTimeout(timer);
    const asked = chosen;
    fetch("/console/today.json" + (asked ? "?date=" + encodeURIComponent(asked) : ""), { credentials: "same-origin" })
      .then((r) => {
        if (r.status === 401) { location.assign("/console/login"); return null; }
        return r.json().then((d) => ({ status: r.status, d }));
      })
      .then((got) => {
        if (!got || asked !== chosen) return;
        const { status, d } = got;
        $("banner").hidden = status !== 503;
        if (!d || typeof d !== "object" || !d.ok) {
          showError(str(d && d.error) || _("The figures cannot be had"));
          return;
        }
        showError("");
        if (typeof d.today === "string" && DAY.test(d.today) && d.today !== today) { today = d.today; syncControls(); }
        render(d);
      })
      .catch(() => { $("banner").hidden = false; })
      .finally(() => { if (asked === chosen && live()) timer = setTimeout(load, boot.poll_ms); });
  }

  $("date").addEventListener("change", (e) => { if (e.target.value) choose(e.target.value); });
  $("pick").addEventListener("submit", (e) => { e.preventDefault(); choose($("date").value); });
  const from = () => DAY.test(chosen) ? chosen : today;
  $("prev").addEventListener("click", () => { if (from()) choose(shift(from(), -1)); });
  $("next").addEventListener("click", () => { if (from()) choose(shift(from(), 1)); });
  $("today").addEventListener("click", () => choose(""));
  let resized = null;
  window.addEventListener("resize", () => { clearTimeout(resized); resized = setTimeout(() => { if (last) render(last); }, 200); });
  syncControls();
  load();
})();
