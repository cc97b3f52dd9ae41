// Small WebSocket helper: reconnects with back-off and hands every JSON message to `onMessage`.

// The paths of the open sockets, on <html data-live="…">: what the browser tests wait for (not a fixed delay).
function markOpen(path, open) {
  const paths = new Set((document.documentElement.dataset.live || "").split(" ").filter(Boolean));
  if (open) paths.add(path); else paths.delete(path);
  document.documentElement.dataset.live = [...paths].join(" ");
}

export function connect(path, onMessage, { onOpen } = {}) {
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  let delay = 1000;
  let socket;
  const open = () => {
    socket = new WebSocket(`${scheme}://${window.location.host}${path}`);
    socket.addEventListener("open", () => { delay = 1000; markOpen(path, true); if (onOpen) onOpen(socket); });
    socket.addEventListener("message", (event) => {
      try { onMessage(JSON.parse(event.data)); } catch (e) { console.warn("Bad live message", e); }
    });
    socket.addEventListener("close", (event) => {
      markOpen(path, false);
      if (event.code === 4403) return; // not allowed: do not insist
      setTimeout(open, delay);
      delay = Math.min(delay * 2, 30000);
    });
  };
  open();
  return { get socket() { return socket; } };
}
