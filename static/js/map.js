// HQ situation map: layers from /api/v1/map, region outlines as the base
// layer (the map stays readable when tiles cannot load), marker clustering,
// filters by region, layer and status, and live patches from events with at
// most one reload per layer in flight and one repaint per animation frame.
(function () {
  "use strict";
  const box = document.getElementById("hq-map");
  if (!box || typeof L === "undefined") return;
  const LABELS = JSON.parse(box.dataset.labels);
  const STATUS_LABELS = JSON.parse(box.dataset.statuses || "{}");
  const WORDS = JSON.parse(box.dataset.words || "{}");
  const word = (w) => text(WORDS[w] || w);
  // Codes (a case's category, a task's status) as message ids, rendered in the reader's language.
  const CODES = JSON.parse(box.dataset.codes || "{}");
  const code = (kind, c) => text(window.Birlik.t((CODES[kind] || {})[c] || c));
  const errorBox = document.getElementById("map-error");
  const map = L.map(box, { preferCanvas: true }).setView([48.0, 67.0], 5);
  // OpenStreetMap's servers refuse tiles without a Referer; the page's own
  // Referrer-Policy (same-origin) would send none.
  L.tileLayer(box.dataset.tiles,
    { maxZoom: 18, attribution: "© OpenStreetMap", referrerPolicy: "strict-origin-when-cross-origin" }).addTo(map);
  const regions = L.geoJSON(null, { style: { color: "#0f2a44", weight: 1, fillColor: "#dbe7f3", fillOpacity: 0.35 } })
    .addTo(map);
  window.Birlik.api("GET", "/api/v1/map/regions.geojson").then((res) => {
    if (!res.ok) return;
    regions.addData(res.body);
    if (!filters.region) map.fitBounds(regions.getBounds()); // the whole country, on any screen
  });

  // Filters start from the page address, so a filtered map can be shared as a link.
  const params = new URLSearchParams(location.search);
  const filters = {
    region: box.dataset.scope || params.get("region_id") || "",
    status: params.get("status") || "",
  };
  const wanted = (params.get("layers") || "").split(",").filter(Boolean);

  const groups = {};
  const byId = {};
  const control = L.control.layers(null, { [LABELS.regions]: regions }, { collapsed: window.innerWidth < 700 }).addTo(map);
  for (const name of Object.keys(LABELS)) {
    if (name === "regions") continue;
    groups[name] = L.markerClusterGroup({ chunkedLoading: true, disableClusteringAtZoom: 11, showCoverageOnHover: false });
    if (!wanted.length || wanted.includes(name)) groups[name].addTo(map);
    control.addOverlay(groups[name], LABELS[name]);
    byId[name] = new Map();
  }
  const layerNames = wanted.length ? wanted : Object.keys(groups);

  const freeColour = (f) => f.status === "closed" ? "#9ca3af" : f.free_share > 0.3 ? "#15803d" : f.free_share > 0.1 ? "#d97706" : "#b91c1c";
  const COVER = { critical: "#b91c1c", low: "#d97706", ok: "#15803d", no_issue: "#6b7280" };
  const STYLE = {
    facilities: (f) => ({ radius: 7, color: freeColour(f), fillColor: freeColour(f) }),
    waiting: () => ({ radius: 6, color: "#7c3aed", fillColor: "#a78bfa" }),
    warehouses: (f) => ({ radius: 9, color: "#1e3a8a", fillColor: COVER[f.status] }),
    supply: (f) => ({ radius: 5, color: ["", "#b91c1c", "#d97706", "#2563eb", "#6b7280"][f.tier] || "#6b7280" }),
    // Fill by severity, ring by SLA state: a breached case stands out whatever its severity.
    cases: (f) => ({ radius: 6, fillColor: { critical: "#dc2626", high: "#f59e0b", normal: "#6b7280" }[f.severity],
                     color: { breached: "#450a0a", due_soon: "#ea580c" }[f.sla] || "#374151", weight: f.sla === "breached" ? 4 : 2 }),
    hqs: (f) => ({ radius: 9, color: f.silent ? "#dc2626" : "#0f2a44", fillColor: f.silent ? "#fca5a5" : "#93c5fd" }),
    teams: (f) => ({ radius: 6, color: { available: "#15803d", busy: "#2563eb", stale: "#dc2626", off_duty: "#9ca3af" }[f.status] }),
  };
  const text = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  const status = (s) => text(STATUS_LABELS[s] || s);
  const POPUP = {
    facilities: (f) => `<strong>${text(f.name)}</strong><br>${status(f.status)} · ${f.free} / ${f.in_service}<br>` +
      Object.entries(f.beds).map(([c, b]) => `${word(c)}: ${b.free} ${word("free")}, ${b.held} ${word("held")}, ${b.occupied} ${word("occupied")}`).join("<br>") +
      `<br><a href="/facilities/${f.id}">→</a>`,
    waiting: (f) => `<strong>${text(f.name)}</strong><br>${f.people} · P${f.priority}<br>${text(f.reason)}`,
    warehouses: (f) => `<strong>${text(f.name)}</strong> · ${status(f.status)}<br>` + Object.entries(f.stock)
      .map(([k, v]) => `${text(k)}: ${v.on_hand} (${v.days_of_cover ?? "—"} d)`).join("<br>"),
    supply: (f) => `<strong>${text(f.name)}</strong><br>${status(f.status)} · ${f.lines} ${word("lines")}`,
    cases: (f) => `<strong>${text(f.name)}</strong><br>${code("category", f.category)} · ${code("severity", f.severity)} · ${status(f.status)}` +
      `<br>SLA: ${word(f.sla)}${f.sla_due_at ? ` (${text(window.Birlik.time(f.sla_due_at))})` : ""}`,
    hqs: (f) => `<strong>${text(f.name)}</strong><br>${status(f.status)}`,
    teams: (f) => `<strong>${text(f.name)}</strong><br>${status(f.status)}${f.task ? `<br>${text(f.task.title)} (${code("task", f.task.status)})` : ""}`,
  };
  // What a popup adds: a case drawn at its region's centre says so; a busy
  // team whose phone is silent says that too.
  const casePopup = POPUP.cases;
  POPUP.cases = (f) => casePopup(f) + (f.approximate ? `<br>${word("approximate")}` : "");
  const teamPopup = POPUP.teams;
  POPUP.teams = (f) => teamPopup(f) + (f.stale && f.status !== "stale" ? `<br>${status("stale")}` : "");
  const lines = new Map();

  function draw(name, items) {
    const group = groups[name];
    const seen = new Set();
    const added = [];
    for (const f of items) {
      seen.add(f.id);
      let marker = byId[name].get(f.id);
      const style = STYLE[name](f);
      if (!marker) {
        marker = L.circleMarker([f.lat, f.lon], { weight: 2, fillOpacity: 0.7, ...style });
        marker.bindPopup(() => POPUP[name](marker.feature));
        byId[name].set(f.id, marker);
        added.push(marker);
      } else {
        const ll = marker.getLatLng();
        if (ll.lat !== f.lat || ll.lng !== f.lon) marker.setLatLng([f.lat, f.lon]);
        const key = JSON.stringify(style);
        if (marker.styleKey !== key) marker.setStyle(style);
      }
      marker.styleKey = JSON.stringify(style);
      marker.feature = f;
      if (name === "teams") teamLine(f);
    }
    if (added.length) group.addLayers(added);
    const gone = [];
    for (const [id, marker] of byId[name]) {
      if (!seen.has(id)) { gone.push(marker); byId[name].delete(id); }
    }
    if (gone.length) group.removeLayers(gone);
  }

  function teamLine(f) {
    const old = lines.get(f.id);
    if (old) old.remove();
    lines.delete(f.id);
    if (f.task) lines.set(f.id, L.polyline([[f.lat, f.lon], [f.task.lat, f.task.lon]], { color: "#2563eb", dashArray: "4 4" }).addTo(map));
  }

  function showError(message) {
    errorBox.textContent = message || "";
    errorBox.hidden = !message;
  }

  // Zoom to the region's markers after the first load and after a region change.
  let fit = true;
  async function load(names) {
    const q = new URLSearchParams({ layers: names.join(",") });
    if (filters.region) q.set("region_id", filters.region);
    if (filters.status) q.set("status", filters.status);
    const res = await window.Birlik.api("GET", `/api/v1/map?${q}`);
    if (!res.ok) { showError(window.Birlik.describe(res)); box.dataset.loaded = "error"; return; }
    showError("");
    for (const [name, items] of Object.entries(res.body.layers)) draw(name, items);
    if (fit) {
      fit = false;
      const points = Object.values(res.body.layers).flat().filter((f) => f.lat != null).map((f) => [f.lat, f.lon]);
      if (filters.region && points.length) map.fitBounds(points, { padding: [20, 20], maxZoom: 11 });
    }
    box.dataset.loaded = "1";
    document.dispatchEvent(new CustomEvent("birlik:map-drawn", { detail: { layers: names } }));
  }

  // Coalesce bursts: layers that need a reload are gathered and fetched on the
  // next frame; while a fetch is in flight, further changes wait for it.
  const pending = new Set();
  let inFlight = null;
  let scheduled = false;
  function schedule(name) {
    if (!layerNames.includes(name)) return;
    pending.add(name);
    if (scheduled || inFlight) return;
    scheduled = true;
    requestAnimationFrame(flush);
  }
  function flush() {
    scheduled = false;
    if (!pending.size) return;
    const names = [...pending];
    pending.clear();
    inFlight = load(names).finally(() => {
      inFlight = null;
      if (pending.size) setTimeout(() => { if (!scheduled) { scheduled = true; requestAnimationFrame(flush); } }, 250);
    });
  }

  // Team positions move the marker in place; other changes reload their layer.
  const positions = new Map();
  let positionFrame = false;
  function movePositions() {
    positionFrame = false;
    for (const [id, after] of positions) {
      const marker = byId.teams.get(id);
      if (marker) {
        if (marker.feature.status === "stale") schedule("teams"); // back in touch: recolour
        marker.setLatLng([after.lat, after.lon]);
        const line = lines.get(id);
        if (line) line.setLatLngs([[after.lat, after.lon], line.getLatLngs()[1]]);
      } else schedule("teams");
    }
    positions.clear();
  }
  const LAYER_OF = { facility: "facilities", placement: "waiting", task: "teams", team: "teams", hq: "hqs",
                     case: "cases", supply_request: "supply", warehouse: "warehouses" };
  document.addEventListener("birlik:event", (e) => {
    const ev = e.detail;
    if (ev.type === "team.position") {
      positions.set(ev.subject_id, ev.after);
      if (!positionFrame) { positionFrame = true; requestAnimationFrame(movePositions); }
      return;
    }
    // An alert is raised or cleared when time alone changes a state (a team goes
    // stale, an SLA falls due): redraw the layer of the thing it is about.
    const about = ev.subject_type === "alert" ? ev.after?.subject_type : ev.subject_type;
    const layer = LAYER_OF[about];
    if (layer) schedule(layer);
    if (ev.subject_type === "placement") schedule("facilities");
  });

  function reloadAll() {
    const q = new URLSearchParams();
    if (!box.dataset.scope && filters.region) q.set("region_id", filters.region);
    if (filters.status) q.set("status", filters.status);
    if (wanted.length) q.set("layers", wanted.join(","));
    history.replaceState(null, "", q.toString() ? `?${q}` : location.pathname);
    document.dispatchEvent(new CustomEvent("birlik:filters", { detail: { ...filters } }));
    load(layerNames);
  }
  const regionSelect = document.getElementById("map-region");
  if (regionSelect) {
    regionSelect.value = filters.region;
    regionSelect.addEventListener("change", (ev) => {
      filters.region = ev.target.value;
      fit = true;
      if (!filters.region) map.fitBounds(regions.getBounds());
      reloadAll();
    });
  }
  const statusSelect = document.getElementById("map-status");
  if (statusSelect) {
    statusSelect.value = filters.status;
    statusSelect.addEventListener("change", (ev) => { filters.status = ev.target.value; reloadAll(); });
  }

  function find(q) {
    for (const name of Object.keys(groups)) {
      for (const marker of byId[name].values()) {
        const f = marker.feature;
        if (String(f.name).toLowerCase().includes(q) || `#${f.id}` === q) return { name, marker };
      }
    }
    return null;
  }
  // Only the newest reveal may open a popup; an older one that never saw its
  // marker shown gives up after a few seconds.
  let stopReveal = () => {};
  function reveal(name, marker) {
    stopReveal();
    const group = groups[name];
    let opened = false;
    const open = () => { if (!opened) { opened = true; stopReveal(); marker.openPopup(); } };
    if (map.hasLayer(marker) && map.getBounds().contains(marker.getLatLng())) return open();
    // markercluster waits for a moveend outside its zoom animation and can miss
    // it when the two race on a busy machine; open as soon as the marker is shown.
    const check = () => { if (map.hasLayer(marker)) open(); };
    const timer = setTimeout(() => stopReveal(), 5000);
    stopReveal = () => { map.off("moveend zoomend", check); group.off("animationend", check); clearTimeout(timer); };
    map.on("moveend zoomend", check);
    group.on("animationend", check);
    group.zoomToShowLayer(marker, open);
  }

  document.getElementById("map-search").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const q = ev.target.q.value.trim().toLowerCase();
    const err = ev.target.querySelector(".form-error");
    err.textContent = "";
    if (!q) return;
    const hit = find(q);
    if (hit) return reveal(hit.name, hit.marker);
    const res = await window.Birlik.api("GET", `/api/v1/geo/geocode?q=${encodeURIComponent(q)}`);
    if (res.ok) map.flyTo([res.body.lat, res.body.lon], 11);
    else err.textContent = window.Birlik.describe(res);
  });

  // The panels fly the map to a queue row's place.
  window.BirlikMap = {
    map,
    filters,
    flyTo(lat, lon) { if (lat != null && lon != null) map.flyTo([lat, lon], 12); },
    markerCount: () => Object.values(byId).reduce((n, m) => n + m.size, 0),
    reveal(layer, id) { const m = byId[layer]?.get(id); if (m) reveal(layer, m); },
    marker(layer, id) {
      const m = byId[layer]?.get(id);
      return m ? { ...m.feature, colour: m.options.color } : null;
    },
  };
  // After a reconnect the replayed events patch the map; reload when the replay was cut short.
  document.addEventListener("birlik:live", (e) => { if (e.detail.truncated) reloadAll(); });

  load(layerNames);
})();
