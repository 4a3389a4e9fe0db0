// Hotline pages: the operator's intake form (suggestions and possible
// duplicates while typing, Ctrl+Enter files the report, the case number and
// lookup code shown for the caller), the queue's bulk actions, and the case
// page's recorded "who reported" view. Text from the server is only ever set
// with textContent, so a description holding markup stays text.
(function () {
  "use strict";
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content;

  async function call(method, url, body, extra) {
    const headers = { Accept: "application/json", "X-CSRFToken": csrf, ...(extra || {}) };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const resp = await fetch(url, { method, headers, credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body) });
    let data = null;
    try { data = await resp.json(); } catch (e) { data = null; }
    return { status: resp.status, ok: resp.ok, body: data };
  }

  function describe(res) {
    if (window.Birlik?.describe) return window.Birlik.describe(res);
    return (res.body && res.body.message) || `Request failed (${res.status})`;
  }

  function debounce(fn, ms) {
    let timer = null;
    return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
  }

  function el(tag, text, attrs) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    return node;
  }

  // ---- intake ----
  const intake = document.getElementById("intake");
  if (intake) {
    const field = (name) => intake.elements.namedItem(name);
    const dupes = document.getElementById("duplicates");
    const reasons = JSON.parse(dupes.dataset.reasons || "{}");
    const error = intake.querySelector(".form-error");

    function point() {
      const raw = field("coordinates").value.trim();
      if (!raw) return null;
      const parts = raw.split(/[,;\s]+/).filter(Boolean).map(Number);
      if (parts.length !== 2 || parts.some((n) => !Number.isFinite(n))) return undefined;
      return { lat: parts[0], lon: parts[1] };
    }

    async function fill(listId, url) {
      const res = await call("GET", url);
      if (!res.ok) return;
      const names = res.body.map((x) => (typeof x === "string" ? x : x.name));
      document.getElementById(listId).replaceChildren(...names.map((n) => el("option", null, { value: n })));
    }
    field("employer_name").addEventListener("input", debounce((ev) => {
      const q = ev.target.value.trim();
      if (q.length >= 2) fill("employer-list", `/api/v1/hotline/employers?q=${encodeURIComponent(q)}`);
    }, 250));
    field("settlement").addEventListener("input", debounce((ev) => {
      const q = ev.target.value.trim();
      if (q.length >= 2) fill("place-list", `/api/v1/hotline/places?q=${encodeURIComponent(q)}`);
    }, 250));

    const checkDuplicates = debounce(async () => {
      const body = { employer_name: field("employer_name").value.trim() };
      const p = point();
      if (p) Object.assign(body, p);
      const contact = field("reporter_contact").value.trim();
      if (contact && !field("anonymous").checked) body.contact = contact;
      if (!body.employer_name && !p && !body.contact) return;
      const res = await call("POST", "/api/v1/hotline/duplicates/check", body);
      if (!res.ok) return;
      if (!res.body.length) { dupes.replaceChildren(el("li", dupes.dataset.none, { class: "empty" })); return; }
      dupes.replaceChildren(...res.body.map((c) => {
        const li = el("li");
        li.append(el("a", c.number, { href: `/hotline/cases/${c.case_id}`, target: "_blank" }),
          " ", `${c.employer_name || ""} ${c.settlement || ""} · ${c.status}`);
        for (const r of c.reasons) li.append(" ", el("span", reasons[r] || r, { class: "tag" }));
        return li;
      }));
    }, 400);
    for (const name of ["employer_name", "coordinates", "reporter_contact"]) {
      field(name).addEventListener("input", checkDuplicates);
    }

    function identity() {
      for (const input of intake.querySelectorAll("[data-identity]")) input.disabled = field("anonymous").checked;
    }
    field("anonymous").addEventListener("change", identity);

    intake.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); intake.requestSubmit(); }
    });

    let key = null; // one Idempotency-Key per report, so a resend files it once
    intake.addEventListener("input", () => { key = null; });
    intake.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      error.textContent = "";
      const p = point();
      if (p === undefined) { error.textContent = intake.dataset.badPoint; return; }
      const body = { channel: "phone", category: field("category").value, description: field("description").value,
        employer_name: field("employer_name").value.trim(), settlement: field("settlement").value.trim(),
        anonymous: field("anonymous").checked };
      if (p) Object.assign(body, p);
      if (!p && !body.settlement) { error.textContent = intake.dataset.noPlace; return; }
      const workers = field("workers_affected").value;
      if (workers) body.workers_affected = Number(workers);
      if (field("severity").value) body.severity = field("severity").value;
      if (!body.anonymous) {
        if (field("reporter_name").value.trim()) body.reporter_name = field("reporter_name").value.trim();
        if (field("reporter_contact").value.trim()) body.reporter_contact = field("reporter_contact").value.trim();
      }
      key = key || (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random());
      const button = intake.querySelector("[type=submit]");
      button.disabled = true;
      let res;
      try {
        res = await call("POST", "/api/v1/hotline/reports", body, { "Idempotency-Key": key });
      } catch (e) {
        res = { status: 0, ok: false, body: { message: "No connection: press Ctrl+Enter again to resend." } };
      }
      button.disabled = false;
      if (!res.ok) { error.textContent = describe(res); return; }
      const filed = document.getElementById("filed");
      const link = document.getElementById("filed-number");
      link.textContent = res.body.number;
      link.href = `/hotline/cases/${res.body.case_id}`;
      document.getElementById("filed-code").textContent = res.body.lookup_code || "—";
      filed.hidden = false;
      intake.reset();
      identity();
      key = null;
      dupes.replaceChildren(el("li", dupes.dataset.none, { class: "empty" }));
      field("category").focus();
    });
  }

  // ---- queue: bulk actions ----
  const bulk = document.getElementById("bulk");
  if (bulk) {
    const picked = () => [...document.querySelectorAll("input.pick:checked")].map((b) => Number(b.value));
    const count = () => { document.getElementById("bulk-count").textContent = picked().length; };
    document.addEventListener("change", (ev) => {
      if (ev.target.id === "select-all") {
        for (const box of document.querySelectorAll("input.pick")) box.checked = ev.target.checked;
      }
      if (ev.target.matches?.("input.pick, #select-all")) count();
    });
    document.addEventListener("birlik:refreshed", count);
    bulk.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const err = bulk.querySelector(".form-error");
      const ids = picked();
      if (!ids.length) { err.textContent = bulk.dataset.noneSelected; return; }
      const body = { case_ids: ids, action: bulk.elements.namedItem("action").value };
      for (const name of ["severity", "region_id", "assignee_id"]) {
        const v = bulk.elements.namedItem(name).value;
        if (v) body[name] = name === "severity" ? v : Number(v);
      }
      const res = await call("POST", "/api/v1/hotline/cases/bulk", body);
      if (!res.ok) { err.textContent = describe(res); return; }
      const failed = Object.entries(res.body.failed).map(([id, why]) => `#${id}: ${why}`);
      err.textContent = [bulk.dataset.done.replace("{n}", res.body.done.length), ...failed].join(" · ");
      for (const box of document.querySelectorAll("input.pick, #select-all")) box.checked = false;
      count();
      window.Birlik?.refreshMain();
    });
  }

  // ---- case page: who reported (each view is recorded) ----
  document.addEventListener("click", async (ev) => {
    const button = ev.target.closest("#reveal");
    if (!button) return;
    button.disabled = true;
    const list = document.getElementById("reporters");
    const res = await call("GET", button.dataset.url);
    if (!res.ok) { list.replaceChildren(el("li", describe(res), { class: "form-error" })); button.disabled = false; return; }
    list.replaceChildren(...res.body.map((r) => el("li",
      r.anonymous ? button.dataset.anonymous : [r.name, r.contact].filter(Boolean).join(" · "))));
  });
})();
