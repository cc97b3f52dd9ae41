// Keep the public dashboard's figures current: counts only, no personal data travels on this channel.
import { connect } from "/static/js/realtime.mjs";

const holder = document.querySelector("[data-ws]");
const total = document.getElementById("total-count");
const live = document.getElementById("figures-live");
if (holder && total) {
  connect(holder.dataset.ws, (message) => {
    if (message.type !== "figures.changed") return;
    const delta = message.change === "contribution.created" ? 1 : message.change === "contribution.removed" ? -1 : 0;
    if (!delta) return;
    total.textContent = String(Number(total.textContent) + delta);
    if (message.district) {
      const cell = document.querySelector(`td[data-district="${message.district}"]`);
      if (cell) cell.textContent = String(Number(cell.textContent) + delta);
    }
    if (live) live.textContent = document.documentElement.lang.startsWith("en") ? "(updated live)" : "(mis à jour en direct)";
  });
}
