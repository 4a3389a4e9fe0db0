// Birlik pages: JSON forms over the API, and live updates over Socket.IO.
// Forms: <form data-api="POST /api/v1/..."> send their fields as JSON with the
// CSRF header; errors show in the form's .form-error. Live: the socket keeps
// the last event id it saw and asks for a replay after a reconnect, and each
// event is dispatched as `birlik:event`. live.js patches the page's live
// regions on those events and after a form succeeds (Birlik.refreshMain).
(function () {
  "use strict";
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content;

  async function api(method, url, body, isForm) {
    const headers = { "X-CSRFToken": csrf, Accept: "application/json" };
    if (body !== undefined && !isForm) headers["Content-Type"] = "application/json";
    const resp = await fetch(url, { method, headers, credentials: "same-origin",
      body: body === undefined ? undefined : (isForm ? body : JSON.stringify(body)) });
    let data = null;
    try { data = await resp.json(); } catch (e) { data = null; }
    return { status: resp.status, ok: resp.ok, body: data };
  }

  function formJson(form) {
    const out = {};
    for (const el of form.elements) {
      if (!el.name || el.disabled || el.type === "submit" || el.name === "csrf_token") continue;
      if (el.type === "checkbox") { out[el.name] = el.checked; continue; }
      if (el.value === "") continue;
      const path = el.name.split(".");
      let target = out;
      while (path.length > 1) { const k = path.shift(); target = target[k] = target[k] || {}; }
      const numeric = el.type === "number" || el.dataset.type === "number";
      target[path[0]] = numeric ? Number(el.value) : el.value;
    }
    return out;
  }

  function describe(res) {
    const b = res.body || {};
    let text = b.message || `Request failed (${res.status})`;
    if (b.errors && b.errors.json) {
      text += " — " + Object.entries(b.errors.json).map(([k, v]) => `${k}: ${[].concat(v).join(", ")}`).join("; ");
    }
    return text;
  }

  // Replaced by live.js, which patches the page instead of re-rendering it.
  async function refreshMain() {}

  // Bound forms are kept here rather than marked in the DOM, so a morph that
  // makes a form match the server's HTML cannot make it look unbound.
  const bound = new WeakSet();
  function bind(root) {
    root.querySelectorAll("form[data-api]").forEach((form) => {
      if (bound.has(form)) return;
      bound.add(form);
      form.addEventListener("submit", async (ev) => {
        ev.preventDefault();
        const [method, url] = form.dataset.api.split(" ");
        const err = form.querySelector(".form-error");
        if (err) err.textContent = "";
        const button = form.querySelector("[type=submit]");
        if (button) button.disabled = true;
        const isForm = form.enctype === "multipart/form-data";
        let body = isForm ? new FormData(form) : formJson(form);
        if (form.hasAttribute("data-managers")) {
          body = { usernames: (body.usernames || "").split(",").map((u) => u.trim()).filter(Boolean) };
        }
        const res = await api(method, url, body, isForm);
        if (button) button.disabled = false;
        if (!res.ok) { if (err) err.textContent = describe(res); return; }
        form.dispatchEvent(new CustomEvent("birlik:done", { detail: res.body, bubbles: true }));
        if (form.dataset.after === "reset") form.reset();
        if (form.dataset.after !== "none") window.Birlik.refreshMain();
      });
    });
  }

  // A placement's or task's timeline loads when its details are opened.
  document.addEventListener("toggle", async (ev) => {
    const box = ev.target;
    if (!(box instanceof HTMLDetailsElement) || !box.open || !box.dataset.timeline) return;
    const list = box.querySelector(".timeline");
    const res = await api("GET", box.dataset.timeline);
    if (!res.ok || !list) return;
    list.replaceChildren(...res.body.timeline.map((t) => {
      const li = document.createElement("li");
      const who = t.team_id ? ` (team ${t.team_id})` : "";
      const why = t.reason ? `: ${t.reason}` : "";
      li.textContent = `${t.at.replace("T", " ").slice(0, 19)} — ${t.type.split(".").pop().replace("_", " ")}${who}${why}`;
      return li;
    }));
  }, true);

  // Behaviour that pages declare in markup, since the Content-Security-Policy
  // allows no inline handlers: <select data-submit-on-change> submits its form;
  // <select data-api-prefix="PUT /api/v1/..."> points its form's data-api at
  // the prefix plus the chosen value. Delegated, so patched regions keep it.
  document.addEventListener("change", (ev) => {
    const el = ev.target;
    if (!(el instanceof HTMLSelectElement) || !el.form) return;
    if (el.hasAttribute("data-submit-on-change")) el.form.submit();
    if (el.dataset.apiPrefix) el.form.dataset.api = el.dataset.apiPrefix + el.value;
  });

  // Server-composed text arrives as a message id and its parameters; the
  // page carries the translations (coordinator/i18n.py, client_texts).
  let texts = null;
  function t(msgid, params) {
    if (texts === null) {
      try { texts = JSON.parse(document.getElementById("texts")?.textContent || "{}"); } catch (e) { texts = {}; }
    }
    if (msgid && typeof msgid === "object") { params = msgid.params; msgid = msgid.msgid; }
    const template = (msgid && texts[msgid]) || msgid || "";
    return template.replace(/%\((\w+)\)[sd]/g, (m, k) => {
      const v = params ? params[k] : undefined;
      if (v && typeof v === "object") return t(v);
      return v === undefined || v === null ? "" : String(v);
    }).replace(/%%/g, "%");
  }

  window.Birlik = { api, refreshMain, bind, describe, t };
  bind(document);

  // ---- live ----
  if (typeof io === "undefined" || !document.body.dataset.user) return;
  const KEY = "birlik:lastEventId";
  let lastId = Number(sessionStorage.getItem(KEY) || 0);
  const socket = io({ auth: (cb) => cb({ last_event_id: lastId || null }), transports: ["websocket", "polling"] });
  window.Birlik.socket = socket;
  // Live only once the server's welcome has arrived: the replay of missed
  // events comes before it, so until then the screen is still catching up.
  let online = false;
  let everOnline = false;
  // The badge may be replaced by a refresh, so look it up each time.
  const show = () => {
    document.body.dataset.live = online ? "ok" : "reconnecting";
    const banner = document.getElementById("live-banner");
    if (banner) banner.hidden = online || !everOnline;
    const el = document.getElementById("live-state");
    if (!el) return;
    el.textContent = online ? el.dataset.liveText || "live" : el.dataset.reconnecting || "reconnecting…";
    el.className = "badge " + (online ? "ok" : "warn");
  };
  document.addEventListener("birlik:refreshed", show);
  socket.on("disconnect", () => { online = false; show(); });
  socket.on("connect_error", () => { online = false; show(); });
  socket.on("welcome", (w) => {
    if (!lastId) { lastId = w.last_event_id; sessionStorage.setItem(KEY, String(lastId)); }
    const back = everOnline;
    online = everOnline = true;
    show();
    document.dispatchEvent(new CustomEvent("birlik:live", { detail: { reconnected: back, replayed: w.replayed } }));
  });
  // Each event is handled once: replays and live delivery may overlap.
  const seen = new Set();
  function deliver(ev) {
    if (seen.has(ev.id) || (ev.id <= lastId && !resyncing)) return;
    seen.add(ev.id);
    if (seen.size > 5000) seen.delete(seen.values().next().value);
    if (ev.id > lastId) { lastId = ev.id; sessionStorage.setItem(KEY, String(lastId)); }
    document.dispatchEvent(new CustomEvent("birlik:event", { detail: ev }));
  }
  // The server lost its link to the message queue and has it back: events
  // published meanwhile never came. Ask for them, holding live ones until
  // they are in, so everything is handled in order.
  let resyncing = false;
  let held = [];
  socket.on("resync", async (r) => {
    if (resyncing) return;
    resyncing = true;
    try {
      const after = Math.min(lastId, Number(r?.after ?? lastId));
      const res = await socket.timeout(10000).emitWithAck("sync", { after });
      if (res?.ok) res.events.forEach(deliver);
    } catch (e) {
      // No answer while connected: reconnect, which replays from lastId. A
      // socket that dropped meanwhile (its pending answer fails at once) is
      // left alone: its own reconnect replays, and one closed on purpose
      // stays closed (this reconnected it, and the screen took the events
      // missed meanwhile live instead of from the replay).
      if (socket.connected) socket.disconnect().connect();
    } finally {
      resyncing = false;
      const later = held.sort((a, b) => a.id - b.id);
      held = [];
      later.forEach(deliver);
    }
  });
  socket.on("event", (ev) => {
    if (resyncing) { held.push(ev); return; }
    deliver(ev);
  });
})();
