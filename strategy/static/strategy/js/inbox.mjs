// Live arrival of contributions in the team inbox: announce them, offer to reload (no layout jump).
import { connect } from "/static/js/realtime.mjs";

const banner = document.getElementById("inbox-live");
if (banner) {
  let fresh = 0;
  const lang = document.documentElement.lang || "fr";
  const text = (n) =>
    lang.startsWith("en")
      ? `${n} new contribution${n > 1 ? "s" : ""} arrived. `
      : `${n} nouvelle${n > 1 ? "s" : ""} contribution${n > 1 ? "s" : ""} arrivée${n > 1 ? "s" : ""}. `;
  connect(banner.dataset.ws, (message) => {
    if (message.type !== "contribution.created") return;
    fresh += 1;
    banner.textContent = text(fresh);
    const link = document.createElement("a");
    link.href = window.location.href;
    link.textContent = lang.startsWith("en") ? "Show them" : "Les afficher";
    banner.append(link);
  });
}
