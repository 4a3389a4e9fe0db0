// Supplies pages: the supply request form (lines added and removed, sent as
// JSON), the receive form's lot and expiry fields, late entries' times in
// UTC, the "done" note of forms, and the board's stock chart. Listeners are
// delegated to the document, so regions that live.js patches keep working.
(function () {
  "use strict";
  const Birlik = window.Birlik;
  if (!Birlik) return;

  const markDirty = (form) => form.dispatchEvent(new Event("input", { bubbles: true }));

  // ---- the request form ----
  function clearLine(line) {
    line.querySelectorAll("input, select").forEach((el) => { el.value = ""; });
    line.querySelectorAll("details").forEach((d) => { d.open = false; });
  }

  document.addEventListener("click", (ev) => {
    const add = ev.target.closest("[data-add-line]");
    const remove = ev.target.closest("[data-remove-line]");
    const form = (add || remove)?.closest("form[data-supply-request]");
    if (!form) return;
    const lines = form.querySelectorAll("[data-line]");
    if (add) {
      const line = lines[0].cloneNode(true);
      clearLine(line);
      lines[lines.length - 1].after(line);
      line.querySelector("select")?.focus();
    } else if (lines.length > 1) {
      remove.closest("[data-line]").remove();
    } else {
      clearLine(lines[0]);
    }
    markDirty(form);
  });

  const number = (el) => (el && el.value.trim() !== "" ? Number(el.value) : undefined);

  function requestBody(form) {
    const body = { lines: [] };
    const org = number(form.elements.organization_id);
    if (org !== undefined) body.organization_id = org;
    if (form.elements.needed_by?.value) body.needed_by = form.elements.needed_by.value;
    if (form.elements.note?.value.trim()) body.note = form.elements.note.value.trim();
    for (const line of form.querySelectorAll("[data-line]")) {
      const field = (name) => line.querySelector(`[name="${name}"]`);
      const out = { item_id: number(field("item_id")), quantity: number(field("quantity")) };
      const onHand = number(field("on_hand"));
      const dailyUse = number(field("daily_use"));
      if (onHand !== undefined) out.on_hand = onHand;
      if (dailyUse !== undefined) out.daily_use = dailyUse;
      body.lines.push(out);
    }
    return body;
  }

  document.addEventListener("submit", async (ev) => {
    const form = ev.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.supplyRequest) return;
    ev.preventDefault();
    const [method, url] = form.dataset.supplyRequest.split(" ");
    const err = form.querySelector(".form-error");
    const button = form.querySelector("[type=submit]");
    if (err) err.textContent = "";
    if (button) button.disabled = true;
    const res = await Birlik.api(method, url, requestBody(form));
    if (button) button.disabled = false;
    if (!res.ok) { if (err) err.textContent = Birlik.describe(res); return; }
    const [first, ...others] = form.querySelectorAll("[data-line]");
    others.forEach((line) => line.remove());
    form.reset();
    clearLine(first);
    form.dispatchEvent(new CustomEvent("birlik:done", { detail: res.body, bubbles: true }));
    Birlik.refreshMain();
  });

  // ---- what a form says when it worked ----
  document.addEventListener("submit", (ev) => {
    ev.target.querySelectorAll?.(".form-ok").forEach((el) => { el.textContent = ""; });
  }, true);
  document.addEventListener("birlik:done", (ev) => {
    const ok = ev.target.querySelector?.(".form-ok[data-done-text]");
    if (ok) ok.textContent = ok.dataset.doneText;
  });

  // ---- receiving: lot code and expiry only for items that have them ----
  function showExpiry(form) {
    const option = form.querySelector("[data-expiry-item]")?.selectedOptions[0];
    const needed = option?.dataset.tracksExpiry === "yes";
    const box = form.querySelector("[data-expiry]");
    if (!box) return;
    box.hidden = !needed;
    box.querySelectorAll("input").forEach((el) => { el.disabled = !needed; el.required = needed; });
  }
  const expiryForms = () => document.querySelectorAll("form[data-expiry-form]").forEach(showExpiry);
  document.addEventListener("change", (ev) => {
    if (ev.target.matches?.("[data-expiry-item]")) showExpiry(ev.target.form);
    // A late entry's time, picked in the operation's local time, goes as UTC.
    if (ev.target.matches?.("input[data-utc]")) {
      const target = ev.target.form?.elements[ev.target.dataset.utc];
      const at = window.Birlik.fromLocalInput(ev.target.value);
      if (target) target.value = at && !Number.isNaN(at.getTime()) ? at.toISOString() : "";
    }
  });
  document.addEventListener("reset", (ev) => {
    setTimeout(() => { if (ev.target.matches?.("form[data-expiry-form]")) showExpiry(ev.target); });
  });
  expiryForms();

  // ---- the board's stock chart ----
  const PALETTE = ["#0b5cad", "#b45309", "#15803d", "#7c3aed", "#dc2626", "#0891b2", "#4b5563", "#be185d"];
  let drawn = null;
  function drawStock() {
    const canvas = document.getElementById("stock-chart");
    const json = document.getElementById("stock-history")?.textContent;
    if (!canvas || !json || typeof Chart === "undefined") return;
    const chart = Chart.getChart(canvas);
    if (chart && json === drawn) return;
    drawn = json;
    const data = JSON.parse(json);
    const labels = data.days.map((d) => d.slice(5));
    const datasets = Object.entries(data.series).map(([name, values], i) => ({
      label: name, data: values, borderColor: PALETTE[i % PALETTE.length],
      backgroundColor: PALETTE[i % PALETTE.length], fill: false, pointRadius: 1,
    }));
    if (!chart) {
      new Chart(canvas, {
        type: "line", data: { labels, datasets },
        options: { animation: false, maintainAspectRatio: false, scales: { y: { beginAtZero: true } } },
      });
      return;
    }
    // New values in place: a series hidden from the legend stays hidden.
    const hidden = new Set(chart.data.datasets.filter((d, i) => !chart.isDatasetVisible(i)).map((d) => d.label));
    chart.data.labels = labels;
    chart.data.datasets = datasets.map((d) => ({ ...d, hidden: hidden.has(d.label) }));
    chart.update();
  }
  drawStock();

  document.addEventListener("birlik:refreshed", () => { expiryForms(); drawStock(); });
})();
