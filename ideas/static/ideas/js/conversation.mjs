// Live messages of a conversation: new messages appear without reloading (the form still works without JS).
import { connect } from "/static/js/realtime.mjs";

// The site's one date style ("5 déc. 2026 à 14:30"), in Paris time whatever the reader's clock says.
const WHEN = { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", timeZone: "Europe/Paris" };
const thread = document.getElementById("thread");
if (thread) {
  const me = thread.dataset.user;
  const seen = new Set();
  connect(thread.dataset.ws, (event) => {
    if (event.type === "message" && !seen.has(event.id)) {
      seen.add(event.id);
      const item = document.createElement("li");
      if (String(event.author_id) === me) item.className = "mine";
      const meta = document.createElement("p");
      meta.className = "meta";
      meta.textContent = `${event.author} · ${new Date(event.created_at).toLocaleString(document.documentElement.lang || "fr", WHEN)}`;
      const body = document.createElement("p");
      body.textContent = event.body;
      item.append(meta, body);
      thread.append(item);
    } else if (event.type === "status") {
      window.location.reload();
    }
  });
}
