// HQ screen side panels: the KPI strip and queues (refreshed from
// /api/v1/map/panels when an event concerns them, at most once per frame and
// one request in flight, and again a second later when the answer says it is
// behind the data), and the alert feed (patched from alert events).
(function () {
  "use strict";
  const queuesBox = document.getElementById("queues");
  const feed = document.getElementById("alert-feed");
  if (!queuesBox || !feed) return;
  const labels = JSON.parse(queuesBox.dataset.labels);

  function region() {
    return (window.BirlikMap && window.BirlikMap.filters.region) || "";
  }

  function setKpis(kpis) {
    for (const el of document.querySelectorAll("[data-kpi]")) {
      const value = kpis[el.dataset.kpi];
      if (value === undefined) continue;
      el.textContent = value === null ? el.dataset.empty || "—" : value;
    }
  }

  function row(item) {
    const li = document.createElement("li");
    li.dataset.lat = item.lat ?? "";
    li.dataset.lon = item.lon ?? "";
    const link = document.createElement("a");
    link.className = "go";
    link.href = item.link || "#";
    link.textContent = item.title;
    const small = document.createElement("small");
    small.textContent = `${window.Birlik.duration(item.age_minutes)} · ${item.reason}`;
    li.append(link, " ", small);
    if (item.action) {
      const label = labels[item.action.label] || item.action.label;
      let el;
      if (item.action.url) {
        el = document.createElement("button");
        el.type = "button";
        el.dataset.actionUrl = item.action.url;
        if (item.action.body) el.dataset.actionBody = JSON.stringify(item.action.body);
      } else {
        el = document.createElement("a");
        el.href = item.action.href;
        el.className = "button";
      }
      el.classList.add("small");
      el.textContent = label;
      li.append(" ", el);
    }
    return li;
  }

  function setQueues(queues) {
    for (const [key, items] of Object.entries(queues)) {
      const box = queuesBox.querySelector(`[data-queue="${key}"]`);
      if (!box) continue;
      box.querySelector("[data-count]").textContent = items.length;
      const list = box.querySelector("ol");
      if (!items.length) {
        const li = document.createElement("li");
        li.className = "empty";
        li.textContent = labels.empty;
        list.replaceChildren(li);
      } else list.replaceChildren(...items.map(row));
    }
  }

  let inFlight = false;
  let again = false;
  let retry = 0;
  let frame = false;
  async function refresh() {
    frame = false;
    if (inFlight) { again = true; return; }
    inFlight = true;
    const q = region() ? `?region_id=${encodeURIComponent(region())}` : "";
    const res = await window.Birlik.api("GET", `/api/v1/map/panels${q}`);
    inFlight = false;
    if (res.ok) { setKpis(res.body.kpis); setQueues(res.body.queues); }
    if (again) { again = false; schedule(); }
    // Figures a little behind the data (a surge): once more after the lag, unless an event asks first.
    else if (res.behind && !retry) retry = setTimeout(() => { retry = 0; schedule(); }, 1000);
  }
  function schedule() {
    if (frame) return;
    frame = true;
    requestAnimationFrame(refresh);
  }

  // ---- alerts ----
  // The feed keeps the API's order: the most severe first, then the newest;
  // HQ may keep one kind (the select above it, and ?kind= on the API).
  const countEl = document.getElementById("alert-count");
  const kindSel = document.getElementById("alert-kind");
  const RANK = { critical: 0, high: 1, normal: 2, low: 3 };
  const rank = (sev) => RANK[sev] ?? 4;
  // Times without an offset are UTC (the API's older form).
  const ts = (v) => Date.parse(/(Z|[+-]\d\d:\d\d)$/.test(v) ? v : `${v}Z`);
  function recount() {
    const n = feed.querySelectorAll("li[data-alert-id]").length;
    countEl.textContent = n;
    if (!n && !feed.querySelector(".empty")) {
      const li = document.createElement("li");
      li.className = "empty";
      li.textContent = feed.dataset.empty;
      feed.append(li);
    }
  }
  function removeAlert(id) {
    feed.querySelector(`li[data-alert-id="${id}"]`)?.remove();
    recount();
  }
  // Before the first row that ranks after this alert (less severe, or as severe and older).
  function place(li) {
    const r = rank(li.dataset.severity);
    for (const other of feed.querySelectorAll("li[data-alert-id]")) {
      const o = rank(other.dataset.severity);
      if (o > r || (o === r && ts(other.dataset.raised) < ts(li.dataset.raised))) { other.before(li); return; }
    }
    feed.append(li);
  }
  function addAlert(a) {
    feed.querySelector(`li[data-alert-id="${a.id}"]`)?.remove(); // an update replaces the row
    if (a.acknowledged_at || a.cleared_at) { recount(); return; }
    if (region() && String(a.region_id) !== region()) return;
    if (kindSel && kindSel.value && a.kind !== kindSel.value) return;
    feed.querySelector(".empty")?.remove();
    const li = document.createElement("li");
    li.dataset.alertId = a.id;
    li.dataset.kind = a.kind;
    li.dataset.severity = a.severity;
    li.dataset.raised = String(a.raised_at);
    li.className = `sev-${a.severity}`;
    const msg = document.createElement("span");
    msg.className = "msg";
    msg.textContent = a.content ? window.Birlik.t(a.content) : a.message;
    const time = document.createElement("time");
    time.dateTime = a.raised_at;
    time.textContent = window.Birlik.time(a.raised_at, "time");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "small";
    button.dataset.ackAlert = a.id;
    button.textContent = feed.dataset.ack;
    li.append(msg, " ", time, " ", button);
    place(li);
    recount();
  }
  async function loadAlerts() {
    const kind = kindSel && kindSel.value ? `?kind=${encodeURIComponent(kindSel.value)}` : "";
    const res = await window.Birlik.apiAll(`/api/v1/alerts${kind}`);
    if (!res.ok) return;
    feed.replaceChildren();
    for (const a of res.body) addAlert(a);
    recount();
  }
  kindSel?.addEventListener("change", loadAlerts);

  feed.addEventListener("click", async (ev) => {
    const button = ev.target.closest("[data-ack-alert]");
    if (!button) return;
    button.disabled = true;
    const res = await window.Birlik.api("POST", `/api/v1/alerts/${button.dataset.ackAlert}/acknowledge`);
    // 409: someone else acknowledged it first; either way it leaves the feed.
    if (res.ok || res.status === 409 || res.status === 404) removeAlert(button.dataset.ackAlert);
    else button.disabled = false;
  });

  queuesBox.addEventListener("click", async (ev) => {
    const action = ev.target.closest("[data-action-url]");
    if (action) {
      action.disabled = true;
      const body = action.dataset.actionBody ? JSON.parse(action.dataset.actionBody) : undefined;
      const res = await window.Birlik.api("POST", action.dataset.actionUrl, body);
      if (!res.ok) { action.disabled = false; action.title = window.Birlik.describe(res); }
      schedule();
      return;
    }
    const go = ev.target.closest("a.go");
    if (go && go.getAttribute("href") === "#") {
      ev.preventDefault();
      const li = go.closest("li");
      window.BirlikMap?.flyTo(Number(li.dataset.lat), Number(li.dataset.lon));
    }
  });

  const PANEL_SUBJECTS = new Set(["placement", "facility", "task", "team", "case", "supply_request", "warehouse", "hq"]);
  document.addEventListener("birlik:event", (e) => {
    const ev = e.detail;
    if (ev.subject_type === "alert") {
      if (ev.type === "alert.raised" || ev.type === "alert.updated") addAlert(ev.after);
      else removeAlert(ev.subject_id);
      if (ev.type !== "alert.acknowledged") schedule(); // time moved a figure (stale team, SLA breach)
      return;
    }
    if (ev.type === "team.position") {
      // Only a stale team coming back changes a figure.
      if (window.BirlikMap?.marker("teams", ev.subject_id)?.status === "stale") schedule();
      return;
    }
    if (PANEL_SUBJECTS.has(ev.subject_type)) schedule();
  });
  document.addEventListener("birlik:filters", () => { schedule(); loadAlerts(); });
  document.addEventListener("birlik:live", (e) => { if (e.detail.reconnected || e.detail.truncated) { schedule(); loadAlerts(); } });
})();
