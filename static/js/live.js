// Live pages patch, they do not re-render. When a socket event concerns the
// page (app.js dispatches `birlik:event`), the page's HTML is fetched again
// and each [data-live-refresh] region is morphed into its fresh version with
// idiomorph, so only the nodes whose data changed are touched.
//
// What the person is doing wins over the server:
// - A form they have typed or chosen in, or submitted without success, is
//   "dirty" until it is submitted successfully, reset, or its row reloaded.
//   A dirty form is not morphed, nor is the row holding it. A row is an
//   element with an id and data-subject="placement:12" (the subject its
//   events name). If the row changed on the server meanwhile, a note beside
//   the form says who changed it and when, with a button to reload the row.
// - <details> and <dialog> keep `open`; the focused field keeps its value.
// - <canvas> and [data-client-owned] (filled by scripts) are never touched.
// - [data-live-shared] marks page-wide data repeated in a row (a facility
//   chooser's free beds): a change there alone does not count as the row
//   changing.
// A region may name the event types that concern it, as prefixes:
// data-live-types="placement. facility." (without it, every event does).
// Fetches are throttled, not debounced: one at a time, at most one every
// GAP_MS, and events that arrive during a fetch bring one more fetch after
// it, so a steady stream of events still gives regular updates.
(function () {
  "use strict";
  const Birlik = window.Birlik;
  if (!Birlik || typeof Idiomorph === "undefined") return;
  const GAP_MS = 1000;
  const FETCH_TIMEOUT_MS = 20000; // a hung request must not stop later updates
  const ROW = "[data-subject][id]";
  const text = JSON.parse(document.getElementById("live-text")?.textContent || "{}");

  const dirty = new WeakSet(); // forms the person is working in
  const shown = new Map(); // row id -> { sig, eventId }: the server version the row shows
  const newest = new Map(); // row id -> { row, eventId } of a held-back row; row null: gone
  const latest = new Map(); // "placement:12" -> the newest event about it
  let lastEventId = 0;

  // ---- what the person is doing ----
  const formOf = (el) => el.form || el.closest?.("form");
  const touch = (ev) => { const form = formOf(ev.target); if (form) dirty.add(form); };
  for (const type of ["input", "change", "submit"]) document.addEventListener(type, touch, true);
  document.addEventListener("reset", (ev) => dirty.delete(ev.target), true);
  document.addEventListener("birlik:done", (ev) => dirty.delete(formOf(ev.target)), true);
  const holdsDirty = (el) =>
    (el.tagName === "FORM" && dirty.has(el)) || [...el.querySelectorAll("form")].some((f) => dirty.has(f));

  // The server HTML of a row, without what the browser adds to it.
  function signature(row) {
    const copy = row.cloneNode(true);
    for (const el of [copy, ...copy.querySelectorAll("details, dialog")]) {
      if (el.matches("details, dialog")) el.removeAttribute("open");
    }
    copy.querySelectorAll("[data-client-owned], [data-live-shared]").forEach((el) => el.replaceChildren());
    copy.querySelectorAll("[data-live-note]").forEach((el) => el.remove());
    return copy.outerHTML;
  }
  const rowsIn = (el) => [...(el.matches(ROW) ? [el] : []), ...el.querySelectorAll(ROW)];
  const remember = (el, eventId) => rowsIn(el).forEach((row) => shown.set(row.id, { sig: signature(row), eventId }));
  remember(document.body, 0);

  // ---- the note beside a held-back row ----
  const hhmm = (date) => window.Birlik.time(date, "time"); // in the operation's zone (app.js)
  function noteText(row) {
    const ev = latest.get(row.dataset.subject);
    if (ev && ev.id > (shown.get(row.id)?.eventId ?? 0)) {
      const actor = ev.actor || text.the_system || "the system";
      return (text.changed_by || "Changed by {actor} at {time}.")
        .replace("{actor}", () => actor).replace("{time}", hhmm(ev.at));
    }
    return (text.changed || "Changed on the server at {time}.").replace("{time}", hhmm(new Date()));
  }

  function holdBack(row, next, eventId, held) {
    held.add(row.id);
    newest.set(row.id, { row: next, eventId });
    let note = row.querySelector("[data-live-note]");
    if (next && signature(next) === shown.get(row.id)?.sig) { note?.remove(); return; }
    if (!note) {
      note = document.createElement("span");
      note.className = "live-note";
      note.dataset.liveNote = "";
      note.setAttribute("role", "status");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "link";
      button.textContent = text.reload_row || "Reload row";
      button.addEventListener("click", () => reloadRow(row));
      note.append(document.createElement("span"), " ", button);
      const form = [...row.querySelectorAll("form")].find((f) => dirty.has(f));
      if (form) form.after(note);
      else row.append(note);
    }
    note.firstChild.textContent = noteText(row);
  }

  function reloadRow(row) {
    const next = newest.get(row.id);
    newest.delete(row.id);
    row.querySelectorAll("form").forEach((f) => dirty.delete(f));
    if (!next) return;
    if (next.row) morph(row, next.row, next.eventId);
    else row.remove();
    document.dispatchEvent(new CustomEvent("birlik:refreshed"));
  }

  // ---- morphing ----
  function morph(old, next, eventId) {
    const held = new Set();
    const keep = (el, to) => {
      if (el.nodeType !== 1) return false;
      if (el.matches("canvas, [data-client-owned]")) return true;
      if (el === document.activeElement && el.matches("input, select, textarea")) return true;
      if (el.matches(ROW) && holdsDirty(el)) { holdBack(el, to, eventId, held); return true; }
      return el.tagName === "FORM" && dirty.has(el);
    };
    const keepOnRemove = (el) => {
      if (el.nodeType !== 1 || !holdsDirty(el)) return false;
      rowsIn(el).filter(holdsDirty).forEach((row) => holdBack(row, null, eventId, held));
      return true;
    };
    Idiomorph.morph(old, next, {
      callbacks: {
        beforeNodeMorphed: (el, to) => (keep(el, to) ? false : undefined),
        beforeNodeRemoved: (el) => (keepOnRemove(el) ? false : undefined),
        beforeAttributeUpdated: (name, el) => (name === "open" && el.matches("details, dialog") ? false : undefined),
      },
    });
    rowsIn(next).filter((row) => !held.has(row.id)).forEach((row) => remember(row, eventId));
    Birlik.bind(document); // forms that came with the new HTML
  }

  const regionsIn = (root) => {
    const found = [...root.querySelectorAll("[data-live-refresh]")];
    return found.length ? found : [root.querySelector("main")].filter(Boolean);
  };

  async function patch() {
    const eventId = lastEventId;
    const resp = await fetch(location.href, {
      credentials: "same-origin", headers: { Accept: "text/html" }, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
    // Signed out or sent elsewhere: leave the page as it is.
    if (!resp.ok || new URL(resp.url).pathname !== location.pathname) return;
    const doc = new DOMParser().parseFromString(await resp.text(), "text/html");
    const fresh = regionsIn(doc);
    regionsIn(document).forEach((region, i) => {
      const next = region.id ? doc.getElementById(region.id) : fresh[i];
      if (next) morph(region, next, eventId);
    });
    document.dispatchEvent(new CustomEvent("birlik:refreshed"));
  }

  // ---- throttle ----
  let running = null; // the fetch-and-morph under way
  let planned = null; // the next one, shared by every request made meanwhile
  let lastStart = 0;
  const pause = (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

  // Patch the page soon; resolves once a fetch started after this call is applied.
  function refresh(urgent = false) {
    if (planned) return planned;
    planned = (running || Promise.resolve())
      .then(() => (urgent ? null : pause(lastStart + GAP_MS - Date.now())))
      .then(() => {
        planned = null;
        lastStart = Date.now();
        running = patch().catch(() => {}).finally(() => { running = null; });
        return running;
      });
    return planned;
  }

  const concerns = (ev) => [...document.querySelectorAll("[data-live-refresh]")].some((region) => {
    const types = (region.dataset.liveTypes || "").split(/\s+/).filter(Boolean);
    return !types.length || types.some((prefix) => ev.type.startsWith(prefix));
  });

  document.addEventListener("birlik:event", (e) => {
    const ev = e.detail;
    lastEventId = Math.max(lastEventId, ev.id);
    const subject = `${ev.subject_type}:${ev.subject_id}`;
    latest.delete(subject); // keep the map in order of recency, so the oldest can go
    latest.set(subject, ev);
    if (latest.size > 5000) latest.delete(latest.keys().next().value);
    if (concerns(ev)) refresh();
  });
  // After a reconnect the replay brings what was missed; a patch makes sure.
  document.addEventListener("birlik:live", (e) => {
    if ((e.detail.reconnected || e.detail.truncated) && document.querySelector("[data-live-refresh]")) refresh();
  });

  Birlik.refreshMain = () => refresh(true);
  Birlik.live = { refresh, isDirty: (form) => dirty.has(form) };
})();
