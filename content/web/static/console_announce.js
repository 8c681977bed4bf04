// The console's announcements page: the form with a live preview (the LED driver's own frames of the hall
// as it is now, as PNGs), and the current announcements with their review. Everything shown is set as text,
// never as markup; every sentence is `_("English id")`, in the hall's language (console_words.js).
"use strict";
(function () {
  const boot = JSON.parse(document.getElementById("boot").textContent);
  const csrf = document.querySelector('meta[name="csrf"]').content;
  const user = boot.user || {};
  const $ = (id) => document.getElementById(id);
  const el = (tag, text) => { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; return e; };
  const str = (v) => (typeof v === "string" || typeof v === "number") ? String(v) : "";
  const REVIEW = { approved: _("Published"), pending: _("Waiting for approval"), rejected: _("Rejected") };
  const count = window.hallText.length;
  const LIST_MS = 15000;
  const DEBOUNCE_MS = 250;

  async function post(path, body) {
    try {
      const response = await fetch(path, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf }, body: JSON.stringify(body),
      });
      let out = {};
      try { out = await response.json(); } catch (e) { out = { ok: false, error: _("Service error ({status})", { status: response.status }) }; }
      if (response.status === 401) window.location.assign("/console/login");
      return out;
    } catch (e) {
      return { ok: false, error: _("Cannot reach the service: please check the network") };
    }
  }

  function say(text, ok) {
    const m = $("message");
    if (!m) return;
    m.textContent = text;
    m.className = "message " + (ok ? "ok" : "error");
  }

  // -- the form and its preview ------------------------------------------------------------------

  const form = $("form");
  const checked = (name) => { const c = form.querySelector(`input[name=${name}]:checked`); return c ? c.value : ""; };

  function wanted() {
    return {
      text: $("text").value,
      priority: checked("priority") || "normal",
      targets: [checked("targets") || "all"],
      start: $("start").value,
      end: $("end").value,
      duration_s: Number($("duration").value) || 0,
      confirm: $("confirm").checked,
    };
  }

  /** The form as a new page has it: after publishing, nothing of the last announcement stays chosen. */
  function reset() {
    form.reset();  // the markup's own defaults: normal, all screens, until taken down, no times, unticked
    delete form.dataset.editing;
    $("submit").textContent = $("submit").dataset.label;
  }

  function check() {
    const w = wanted();
    const emergency = w.priority === "emergency";
    $("emergency").hidden = !emergency;
    const typed = count(w.text.trim());  // characters as a reader counts them, as the service does
    $("count").textContent = `${typed}/${boot.max_chars}`;
    $("count").classList.toggle("over", typed > boot.max_chars);
    const ends = w.duration_s > 0 || w.end !== "";
    let why = "";
    if (!w.text.trim()) why = _("Write the announcement");
    else if (typed > boot.max_chars) why = _("An announcement has at most {most} characters; this one has {count}", { most: boot.max_chars, count: typed });
    else if (emergency && !ends) why = _("An emergency notice needs an end or a time it is shown for");
    else if (emergency && !w.confirm) why = _("Tick the confirmation: {warning}", { warning: boot.warning });
    $("submit").disabled = why !== "";
    $("submit").title = why;
    return why;
  }

  let timer = null;
  let asked = 0;
  async function preview() {
    const mine = ++asked;
    const w = wanted();
    $("preview-note").textContent = _("Drawing…");
    const out = await post("/console/announce/preview", { text: w.text, priority: w.priority, targets: w.targets });
    if (mine !== asked) return; // a newer one is on its way
    if (!out.ok) { $("preview-note").textContent = str(out.error) || _("The preview failed"); return; }
    for (const [name, url] of Object.entries(out.images || {})) {
      const img = $("pv-" + name);
      if (img && typeof url === "string" && url.startsWith("data:image/png;base64,")) img.src = url;
    }
    $("preview-note").textContent = w.targets[0] === "kiosk" && w.text.trim()
      ? _("Drawn as the hall's screens show it now (touch screens only: not on the LED screens)")
      : _("Drawn as the hall's screens show it now");
    document.body.dataset.previews = String(mine);
  }
  function later() {
    check();
    if (!boot.preview) return;
    $("preview-note").textContent = _("Updating…"); // what is shown is of what was there before
    clearTimeout(timer);
    timer = setTimeout(preview, DEBOUNCE_MS);
  }

  if (form) {
    form.addEventListener("input", later);
    form.addEventListener("change", later);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const why = check();
      if (why) { say(why, false); return; }
      $("submit").disabled = true;
      say(_("Submitting…"), true);
      const editing = form.dataset.editing;
      const out = editing
        ? await post("/console/announce/edit", { ...wanted(), id: editing })
        : await post("/console/announce", wanted());
      if (out.ok) {
        const r = out.result || {};
        say(r.review === "pending"
          ? _("Submitted (No. {id}): shown once the centre's manager approves it", { id: str(r.id) })
          : _("Published (No. {id})", { id: str(r.id) }), true);
        reset();
        later();
        load();
      } else {
        say(str(out.error) || _("Not submitted"), false);
        check();
      }
    });
    check();
  }
  if (form && boot.preview) preview();
  else if (form) $("preview-note").textContent = _("This service has no preview");

  // -- the current announcements -------------------------------------------------------------------

  const when = (iso) => str(iso).slice(5, 16).replace("T", " ");

  function actions(a) {
    const cell = el("td");
    const id = str(a.id);
    if (a.may_review) {
      const approve = el("button", _("Approve"));
      approve.className = "primary";
      approve.dataset.act = "approve";
      approve.dataset.id = id;
      const reject = el("button", _("Reject"));
      reject.dataset.act = "reject";
      reject.dataset.id = id;
      cell.append(approve, reject);
    }
    if (a.may_clear && user.role !== "supervisor") {
      const edit = el("button", _("Edit"));
      edit.dataset.act = "edit";
      edit.dataset.id = id;
      cell.append(edit);
    }
    if (a.may_clear) {
      const clear = el("button", _("Take down"));
      clear.dataset.act = "clear";
      clear.dataset.id = id;
      cell.append(clear);
    }
    return cell;
  }

  let lastListing = {};

  function render(listing) {
    lastListing = listing;
    const rows = Array.isArray(listing.announcements) ? listing.announcements : [];
    const counted = rows.length ? _("{count} in all", { count: rows.length }) : _("No announcements");
    $("list-note").textContent = listing.ok === false ? str(listing.error)
      : (listing.approval ? _("{listed} · this centre's announcements need approval", { listed: counted }) : counted);
    const labels = Array.from($("list").tHead.rows[0].cells, (th) => th.textContent);
    $("list").tBodies[0].replaceChildren(...rows.map((a) => {
      const tr = el("tr");
      tr.dataset.id = str(a.id);
      tr.className = `review-${str(a.review)} priority-${str(a.priority)}`;
      const targets = Array.isArray(a.targets) ? a.targets.map((t) => boot.targets[t] || "").join(_(", ")) : "";
      const time = a.expires
        ? _("{starts} to {ends}", { starts: when(a.starts), ends: when(a.expires) })
        : _("{starts} until taken down", { starts: when(a.starts) });
      const state = el("td", REVIEW[a.review] || "");
      if (a.review === "rejected" && a.reason) state.append(el("div", _("Reason: {reason}", { reason: str(a.reason) })));
      if (a.reviewed_by) state.append(el("div", _("Reviewed by {name}", { name: str(a.reviewed_by) })));
      state.className = "state";
      const text = el("td", str(a.text));
      text.className = "text";
      tr.append(el("td", str(a.id)), text, el("td", boot.priorities[a.priority] || ""),
        el("td", targets), el("td", time), state, el("td", str(a.person) || str(a.by)), actions(a));
      Array.from(tr.cells).forEach((td, i) => { td.dataset.label = labels[i] || ""; });  // a row as a card on a narrow screen
      return tr;
    }));
  }

  async function load() {
    try {
      const response = await fetch("/console/announce/list", { credentials: "same-origin" });
      if (response.status === 401) { window.location.assign("/console/login"); return; }
      render(await response.json());
      $("banner").hidden = true;
    } catch (e) {
      $("banner").hidden = false;
    }
  }

  $("list").addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-act]");
    if (!button) return;
    const id = button.dataset.id;
    let out;
    if (button.dataset.act === "edit") {
      // Into the form: saved, it replaces the announcement (and waits for approval again where the hall asks it).
      const a = (lastListing.announcements || []).find((x) => str(x.id) === id);
      if (!a || !form) return;
      $("text").value = str(a.text);
      form.querySelectorAll("input[name=priority]").forEach((r) => { r.checked = r.value === a.priority; });
      const target = Array.isArray(a.targets) && a.targets.length === 1 ? a.targets[0] : "all";
      form.querySelectorAll("input[name=targets]").forEach((r) => { r.checked = r.value === target; });
      form.dataset.editing = id;
      $("submit").dataset.label = $("submit").dataset.label || $("submit").textContent;
      $("submit").textContent = _("Save the change ({id})", { id });
      say(boot.waits ? _("Changing {id}: save when done; a change is approved again", { id })
        : _("Changing {id}: save when done", { id }), true);
      later();
      $("text").focus();
      return;
    }
    if (button.dataset.act === "reject") {
      const row = button.closest("td");
      let input = row.querySelector("input.reason");
      if (!input) {
        input = el("input");
        input.className = "reason";
        input.maxLength = 200;
        input.placeholder = _("Reason for the rejection (its author sees it)");
        const go = el("button", _("Reject it"));
        go.dataset.act = "reject-go";
        go.dataset.id = id;
        row.append(input, go);
      }
      input.focus();
      return;
    }
    if (button.dataset.act === "reject-go") {
      const reason = button.closest("td").querySelector("input.reason").value.trim();
      if (!reason) { say(_("A rejection needs a reason"), false); $("list-note").textContent = _("A rejection needs a reason"); return; }
      out = await post("/console/announce/review", { id, decision: "reject", reason });
    } else if (button.dataset.act === "approve") {
      out = await post("/console/announce/review", { id, decision: "approve" });
    } else {
      out = await post("/console/announce/clear", { id });
    }
    const done = { approve: _("Approved: {id}", { id }), "reject-go": _("Rejected: {id}", { id }), clear: _("Taken down: {id}", { id }) };
    const text = out.ok ? done[button.dataset.act] : (str(out.error) || _("Not done"));
    say(text, out.ok);
    $("list-note").textContent = text;
    load();
  });

  load();
  setInterval(load, LIST_MS);
})();
