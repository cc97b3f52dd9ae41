// Live notifications of the logged-in account: bump the counter and announce politely.
import { connect } from "./realtime.mjs";

if (document.body.dataset.user) {
  const region = document.getElementById("live-notifications");
  const counter = document.getElementById("notifications-count");
  connect("/ws/notifications/", (message) => {
    if (message.type !== "notification") return;
    if (counter) {
      const n = Number(counter.dataset.count || 0) + 1;
      counter.dataset.count = String(n);
      counter.textContent = String(n);
    }
    if (region) {
      const toast = document.createElement("p");
      toast.className = "toast";
      const strong = document.createElement("strong");
      strong.textContent = message.title;
      toast.append(strong);
      if (message.url) {
        const link = document.createElement("a");
        link.href = message.url;
        link.textContent = " →";
        link.setAttribute("aria-label", message.title);
        toast.append(link);
      }
      region.append(toast);
    }
  });
}
