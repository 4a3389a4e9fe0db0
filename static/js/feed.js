// HQ overview: the live event feed and KPI numbers patched in place.
(function () {
  "use strict";
  const feed = document.getElementById("event-feed");
  let pending = false;
  async function kpis() {
    pending = false;
    const res = await window.Birlik.api("GET", "/api/v1/facilities/summary");
    if (!res.ok) return;
    for (const [key, value] of Object.entries(res.body)) {
      const el = document.querySelector(`[data-kpi="${key}"]`);
      if (el) el.textContent = value;
    }
  }
  document.addEventListener("birlik:event", (e) => {
    const ev = e.detail;
    if (feed) {
      feed.querySelector(".empty")?.remove();
      const li = document.createElement("li");
      li.textContent = `#${ev.id} ${window.Birlik.time(ev.at, "time")} ${ev.type} ${ev.subject_type} ${ev.subject_id ?? ""}`;
      feed.prepend(li);
      while (feed.children.length > 200) feed.lastChild.remove();
    }
    // The HQ map page keeps its own, wider KPI strip (panels.js).
    if (/^(placement|facility)\./.test(ev.type) && !pending && !document.getElementById("hq-map")) {
      pending = true;
      requestAnimationFrame(kpis);
    }
  });
})();
