// The field app. Every action gets a client id, which is also its
// Idempotency-Key; actions wait in localStorage and are sent in order when
// there is signal, so nothing is lost or done twice. A replay the server no
// longer accepts (the task moved to another team meanwhile) is shown.
(function () {
  "use strict";
  const root = document.getElementById("field-app");
  // A task's status as a message id, read in the team's language (client_texts).
  const STATUS_IDS = JSON.parse(root?.dataset.statusIds || "{}");
  const statusWord = (s) => window.Birlik.t(STATUS_IDS[s] || String(s).replace("_", " "));
  if (!root) return;
  const teamId = Number(root.dataset.team);
  const S = document.getElementById("t-strings").dataset;
  const KINDS = JSON.parse(root.dataset.kindLabels);
  const QKEY = `birlik:field:queue:${teamId}`;
  const TKEY = `birlik:field:tasks:${teamId}`;
  const RKEY = `birlik:field:runs:${teamId}`;
  const REASONS = JSON.parse(S.reasons);
  let tasks = JSON.parse(localStorage.getItem(TKEY) || "[]");
  let queue = JSON.parse(localStorage.getItem(QKEY) || "[]");
  // Delivery runs (stops and lines) by run id, kept for when there is no signal.
  let runs = JSON.parse(localStorage.getItem(RKEY) || "{}");
  // A stop's proof form lives across re-renders, so what was typed stays.
  const proofForms = new Map();
  let lastPos = null;
  let sending = false;
  let busyTimer = null;
  let known = new Set(tasks.map((t) => t.id));
  let map = null;
  let marker = null;

  const el = (tag, attrs = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === "on") for (const [ev, fn] of Object.entries(v)) node.addEventListener(ev, fn);
      else if (v !== undefined && v !== null) node.setAttribute(k, v);
    }
    node.append(...children.filter((c) => c !== null && c !== undefined));
    return node;
  };
  const uid = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(16).slice(2)}`);
  const save = () => {
    localStorage.setItem(QKEY, JSON.stringify(queue));
    localStorage.setItem(TKEY, JSON.stringify(tasks));
    localStorage.setItem(RKEY, JSON.stringify(runs));
  };

  function syncState() {
    const badge = document.getElementById("sync-state");
    const online = navigator.onLine && window.Birlik.socket?.connected !== false;
    badge.textContent = `${online ? badge.dataset.online : badge.dataset.offline} · ${queue.length} ${badge.dataset.waiting}`;
    badge.className = "badge " + (online ? (queue.length ? "warn" : "ok") : "warn");
  }

  function conflict(text) {
    const box = document.getElementById("conflict");
    box.textContent = text;
    box.hidden = !text;
  }

  // Answers can come back out of order (the server answers on many threads;
  // events and sends each ask again). An answer is used only if it was asked
  // for after the newest one used and after the server's last acknowledgement
  // of an action: an older answer would undo a newer state (a stop proven a
  // moment ago back to planned, a finished task back on the list), and
  // nothing might ask again. A send's acknowledgement is always followed by a
  // fresh load.
  let asked = 0;
  let acked = 0;
  const used = {};
  const newest = (key, n) => {
    if (n < acked || n < (used[key] || 0)) return false;
    used[key] = n;
    return true;
  };

  async function load() {
    const n = ++asked;
    const res = await window.Birlik.apiAll("/api/v1/tasks");
    if (!res.ok || !newest("tasks", n)) return;
    const fresh = res.body.filter((t) => !known.has(t.id) && t.status === "offered");
    tasks = res.body;
    known = new Set(tasks.map((t) => t.id));
    // Pending actions still apply on top of what the server says.
    for (const a of queue) apply(a, false);
    const runIds = tasks.filter(isRun).map((t) => String(t.details.run_id));
    for (const id of Object.keys(runs)) if (!runIds.includes(id)) delete runs[id];
    save();
    render();
    if (fresh.length) alertOffer();
    for (const id of runIds) loadRun(id);
  }

  // ---- delivery runs: the stops in route order, and a proof form per stop ----
  const isRun = (task) => task.kind === "delivery" && task.details && task.details.run_id;

  async function loadRun(runId) {
    const n = ++asked;
    const res = await window.Birlik.api("GET", `/api/v1/supplies/runs/${runId}`);
    if (!res.ok || !newest(`run-${runId}`, n)) return;
    runs[runId] = res.body;
    for (const a of queue) if (a.stop_id) markSent(a);
    save();
    render();
  }

  function findStop(stopId) {
    for (const run of Object.values(runs)) {
      const stop = run.stops.find((s) => s.id === stopId);
      if (stop) return stop;
    }
    return null;
  }

  function markSent(item) {
    // A proof waiting to be sent counts as given: its stop shows delivered.
    const stop = findStop(item.stop_id);
    if (stop && stop.status === "planned") { stop.status = "delivered"; stop.received_by = item.body.recipient_name; }
  }

  function stopsOf(task) {
    const run = runs[task.details.run_id];
    if (run) return { run, stops: run.stops };
    // Not loaded yet (no signal since the offer): what the task says.
    const stops = (task.details.stops || []).map((s) => ({
      id: s.stop_id, seq: s.seq, organization: s.organization, settlement: s.settlement, lat: s.lat, lon: s.lon,
      status: "planned", lines: (s.items || []).map((i) => ({ item: i.item, unit: i.unit, quantity: i.quantity })),
    }));
    return { run: null, stops };
  }

  const allProven = (task) => stopsOf(task).stops.every((s) => s.status !== "planned");

  function runView(task) {
    const { run, stops } = stopsOf(task);
    const pickedUp = run && run.status === "picked_up";
    const list = el("ol", { class: "queue stops", id: `stops-${task.id}` });
    for (const stop of stops) {
      const item = el("li", { id: `stop-${stop.id}`, "data-status": stop.status },
        el("p", {}, el("strong", {}, `${stop.seq}. ${stop.organization}`), stop.settlement ? ` · ${stop.settlement} ` : " ",
          el("span", { class: `badge status-${stop.status}` }, S[`stop${stop.status[0].toUpperCase()}${stop.status.slice(1)}`] || stop.status)),
        el("ul", {}, ...stop.lines.map((l) => el("li", {}, `${l.quantity} ${l.unit} · ${l.item}`))));
      if (stop.status === "planned" && stop.lat != null) {
        item.append(el("p", {}, el("a", { href: `geo:${stop.lat},${stop.lon}`, class: "navigate" }, S.navigate)));
      }
      if (stop.status === "delivered") {
        item.append(el("p", {}, `${S.recipient}: ${stop.received_by || ""}`));
        if (stop.discrepancy) item.append(el("p", { class: "reason" }, stop.discrepancy));
      } else if (stop.status === "planned" && task.status === "on_site" && pickedUp) {
        item.append(proofForm(task, stop));
      }
      list.append(item);
    }
    for (const id of proofForms.keys()) if (!stops.some((s) => s.id === id && s.status === "planned")) proofForms.delete(id);
    const box = el("div", { class: "run" }, el("h3", {}, S.stops), list);
    if (task.status === "on_site" && !pickedUp) box.prepend(el("p", { class: "muted" }, S.pickUp));
    return box;
  }

  function proofForm(task, stop) {
    if (proofForms.has(stop.id)) return proofForms.get(stop.id);
    const form = el("form", { class: "report proof", id: `proof-${stop.id}` },
      el("h4", {}, S.proof),
      el("label", {}, S.recipient, el("input", { name: "recipient_name", required: "", maxlength: "120", autocomplete: "name" })));
    for (const line of stop.lines) {
      const max = String(line.quantity);
      const accepted = el("input", { type: "number", min: "0", max, value: max, class: "small", name: `accepted-${line.id}`, inputmode: "numeric" });
      const rejected = el("input", { type: "number", min: "0", max, value: "0", class: "small", name: `rejected-${line.id}`, inputmode: "numeric" });
      const reason = el("select", { name: `reason-${line.id}` }, el("option", { value: "" }, "—"),
        ...Object.entries(REASONS).map(([value, label]) => el("option", { value }, label)));
      // (A div: a label's display, set by the stylesheet, would outrank `hidden`.)
      const why = el("div", { hidden: "" }, el("label", {}, S.whyRejected, reason));
      const toggle = () => { const any = Number(rejected.value) > 0; why.hidden = !any; reason.required = any; };
      // Accepted and rejected always add up to what was shipped.
      accepted.addEventListener("input", () => { rejected.value = Math.max(0, line.quantity - Number(accepted.value || 0)); toggle(); });
      rejected.addEventListener("input", () => { accepted.value = Math.max(0, line.quantity - Number(rejected.value || 0)); toggle(); });
      form.append(el("fieldset", { "data-line": line.id },
        el("legend", {}, `${line.item}: ${line.quantity} ${line.unit} ${S.shipped}`),
        el("label", {}, S.accepted, accepted), el("label", {}, S.rejected, rejected), why));
    }
    form.append(el("label", {}, S.photo, el("input", { type: "file", name: "photo", accept: "image/*", capture: "environment" })));
    const error = el("p", { class: "form-error", role: "alert" });
    form.append(error, el("button", { type: "submit", class: "big ok" }, S.sendProof));
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      error.textContent = "";
      const pos = await position();
      if (!pos) { error.textContent = S.positionNeeded; return; }
      const body = { recipient_name: form.elements.recipient_name.value.trim(), lat: pos[0], lon: pos[1], lines: [] };
      for (const line of stop.lines) {
        const rejected = Number(form.elements[`rejected-${line.id}`].value || 0);
        const entry = { line_id: line.id, accepted: Number(form.elements[`accepted-${line.id}`].value || 0), rejected };
        if (rejected > 0) entry.reject_reason = form.elements[`reason-${line.id}`].value;
        body.lines.push(entry);
      }
      const files = form.elements.photo.files;
      if (files && files.length) body.photo = (await photos(files))[0];
      send({ id: uid(), url: `/api/v1/deliveries/${stop.id}/proof`, stop_id: stop.id, task_id: task.id, body, at: new Date().toISOString() });
    });
    proofForms.set(stop.id, form);
    return form;
  }

  function position() {
    // Where the proof was given: a fresh fix, else the last one.
    return new Promise((resolve) => {
      if (!navigator.geolocation) { resolve(lastPos); return; }
      navigator.geolocation.getCurrentPosition(
        (p) => { lastPos = [p.coords.latitude, p.coords.longitude]; resolve(lastPos); },
        () => resolve(lastPos), { enableHighAccuracy: true, maximumAge: 60000, timeout: 10000 });
    });
  }

  function send(item) {
    queue.push(item);
    markSent(item);
    save();
    render();
    flush();
  }

  function alertOffer() {
    if (navigator.vibrate) navigator.vibrate([200, 100, 200]);
    try {
      const ctx = new (window.AudioContext || window.webkitAudioContext)();
      const osc = ctx.createOscillator();
      osc.frequency.value = 880;
      osc.connect(ctx.destination);
      osc.start();
      osc.stop(ctx.currentTime + 0.25);
    } catch (e) { /* no sound available */ }
  }

  const NEXT = { accept: "accepted", decline: "declined", en_route: "en_route", on_site: "on_site", done: "done", fail: "failed" };
  const PATH = { accept: "accept", decline: "decline", en_route: "en-route", on_site: "on-site", done: "done", fail: "fail" };

  function apply(action, persist = true) {
    if (!action.action) return; // a stop's proof: its stop is marked by markSent
    const task = tasks.find((t) => t.id === action.task_id);
    if (task) task.status = NEXT[action.action];
    tasks = tasks.filter((t) => !["declined", "done", "failed"].includes(t.status));
    if (persist) save();
  }

  function act(task, action, body = {}) {
    const item = { id: uid(), task_id: task.id, action, body, at: new Date().toISOString() };
    queue.push(item);
    apply(item);
    render();
    flush();
  }

  async function flush() {
    if (sending || !queue.length || !navigator.onLine) { syncState(); return; }
    sending = true;
    try {
      while (queue.length) {
        const item = queue[0];
        let resp;
        try {
          resp = await fetch(item.url || `/api/v1/tasks/${item.task_id}/${PATH[item.action]}`, {
            method: "POST", credentials: "same-origin",
            headers: { "Content-Type": "application/json", "Idempotency-Key": item.id,
                       "X-CSRFToken": document.querySelector('meta[name="csrf-token"]').content },
            body: JSON.stringify(item.body),
          });
        } catch (e) {
          break; // no signal: keep it queued
        }
        if (resp.status === 503) {
          // The server is full: the action stays queued (its Idempotency-Key
          // makes a resend safe) and is sent again when the server says.
          const s = Math.min(Math.max(Number(resp.headers.get("Retry-After")) || 2, 1), 60) * (1 + Math.random() / 2);
          conflict(window.Birlik.t("The server is busy; trying again in %(seconds)s s.", { seconds: Math.round(s) }));
          clearTimeout(busyTimer);
          busyTimer = setTimeout(() => { conflict(""); flush(); }, s * 1000);
          break;
        }
        if (resp.status >= 500) break;
        queue.shift();
        acked = ++asked;
        save();
        if (!resp.ok) {
          const body = await resp.json().catch(() => ({}));
          conflict(body.message || `Action refused (${resp.status})`);
        }
      }
    } finally {
      sending = false;
      syncState();
      if (navigator.onLine) load();
    }
  }

  function countdown(task, node) {
    const tick = () => {
      const left = Math.max(0, Math.round((window.Birlik.parseTime(task.offer_expires_at).getTime() - Date.now()) / 1000));
      node.textContent = `${S.expires} ${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`;
      if (left > 0 && document.body.contains(node)) setTimeout(tick, 1000);
    };
    tick();
  }

  function reportForm(task) {
    const form = el("form", { class: "report" });
    if (task.kind === "delivery") {
      form.append(el("label", {}, S.recipient, el("input", { name: "recipient", required: "" })));
      const items = (task.details && task.details.items) || [];
      form.append(el("p", {}, S.received));
      for (const it of items) {
        form.append(el("label", {}, `${it.name} (${it.quantity})`,
          el("input", { type: "number", min: "0", name: `received.${it.name}`, value: it.quantity, class: "small" })));
      }
    } else if (task.kind === "transfer") {
      const n = (task.details && task.details.head_count) || 1;
      form.append(el("label", {}, S.handedOver, el("input", { type: "number", min: "0", name: "handed_over", value: n, class: "small" })));
    } else {
      for (const check of JSON.parse(S.checks)) {
        form.append(el("label", { class: "check" }, el("input", { type: "checkbox", name: `checklist.${check}` }), check));
      }
      form.append(el("label", {}, S.photos, el("input", { type: "file", name: "photos", accept: "image/*", capture: "environment", multiple: "" })));
    }
    form.append(el("label", {}, S.notes, el("textarea", { name: "notes", rows: "2" })));
    form.append(el("button", { type: "submit", class: "big ok" }, S.send));
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const body = {};
      for (const input of form.elements) {
        if (!input.name) continue;
        if (input.name.startsWith("received.")) (body.received ||= {})[input.name.slice(9)] = Number(input.value);
        else if (input.name.startsWith("checklist.")) (body.checklist ||= {})[input.name.slice(10)] = input.checked;
        else if (input.name === "handed_over") body.handed_over = Number(input.value);
        else if (input.name === "photos") body.photos = await photos(input.files);
        else if (input.value) body[input.name] = input.value;
      }
      if (!body.photos || !body.photos.length) delete body.photos;
      act(task, "done", body);
    });
    return form;
  }

  async function photos(files) {
    // Shrink photos so they travel over a weak connection.
    const out = [];
    for (const file of Array.from(files || []).slice(0, 5)) {
      const img = await createImageBitmap(file);
      const scale = Math.min(1, 1024 / Math.max(img.width, img.height));
      const canvas = el("canvas", { width: Math.round(img.width * scale), height: Math.round(img.height * scale) });
      canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
      out.push(canvas.toDataURL("image/jpeg", 0.7));
    }
    return out;
  }

  // Decline and Fail ask why in the page: a common reason or one typed in.
  // The open question survives re-renders (an event reloads the tasks).
  let asking = null; // { taskId, action, form }
  function reason(task, action) {
    asking = { taskId: task.id, action, form: reasonForm(task, action) };
    render();
    asking.form.querySelector("select").focus();
  }

  function reasonForm(task, action) {
    const common = JSON.parse(action === "decline" ? S.declineReasons : S.failReasons);
    const select = el("select", { name: "reason", "aria-describedby": `why-${task.id}` },
      el("option", { value: "" }, S.chooseReason),
      ...common.map((r) => el("option", { value: r }, r)),
      el("option", { value: "other" }, S.otherReason));
    const other = el("input", { name: "other", maxlength: "500", autocomplete: "off" });
    const otherLabel = el("label", { hidden: "" }, S.otherReasonLabel, other);
    const error = el("p", { class: "form-error", role: "alert", id: `why-${task.id}` });
    const cancel = el("button", { type: "button", class: "big" }, S.back);
    const form = el("form", { class: "reason-form", novalidate: "" },
      el("label", {}, S.reason, select), otherLabel, error,
      el("div", { class: "bigbuttons" },
        el("button", { type: "submit", class: "big ok" }, action === "decline" ? S.decline : S.failed), cancel));
    select.addEventListener("change", () => {
      otherLabel.hidden = select.value !== "other";
      if (!otherLabel.hidden) other.focus();
      error.textContent = "";
    });
    cancel.addEventListener("click", () => { asking = null; render(); });
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      const text = select.value === "other" ? other.value.trim() : select.value;
      if (!text) {
        error.textContent = select.value === "other" ? S.reasonTyped : S.reasonNeeded;
        (select.value === "other" ? other : select).focus();
        return;
      }
      asking = null;
      act(task, action, { reason: text });
    });
    return form;
  }

  function button(label, cls, fn) {
    return el("button", { type: "button", class: `big ${cls}`, on: { click: fn } }, label);
  }

  function render() {
    // A kept proof form is taken out and put back, which takes the focus (and
    // a phone's keyboard) from the field being typed in: what was typed next
    // went nowhere. The field gets it back below.
    const focused = document.activeElement;
    const current = tasks.find((t) => t.status !== "offered") || tasks[0];
    const body = document.getElementById("current-body");
    body.replaceChildren();
    document.getElementById("map").hidden = !current;
    if (!current) {
      body.append(el("p", { class: "empty" }, S.noTasks));
    } else {
      let target = current.dest_lat != null && current.status !== "accepted" && current.status !== "en_route"
        ? [current.dest_lat, current.dest_lon] : [current.lat, current.lon];
      if (isRun(current) && current.status === "on_site") {
        const next = stopsOf(current).stops.find((s) => s.status === "planned" && s.lat != null);
        if (next) target = [next.lat, next.lon];
      }
      body.append(
        el("p", { class: "task-title", id: `task-${current.id}` }, el("strong", {}, `${KINDS[current.kind]}: `), current.title),
        el("p", {}, el("span", { class: `badge status-${current.status}` }, statusWord(current.status))),
        el("p", {}, el("a", { href: `geo:${target[0]},${target[1]}`, class: "navigate" }, S.navigate)),
      );
      const actions = el("div", { class: "bigbuttons" });
      if (current.status === "offered") {
        const clock = el("p", { class: "countdown" });
        body.append(clock);
        if (current.offer_expires_at) countdown(current, clock);
        actions.append(button(S.accept, "ok", () => act(current, "accept")), button(S.decline, "", () => reason(current, "decline")));
      } else if (current.status === "accepted") {
        actions.append(button(S.enRoute, "ok", () => act(current, "en_route")), button(S.failed, "", () => reason(current, "fail")));
      } else if (current.status === "en_route") {
        actions.append(button(S.onSite, "ok", () => act(current, "on_site")), button(S.failed, "", () => reason(current, "fail")));
      } else if (current.status === "on_site" && isRun(current)) {
        const done = button(S.done, "ok", () => act(current, "done", {}));
        done.disabled = !allProven(current);
        if (done.disabled) done.title = S.allStops;
        actions.append(done, button(S.failed, "", () => reason(current, "fail")));
      } else if (current.status === "on_site") {
        body.append(reportForm(current));
        actions.append(button(S.failed, "", () => reason(current, "fail")));
      }
      if (isRun(current) && current.status !== "offered") body.append(runView(current));
      const asked = asking && asking.taskId === current.id ? asking.form : null;
      body.append(asked || actions);
      showMap(target);
    }
    const list = document.getElementById("queue");
    const rest = tasks.filter((t) => t !== current);
    list.replaceChildren(...(rest.length ? rest.map((t) => el("li", {}, `${KINDS[t.kind]}: ${t.title} (${statusWord(t.status)})`))
      : [el("li", { class: "empty" }, S.nothing)]));
    syncState();
    if (focused && focused !== document.activeElement && focused.isConnected) focused.focus();
  }

  function showMap(point) {
    if (typeof L === "undefined") return;
    if (!map) {
      map = L.map("map", { zoomControl: true }).setView(point, 12);
      // OpenStreetMap's servers refuse tiles without a Referer; the page's own
      // Referrer-Policy (same-origin) would send none.
      L.tileLayer(document.getElementById("map").dataset.tiles,
        { maxZoom: 18, referrerPolicy: "strict-origin-when-cross-origin" }).addTo(map);
      // Region outlines under the pin, as on the HQ map: where tiles cannot
      // load (no signal, tile server blocked) the crew still sees where it is.
      const regions = L.geoJSON(null, { interactive: false,
        style: { color: "#0f2a44", weight: 1, fillColor: "#dbe7f3", fillOpacity: 0.35 } }).addTo(map);
      window.Birlik.api("GET", "/api/v1/map/regions.geojson").then((res) => {
        if (res.ok) regions.addData(res.body);
      }).catch(() => {}); // offline and not cached: the pin alone
    }
    if (marker) marker.remove();
    marker = L.marker(point).addTo(map);
    map.setView(point);
    setTimeout(() => map.invalidateSize(), 50);
  }

  // Position: at most every 15 s while on duty.
  let lastFix = 0;
  function track() {
    if (!navigator.geolocation || !document.getElementById("on-duty").checked) return;
    navigator.geolocation.getCurrentPosition((pos) => {
      lastPos = [pos.coords.latitude, pos.coords.longitude];
      if (Date.now() - lastFix < 15000) return;
      lastFix = Date.now();
      window.Birlik.api("POST", `/api/v1/teams/${teamId}/position`, {
        lat: pos.coords.latitude, lon: pos.coords.longitude, at: new Date(pos.timestamp).toISOString(),
        accuracy_m: pos.coords.accuracy,
      });
    }, () => {}, { enableHighAccuracy: true, maximumAge: 10000, timeout: 10000 });
  }

  document.getElementById("on-duty").addEventListener("change", (ev) => {
    window.Birlik.api("POST", `/api/v1/teams/${teamId}/shift`, { on_duty: ev.target.checked });
  });
  document.addEventListener("birlik:event", (e) => {
    if (["task", "delivery_run", "delivery"].includes(e.detail.subject_type)) load();
  });
  // A replay cut short may have left out a task's step: load the tasks afresh.
  document.addEventListener("birlik:live", (e) => { if (e.detail.truncated) load(); });
  window.addEventListener("online", flush);
  window.addEventListener("offline", syncState);
  window.Birlik.socket?.on("connect", () => { syncState(); flush(); });
  window.Birlik.socket?.on("disconnect", syncState);
  setInterval(flush, 10000);
  setInterval(track, 15000);
  if ("serviceWorker" in navigator) navigator.serviceWorker.register("/field/sw.js", { scope: "/field" }).catch(() => {});
  render();
  load();
  flush();
  track();
})();
