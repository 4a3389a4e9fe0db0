// HQ situation map: layers from /api/v1/map, region outlines as the base
// layer (the map stays readable when tiles cannot load), marker clustering,
// and live patches from events, at most one repaint per animation frame.
(function () {
  "use strict";
  const box = document.getElementById("hq-map");
  if (!box || typeof L === "undefined") return;
  const LABELS = JSON.parse(box.dataset.labels);
  const map = L.map(box, { preferCanvas: true }).setView([48.0, 67.0], 5);
  L.tileLayer(box.dataset.tiles, { maxZoom: 18, attribution: "© OpenStreetMap" }).addTo(map);
  const regions = L.geoJSON(null, { style: { color: "#0f2a44", weight: 1, fillColor: "#dbe7f3", fillOpacity: 0.35 } })
    .addTo(map);
  window.Birlik.api("GET", "/api/v1/map/regions.geojson").then((res) => { if (res.ok) regions.addData(res.body); });

  const groups = {};
  const byId = {};
  const control = L.control.layers(null, { [LABELS.regions]: regions }, { collapsed: window.innerWidth < 700 }).addTo(map);
  for (const name of Object.keys(LABELS)) {
    if (name === "regions") continue;
    groups[name] = L.markerClusterGroup({ chunkedLoading: true, disableClusteringAtZoom: 11, showCoverageOnHover: false });
    groups[name].addTo(map);
    control.addOverlay(groups[name], LABELS[name]);
    byId[name] = new Map();
  }

  const freeColour = (f) => f.status === "closed" ? "#9ca3af" : f.free_share > 0.3 ? "#15803d" : f.free_share > 0.1 ? "#d97706" : "#b91c1c";
  const STYLE = {
    facilities: (f) => ({ radius: 7, color: freeColour(f), fillColor: freeColour(f) }),
    waiting: () => ({ radius: 6, color: "#7c3aed", fillColor: "#a78bfa" }),
    warehouses: () => ({ radius: 8, color: "#1d4ed8", fillColor: "#60a5fa" }),
    supply: (f) => ({ radius: 5, color: ["", "#b91c1c", "#d97706", "#2563eb", "#6b7280"][f.tier] || "#6b7280" }),
    cases: (f) => ({ radius: 6, color: f.breached ? "#7f1d1d" : { critical: "#dc2626", high: "#f59e0b", normal: "#6b7280" }[f.severity] }),
    hqs: (f) => ({ radius: 9, color: f.silent ? "#dc2626" : "#0f2a44", fillColor: f.silent ? "#fca5a5" : "#93c5fd" }),
    teams: (f) => ({ radius: 6, color: { available: "#15803d", busy: "#2563eb", stale: "#dc2626", off_duty: "#9ca3af" }[f.status] }),
  };
  const text = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  const POPUP = {
    facilities: (f) => `<strong>${text(f.name)}</strong><br>${text(f.status)} · ${f.free} / ${f.in_service}<br>` +
      Object.entries(f.beds).map(([c, b]) => `${text(c)}: ${b.free} free, ${b.held} held, ${b.occupied} occupied`).join("<br>") +
      `<br><a href="/facilities/${f.id}">→</a>`,
    waiting: (f) => `<strong>${text(f.name)}</strong><br>${f.people} · P${f.priority}<br>${text(f.reason)}`,
    warehouses: (f) => `<strong>${text(f.name)}</strong><br>` + Object.entries(f.stock).map(([k, v]) => `${text(k)}: ${v}`).join("<br>"),
    supply: (f) => `<strong>${text(f.name)}</strong><br>tier ${f.tier} · ${f.lines} lines`,
    cases: (f) => `<strong>${text(f.name)}</strong><br>${text(f.category)} · ${text(f.severity)}${f.breached ? " · SLA breached" : ""}`,
    hqs: (f) => `<strong>${text(f.name)}</strong><br>${f.silent ? "silent" : "reporting"}`,
    teams: (f) => `<strong>${text(f.name)}</strong><br>${text(f.status)}${f.task ? `<br>${text(f.task.title)} (${text(f.task.status)})` : ""}`,
  };
  const lines = new Map();

  function draw(name, items) {
    const group = groups[name];
    const seen = new Set();
    for (const f of items) {
      seen.add(f.id);
      let marker = byId[name].get(f.id);
      if (!marker) {
        marker = L.circleMarker([f.lat, f.lon], { weight: 2, fillOpacity: 0.7, ...STYLE[name](f) });
        marker.feature = f;
        group.addLayer(marker);
        byId[name].set(f.id, marker);
      } else {
        marker.setLatLng([f.lat, f.lon]);
        marker.setStyle(STYLE[name](f));
      }
      marker.feature = f;
      marker.bindPopup(() => POPUP[name](marker.feature));
      if (name === "teams") teamLine(f);
    }
    for (const [id, marker] of byId[name]) {
      if (!seen.has(id)) { group.removeLayer(marker); byId[name].delete(id); }
    }
  }

  function teamLine(f) {
    const old = lines.get(f.id);
    if (old) old.remove();
    if (f.task) lines.set(f.id, L.polyline([[f.lat, f.lon], [f.task.lat, f.task.lon]], { color: "#2563eb", dashArray: "4 4" }).addTo(map));
  }

  let region = box.dataset.scope || "";
  async function load(names) {
    const q = new URLSearchParams({ layers: names.join(",") });
    if (region) q.set("region_id", region);
    const res = await window.Birlik.api("GET", `/api/v1/map?${q}`);
    if (!res.ok) return;
    for (const [name, items] of Object.entries(res.body.layers)) draw(name, items);
    box.dataset.loaded = "1";
  }

  // Coalesce bursts: remember which layers need a reload and do it on the next frame.
  const pending = new Set();
  let scheduled = false;
  function schedule(name) {
    pending.add(name);
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => {
      scheduled = false;
      const names = [...pending];
      pending.clear();
      setTimeout(() => load(names), 200);
    });
  }
  document.addEventListener("birlik:event", (e) => {
    const ev = e.detail;
    if (ev.type === "team.position") {
      const marker = byId.teams.get(ev.subject_id);
      if (marker) { marker.setLatLng([ev.after.lat, ev.after.lon]); return; }
      return schedule("teams");
    }
    const layer = { facility: "facilities", placement: "waiting", task: "teams", team: "teams", hq: "hqs",
                    case: "cases", supply_request: "supply" }[ev.subject_type];
    if (layer) schedule(layer);
    if (ev.subject_type === "placement") schedule("facilities");
  });

  document.getElementById("map-region")?.addEventListener("change", (ev) => {
    region = ev.target.value;
    load(Object.keys(groups));
  });

  document.getElementById("map-search").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const q = ev.target.q.value.trim().toLowerCase();
    const err = ev.target.querySelector(".form-error");
    err.textContent = "";
    if (!q) return;
    for (const name of Object.keys(groups)) {
      for (const marker of byId[name].values()) {
        const f = marker.feature;
        if (String(f.name).toLowerCase().includes(q) || `#${f.id}` === q) {
          map.flyTo(marker.getLatLng(), 13);
          setTimeout(() => marker.openPopup(), 800);
          return;
        }
      }
    }
    const res = await window.Birlik.api("GET", `/api/v1/geo/geocode?q=${encodeURIComponent(q)}`);
    if (res.ok) map.flyTo([res.body.lat, res.body.lon], 11);
    else err.textContent = window.Birlik.describe(res);
  });

  load(Object.keys(groups));
})();
