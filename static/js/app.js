// Birlik pages: JSON forms over the API, and live updates over Socket.IO.
// Forms: <form data-api="POST /api/v1/..."> send their fields as JSON with the
// CSRF header; errors show in the form's .form-error. Live: the socket keeps
// the last event id it saw and asks for a replay after a reconnect, and each
// event is dispatched as `birlik:event`. live.js patches the page's live
// regions on those events and after a form succeeds (Birlik.refreshMain).
(function () {
  "use strict";
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content;

  // A 503 means the server is full right now and says when to come back
  // (Retry-After). Reads, and writes that carry an Idempotency-Key (the server
  // runs those once however often they are sent), wait and try again a few
  // times, and the page says it is busy meanwhile; other writes report it.
  const BUSY_TRIES = 5;
  function retryAfter(resp) {
    const s = Number(resp.headers.get("Retry-After"));
    return Math.min(Math.max(Number.isFinite(s) && s > 0 ? s : 2, 1), 60);
  }
  function busyNotice(seconds) {
    let box = document.getElementById("busy-notice");
    if (!box && seconds) {
      box = Object.assign(document.createElement("p"), { id: "busy-notice", className: "flash busy" });
      box.setAttribute("role", "status");
      (document.querySelector("main") || document.body).prepend(box);
    }
    if (!box) return;
    box.hidden = !seconds;
    box.textContent = seconds ? t("The server is busy; trying again in %(seconds)s s.", { seconds: Math.round(seconds) }) : "";
  }
  const newKey = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(16).slice(2)}`);
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  async function api(method, url, body, isForm, extraHeaders = {}) {
    const headers = { "X-CSRFToken": csrf, Accept: "application/json", ...extraHeaders };
    if (body !== undefined && !isForm) headers["Content-Type"] = "application/json";
    const retryable = method === "GET" || Boolean(headers["Idempotency-Key"]);
    let resp;
    for (let attempt = 1; ; attempt++) {
      resp = await fetch(url, { method, headers, credentials: "same-origin",
        body: body === undefined ? undefined : (isForm ? body : JSON.stringify(body)) });
      if (resp.status !== 503 || !retryable || attempt >= BUSY_TRIES) break;
      // Spread the retries so refused clients do not all come back at once.
      const wait = retryAfter(resp) * (1 + Math.random() / 2);
      busyNotice(wait);
      await sleep(wait * 1000);
    }
    busyNotice(0);
    let data = null;
    try { data = await resp.json(); } catch (e) { data = null; }
    // behind: the server answered from figures older than the data (a surge); ask again soon.
    return { status: resp.status, ok: resp.ok, body: data, link: resp.headers.get("Link"),
      behind: resp.headers.get("X-Birlik-Behind") === "1" };
  }

  // Every row of a paged list (the API pages lists, see README "The API"):
  // follows the Link header's rel="next" until the last page.
  async function apiAll(url) {
    let res = await api("GET", url);
    const rows = [];
    for (let pages = 0; res.ok && Array.isArray(res.body); pages += 1) {
      rows.push(...res.body);
      const next = /<([^>]+)>;\s*rel="next"/.exec(res.link || "");
      if (!next || pages > 1000) return { status: res.status, ok: true, body: rows };
      res = await api("GET", next[1]);
    }
    return res;
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

  // A field as the form labels it (its <label> or aria-label), else as the
  // server named it; the messages come translated from the server.
  function fieldName(form, name) {
    const el = form && form.elements ? form.elements.namedItem(name) : null;
    const label = el && (el.labels?.[0] || el.closest?.("label"));
    const shown = label ? (label.firstChild?.textContent || label.textContent) : el?.getAttribute?.("aria-label");
    return (shown || "").trim() || name.replace(/_/g, " ");
  }

  function describe(res, form) {
    const b = res.body || {};
    // The busy answer is rendered here, in the page's language.
    let text = (res.status === 503 && b.msgid ? t(b.msgid, b.params) : b.message)
      || t("Request failed (%(status)s)", { status: res.status });
    if (b.errors && b.errors.json) {
      // The message names the fields by their keys (for API clients); a person reads the form's labels.
      text = t("Some fields are not valid.");
      // Nested fields (lines.0.quantity) are named by their full path on the form.
      const flat = (obj, prefix) => Object.entries(obj).flatMap(([k, v]) =>
        v && typeof v === "object" && !Array.isArray(v) ? flat(v, `${prefix}${k}.`) : [[`${prefix}${k}`, v]]);
      text += " — " + flat(b.errors.json, "")
        .map(([k, v]) => `${fieldName(form, k)}: ${[].concat(v).join(", ")}`).join("; ");
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
        if (!confirmed(form, ev.submitter)) return;
        const [method, url] = form.dataset.api.split(" ");
        const err = form.querySelector(".form-error");
        if (err) err.textContent = "";
        const button = form.querySelector("[type=submit]");
        if (button) button.disabled = true;
        const isForm = form.enctype === "multipart/form-data";
        let body = isForm ? new FormData(form) : formJson(form);
        if (form.hasAttribute("data-managers")) {
          // "shown": the managers the page showed; only those may be removed.
          const names = (value) => (value || "").split(",").map((u) => u.trim()).filter(Boolean);
          body = { usernames: names(body.usernames), shown: names(body.shown) };
        }
        // A key per submission: if the server is busy the same submission is
        // sent again, and the server carries it out once.
        const key = method === "POST" && url.startsWith("/api/") ? { "Idempotency-Key": newKey() } : {};
        const res = await api(method, url, body, isForm, key);
        if (button) button.disabled = false;
        if (!res.ok) { if (err) err.textContent = describe(res, form); return; }
        form.dispatchEvent(new CustomEvent("birlik:done", { detail: res.body, bubbles: true }));
        if (form.dataset.after === "reset") form.reset();
        if (form.dataset.after !== "none") window.Birlik.refreshMain();
      });
    });
  }

  // A page may label its timeline's steps (event type → text in the reader's language).
  let stepLabels = null;
  const steps = () => (stepLabels ||= JSON.parse(document.getElementById("timeline-steps")?.textContent || "{}"));

  // <form data-confirm> asks before it acts: its first submit shows the form's
  // .confirm-step (a question with a [data-confirmed] submit button and a
  // [data-confirm-cancel] one); only that button sends the form.
  function confirmed(form, submitter) {
    const step = form.hasAttribute("data-confirm") && form.querySelector(".confirm-step");
    if (!step) return true;
    if (submitter && submitter.hasAttribute("data-confirmed")) { step.hidden = true; return true; }
    step.hidden = false;
    step.querySelector("[data-confirmed]")?.focus();
    return false;
  }
  document.addEventListener("click", (ev) => {
    const cancel = ev.target instanceof Element && ev.target.closest("[data-confirm-cancel]");
    const step = cancel && cancel.closest(".confirm-step");
    if (step) step.hidden = true;
  });

  // A placement's or task's timeline loads when its details are opened.
  document.addEventListener("toggle", async (ev) => {
    const box = ev.target;
    if (!(box instanceof HTMLDetailsElement) || !box.open || !box.dataset.timeline) return;
    const list = box.querySelector(".timeline");
    const res = await api("GET", box.dataset.timeline);
    if (!res.ok || !list) return;
    list.replaceChildren(...res.body.timeline.map((t) => {
      const li = document.createElement("li");
      if (t.text) { li.textContent = `${time(t.at, "long")} — ${t.text}`; return li; }
      const who = t.team_id ? " " + window.Birlik.t("(team %(id)s)", { id: t.team_id }) : "";
      const why = t.reason ? `: ${t.reason}` : "";
      const step = steps()[t.type] || t.type.split(".").pop().replace(/_/g, " ");
      li.textContent = `${time(t.at, "long")} — ${step}${who}${why}`;
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
      if (v && typeof v === "object") return v.time ? time(v.time) : t(v);
      return v === undefined || v === null ? "" : String(v);
    }).replace(/%%/g, "%");
  }

  // Times a person reads are in the operation's zone (BIRLIK_TIMEZONE, on
  // <body data-timezone>), not the browser's, in the page's language; the
  // same styles as the server's |localtime (coordinator/localtime.py).
  const zone = document.body.dataset.timezone || "UTC";
  const lang = document.documentElement.lang || "en";
  const STYLES = {
    time: { hour: "2-digit", minute: "2-digit", hourCycle: "h23" },
    datetime: { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" },
    long: { weekday: "short", day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" },
    date: { year: "numeric", month: "2-digit", day: "2-digit" },
  };
  const formats = {};
  // API times are UTC; one without an offset (older answers) is read as UTC too.
  function parseTime(at) {
    if (at instanceof Date) return at;
    const s = String(at);
    return new Date(/^\d{4}-\d\d-\d\dT[\d:.]+$/.test(s) ? s + "Z" : s);
  }
  function time(at, style = "datetime") {
    if (at === null || at === undefined || at === "") return "";
    const date = parseTime(at);
    if (Number.isNaN(date.getTime())) return "";
    const f = formats[style] ||= new Intl.DateTimeFormat(lang, { timeZone: zone, ...STYLES[style] });
    if (style === "long" || style === "time") return f.format(date);
    // Numeric styles read yyyy-mm-dd HH:MM in every language, as on the server.
    const p = Object.fromEntries(f.formatToParts(date).map((x) => [x.type, x.value]));
    const day = `${p.year}-${p.month}-${p.day}`;
    return style === "date" ? day : `${day} ${p.hour}:${p.minute}`;
  }
  // A time typed in a datetime-local field ("2026-11-24T08:26") is the
  // operation's local time: the Date it means (null when empty or invalid).
  function fromLocalInput(value) {
    const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)/.exec(value || "");
    if (!m) return null;
    const wall = Date.UTC(+m[1], m[2] - 1, +m[3], +m[4], +m[5]);
    const f = formats.offset ||= new Intl.DateTimeFormat("en", { timeZone: zone, ...STYLES.datetime });
    const offset = (ms) => {
      const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, Number(x.value)]));
      return Date.UTC(p.year, p.month - 1, p.day, p.hour % 24, p.minute) - Math.floor(ms / 60000) * 60000;
    };
    // Twice: the offset at the instant itself may differ around a clock change.
    return new Date(wall - offset(wall - offset(wall)));
  }
  // "35 min", "5 h 20 min", "2 d 5 h" in the page's language (as |duration).
  function duration(minutes) {
    const total = Math.floor(Math.abs(Number(minutes) || 0));
    const d = Math.floor(total / 1440), h = Math.floor((total % 1440) / 60), m = total % 60;
    const parts = d ? [["%(n)s d", d], ["%(n)s h", h]] : h ? [["%(n)s h", h], ["%(n)s min", m]] : [["%(n)s min", m]];
    return parts.filter(([, n], i) => i === 0 || n).map(([id, n]) => t(id, { n })).join(" ");
  }

  window.Birlik = { api, apiAll, refreshMain, bind, describe, t, time, duration, parseTime, fromLocalInput };
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
  // A replay cut short (the server sends at most 5,000 missed events) cannot
  // bring the page up to date: skip to the newest event and have the page
  // refresh what it shows (`truncated` in birlik:live), as after a long outage.
  function skipAhead(newest) {
    lastId = Math.max(lastId, Number(newest) || 0);
    sessionStorage.setItem(KEY, String(lastId));
  }
  socket.on("welcome", (w) => {
    if (!lastId) { lastId = w.last_event_id; sessionStorage.setItem(KEY, String(lastId)); }
    if (w.truncated) skipAhead(w.last_event_id);
    const back = everOnline;
    online = everOnline = true;
    show();
    document.dispatchEvent(new CustomEvent("birlik:live", {
      detail: { reconnected: back, replayed: w.replayed, truncated: !!w.truncated, nextAfter: w.next_after } }));
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
      if (res?.ok && res.truncated) {
        skipAhead(res.last_event_id);
        document.dispatchEvent(new CustomEvent("birlik:live", {
          detail: { reconnected: true, replayed: res.events.length, truncated: true, nextAfter: res.next_after } }));
      }
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
