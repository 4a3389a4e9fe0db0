// HQ overview and HQ screen: the live event feed, each event as a sentence in
// the reader's language (message ids from coordinator/hq_screen/feed.py,
// rendered with Birlik.t from the data the event carries), and KPI numbers
// patched in place.
(function () {
  "use strict";
  const feed = document.getElementById("event-feed");
  const texts = feed ? JSON.parse(feed.dataset.texts || "{}") : {};
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

  function sentence(ev) {
    const a = ev.after || {};
    const key = ev.type === "team.shift" ? `team.shift:${a.on_duty ? "on" : "off"}` : ev.type;
    const subject = (texts.subjects || {})[ev.subject_type];
    const msgid = (texts.types || {})[key] || (subject ? texts.fallback : texts.unknown);
    return window.Birlik.t(msgid, {
      id: ev.subject_id ?? "",
      team: a.team_name || "",
      title: a.title_message || a.title || "",
      reason: a.reason || a.wait_reason || "",
      count: a.head_count ?? "",
      status: a.status ?? "",
      name: a.name || `#${ev.subject_id ?? ""}`,
      message: a.content || a.message || "",
      subject: subject ? { msgid: subject } : ev.subject_type,
    });
  }

  document.addEventListener("birlik:event", (e) => {
    const ev = e.detail;
    if (feed) {
      feed.querySelector(".empty")?.remove();
      const li = document.createElement("li");
      li.dataset.eventType = ev.type;
      const time = document.createElement("time");
      time.dateTime = ev.at;
      time.textContent = window.Birlik.time(ev.at, "time");
      li.append(time, " ", sentence(ev));
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
