// The public report form. What the person types is kept on the device
// (localStorage) until the server has answered with a case number, so a lost
// connection loses nothing: the report is sent again when the connection is
// back, or when the page is opened again. The form's token carries its
// submission key, so a resend whose first answer was lost files nothing twice
// and gets the same case number and code. Server text is set as textContent.
(function () {
  "use strict";
  const form = document.getElementById("public-report");
  if (!form) return;
  const DRAFT = "birlik:report:draft";
  const RESULT = "birlik:report:result";
  const state = document.getElementById("report-state");
  const FIELDS = ["category", "description", "employer_name", "settlement", "lat", "lon", "workers_affected",
    "reporter_name", "reporter_contact", "form_token"];
  let retryTimer = null;
  let sending = false;

  const store = {
    get(key) { try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; } },
    set(key, value) { try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* private mode */ } },
    drop(key) { try { localStorage.removeItem(key); } catch (e) { /* private mode */ } },
  };

  function snapshot(pending) {
    const out = { pending, anonymous: form.elements.namedItem("anonymous").checked };
    for (const name of FIELDS) out[name] = form.elements.namedItem(name).value;
    return out;
  }

  function restore(draft) {
    for (const name of FIELDS) {
      if (draft[name] !== undefined && draft[name] !== "") form.elements.namedItem(name).value = draft[name];
    }
    form.elements.namedItem("anonymous").checked = Boolean(draft.anonymous);
    identity();
  }

  function identity() {
    const anonymous = form.elements.namedItem("anonymous").checked;
    for (const input of form.querySelectorAll("[data-identity]")) input.disabled = anonymous;
  }

  function showResult(result) {
    document.getElementById("result-number").textContent = result.number;
    document.getElementById("result-code").textContent = result.lookup_code;
    document.getElementById("report-result").hidden = false;
    form.hidden = true;
    document.getElementById("report-error")?.remove();
  }

  async function freshCsrf() {
    // The session that signed the form's CSRF token may be gone (the browser
    // was closed): a fresh page gives a token for the session we have now.
    const resp = await fetch(form.action, { credentials: "same-origin", headers: { Accept: "text/html" } });
    const html = new DOMParser().parseFromString(await resp.text(), "text/html");
    const token = html.querySelector('#public-report input[name="csrf_token"]')?.value;
    if (token) form.elements.namedItem("csrf_token").value = token;
  }

  function later(seconds) {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(send, Math.max(1, seconds) * 1000);
  }

  async function send(retriedCsrf) {
    if (sending) return;
    const draft = store.get(DRAFT);
    if (!draft || !draft.pending) return;
    sending = true;
    state.textContent = form.dataset.sending;
    const body = new FormData(form);
    let resp;
    try {
      resp = await fetch(form.action, { method: "POST", body, credentials: "same-origin",
        headers: { Accept: "application/json" } });
    } catch (e) {
      sending = false;
      state.textContent = form.dataset.offline;
      later(15);
      return;
    }
    sending = false;
    let data = null;
    try { data = await resp.json(); } catch (e) { data = null; }
    if (resp.ok && data && data.number) {
      store.drop(DRAFT);
      store.set(RESULT, { number: data.number, lookup_code: data.lookup_code });
      state.textContent = "";
      showResult(data);
      return;
    }
    // A CSRF refusal comes as an HTML page (it is checked before the form is read).
    if (resp.status === 400 && (!data || /CSRF/.test(data.message || "")) && !retriedCsrf) {
      await freshCsrf();
      return send(true);
    }
    if (resp.status === 429) {
      state.textContent = (data && data.message) || form.dataset.retryLater;
      later(Number(resp.headers.get("Retry-After") || 60));
      return;
    }
    if (resp.status >= 500 || !data) {
      state.textContent = form.dataset.retryLater;
      later(20);
      return;
    }
    // The report itself needs a change: keep it, stop sending, say what.
    store.set(DRAFT, snapshot(false));
    state.textContent = (data && data.message) || "";
  }

  form.addEventListener("input", () => {
    const draft = store.get(DRAFT);
    if (!draft || !draft.pending) store.set(DRAFT, snapshot(false));
  });
  form.elements.namedItem("anonymous").addEventListener("change", identity);
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    store.set(DRAFT, snapshot(true));
    send();
  });
  window.addEventListener("online", () => send());

  // "I am at the workplace": the phone's position instead of a settlement.
  const locate = document.getElementById("use-location");
  if (locate && navigator.geolocation) {
    locate.hidden = false;
    locate.addEventListener("click", () => {
      navigator.geolocation.getCurrentPosition((pos) => {
        form.elements.namedItem("lat").value = pos.coords.latitude.toFixed(6);
        form.elements.namedItem("lon").value = pos.coords.longitude.toFixed(6);
        document.getElementById("location-state").textContent =
          `${pos.coords.latitude.toFixed(4)}, ${pos.coords.longitude.toFixed(4)}`;
      }, () => { document.getElementById("location-state").textContent = form.dataset.geoFailed; },
      { enableHighAccuracy: true, timeout: 15000 });
    });
  }

  const draft = store.get(DRAFT);
  if (draft) {
    restore(draft);
    if (draft.pending) send();
    else if (Object.values(draft).some((v) => typeof v === "string" && v && v !== draft.form_token)) {
      state.textContent = form.dataset.restored;
    }
  }
  identity();
})();
