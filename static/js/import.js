// CSV import: after the upload is accepted, follow the import's progress and
// show the row-by-row report when it fails.
(function () {
  "use strict";
  document.addEventListener("birlik:done", (e) => {
    const form = e.target.closest("form.import");
    if (!form) return;
    const box = form.querySelector(".import-progress");
    const bar = box.querySelector("progress");
    const text = box.querySelector(".import-text");
    const table = box.querySelector(".import-errors");
    const body = table.querySelector("tbody");
    box.hidden = false;
    table.hidden = true;
    body.replaceChildren();
    const poll = async () => {
      const res = await window.Birlik.api("GET", `/api/v1/imports/${e.detail.id}`);
      if (!res.ok) { text.textContent = window.Birlik.describe(res); return; }
      const job = res.body;
      bar.max = job.total_rows || 1;
      bar.value = job.processed_rows;
      text.textContent = `${job.processed_rows} / ${job.total_rows} — ${job.status}`;
      if (job.status === "failed") {
        for (const err of job.errors) {
          const tr = document.createElement("tr");
          for (const v of [err.row, err.field || "", err.message]) {
            const td = document.createElement("td");
            td.textContent = v;
            tr.append(td);
          }
          body.append(tr);
        }
        table.hidden = false;
      } else if (job.status === "done") {
        window.Birlik.refreshMain();
      } else {
        setTimeout(poll, 400);
      }
    };
    poll();
  });
})();
