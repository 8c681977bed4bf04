// The console's announcements page: the form with a live preview (the LED driver's own frames, as PNGs),
// and the current announcements with their review. Everything shown is set as text, never as markup.
"use strict";
(function () {
  const boot = JSON.parse(document.getElementById("boot").textContent);
  const csrf = document.querySelector('meta[name="csrf"]').content;
  const user = boot.user || {};
  const $ = (id) => document.getElementById(id);
  const el = (tag, text) => { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; return e; };
  const str = (v) => (typeof v === "string" || typeof v === "number") ? String(v) : "";
  const REVIEW = { approved: "已发布", pending: "待审核", rejected: "已驳回" };
  const LIST_MS = 15000;
  const DEBOUNCE_MS = 250;

  async function post(path, body) {
    try {
      const response = await fetch(path, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf }, body: JSON.stringify(body),
      });
      let out = {};
      try { out = await response.json(); } catch (_) { out = { ok: false, error: `服务错误（${response.status}）` }; }
      if (response.status === 401) window.location.assign("/console/login");
      return out;
    } catch (_) {
      return { ok: false, error: "无法连接到服务，请检查网络" };
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

  function check() {
    const w = wanted();
    const emergency = w.priority === "emergency";
    $("emergency").hidden = !emergency;
    $("count").textContent = `${w.text.trim().length}/${boot.max_chars}`;
    const ends = w.duration_s > 0 || w.end !== "";
    let why = "";
    if (!w.text.trim()) why = "请填写公告内容";
    else if (emergency && !ends) why = "紧急通知必须设定结束时间或显示时长";
    else if (emergency && !w.confirm) why = `请勾选确认：${boot.warning}`;
    $("submit").disabled = why !== "";
    $("submit").title = why;
    return why;
  }

  let timer = null;
  let asked = 0;
  async function preview() {
    const mine = ++asked;
    const w = wanted();
    $("preview-note").textContent = "正在生成……";
    const out = await post("/console/announce/preview", { text: w.text, priority: w.priority, targets: w.targets });
    if (mine !== asked) return; // a newer one is on its way
    if (!out.ok) { $("preview-note").textContent = str(out.error) || "预览失败"; return; }
    for (const [name, url] of Object.entries(out.images || {})) {
      const img = $("pv-" + name);
      if (img && typeof url === "string" && url.startsWith("data:image/png;base64,")) img.src = url;
    }
    const shown = w.targets[0] === "kiosk" && w.text.trim() ? "（仅触摸屏显示：LED屏上不出现）" : "";
    $("preview-note").textContent = `按实际屏幕绘制${shown}`;
    document.body.dataset.previews = String(mine);
  }
  function later() {
    check();
    if (!boot.preview) return;
    $("preview-note").textContent = "正在更新……"; // what is shown is of what was there before
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
      say("正在提交……", true);
      const editing = form.dataset.editing;
      const out = editing
        ? await post("/console/announce/edit", { ...wanted(), id: editing })
        : await post("/console/announce", wanted());
      if (out.ok) {
        const r = out.result || {};
        say(r.review === "pending" ? `已提交（编号 ${str(r.id)}），等待中心负责人批准后显示` : `已发布（编号 ${str(r.id)}）`, true);
        delete form.dataset.editing;
        $("submit").textContent = $("submit").dataset.label || $("submit").textContent;
        $("text").value = "";
        $("confirm").checked = false;
        later();
        load();
      } else {
        say(str(out.error) || "提交失败", false);
        check();
      }
    });
    check();
  }
  if (form && boot.preview) preview();
  else if (form) $("preview-note").textContent = "本服务没有配置预览";

  // -- the current announcements -------------------------------------------------------------------

  const when = (iso) => str(iso).slice(5, 16).replace("T", " ");

  function actions(a) {
    const cell = el("td");
    const id = str(a.id);
    if (a.may_review) {
      const approve = el("button", "批准");
      approve.className = "primary";
      approve.dataset.act = "approve";
      approve.dataset.id = id;
      const reject = el("button", "驳回");
      reject.dataset.act = "reject";
      reject.dataset.id = id;
      cell.append(approve, reject);
    }
    if (a.may_clear && user.role !== "supervisor") {
      const edit = el("button", "编辑");
      edit.dataset.act = "edit";
      edit.dataset.id = id;
      cell.append(edit);
    }
    if (a.may_clear) {
      const clear = el("button", "撤下");
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
    $("list-note").textContent = listing.ok === false ? str(listing.error) :
      (rows.length ? `共 ${rows.length} 条` : "暂无公告") + (listing.approval ? " · 本中心公告需审核" : "");
    $("list").tBodies[0].replaceChildren(...rows.map((a) => {
      const tr = el("tr");
      tr.dataset.id = str(a.id);
      tr.className = `review-${str(a.review)} priority-${str(a.priority)}`;
      const targets = Array.isArray(a.targets) ? a.targets.map((t) => boot.targets[t] || "").join("、") : "";
      const ends = a.expires ? `至 ${when(a.expires)}` : "直到撤下";
      const state = el("td", REVIEW[a.review] || "");
      if (a.review === "rejected" && a.reason) state.append(el("div", `原因：${str(a.reason)}`));
      if (a.reviewed_by) state.append(el("div", `审核：${str(a.reviewed_by)}`));
      state.className = "state";
      tr.append(el("td", str(a.id)), el("td", str(a.text)), el("td", boot.priorities[a.priority] || ""),
        el("td", targets), el("td", `${when(a.starts)} ${ends}`), state,
        el("td", str(a.person) || str(a.by)), actions(a));
      return tr;
    }));
  }

  async function load() {
    try {
      const response = await fetch("/console/announce/list", { credentials: "same-origin" });
      if (response.status === 401) { window.location.assign("/console/login"); return; }
      render(await response.json());
      $("banner").hidden = true;
    } catch (_) {
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
      $("submit").textContent = `保存修改（${id}）`;
      say(`正在修改 ${id}：改好后保存${boot.waits ? "，修改后需重新批准" : ""}`, true);
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
        input.placeholder = "驳回原因（提交人会看到）";
        const go = el("button", "确认驳回");
        go.dataset.act = "reject-go";
        go.dataset.id = id;
        row.append(input, go);
      }
      input.focus();
      return;
    }
    if (button.dataset.act === "reject-go") {
      const reason = button.closest("td").querySelector("input.reason").value.trim();
      if (!reason) { say("驳回需要填写原因", false); $("list-note").textContent = "驳回需要填写原因"; return; }
      out = await post("/console/announce/review", { id, decision: "reject", reason });
    } else if (button.dataset.act === "approve") {
      out = await post("/console/announce/review", { id, decision: "approve" });
    } else {
      out = await post("/console/announce/clear", { id });
    }
    const done = { approve: "已批准", "reject-go": "已驳回", clear: "已撤下" }[button.dataset.act];
    const text = out.ok ? `${done}：${id}` : (str(out.error) || "操作失败");
    say(text, out.ok);
    $("list-note").textContent = text;
    load();
  });

  load();
  setInterval(load, LIST_MS);
})();
