// Live event feed: connects with the session cookie, remembers the last event
// id it saw, and on reconnect asks the server to replay what it missed.
(function () {
  "use strict";
  const feed = document.getElementById("event-feed");
  const state = document.getElementById("live-state");
  if (!feed || typeof io === "undefined") return;
  const KEY = "birlik:lastEventId";
  let lastId = Number(sessionStorage.getItem(KEY) || 0);
  const socket = io({ auth: (cb) => cb({ last_event_id: lastId }), transports: ["websocket", "polling"] });

  function show(text, cls) { state.textContent = text; state.className = "badge " + (cls || ""); }
  function add(ev) {
    if (ev.id <= lastId) return; // already shown (live and replay can overlap)
    lastId = ev.id;
    sessionStorage.setItem(KEY, String(lastId));
    const empty = feed.querySelector(".empty");
    if (empty) empty.remove();
    const li = document.createElement("li");
    li.textContent = `#${ev.id} ${ev.at.slice(11, 19)} ${ev.type} ${ev.subject_type} ${ev.subject_id ?? ""}`;
    feed.prepend(li);
    while (feed.children.length > 200) feed.lastChild.remove();
  }
  socket.on("connect", () => show(feed.dataset.live || "live", "ok"));
  socket.on("disconnect", () => show("reconnecting…", "warn"));
  socket.on("connect_error", () => show("reconnecting…", "warn"));
  socket.on("welcome", (w) => { if (!lastId) { lastId = w.last_event_id; sessionStorage.setItem(KEY, String(lastId)); } });
  socket.on("event", add);
})();
