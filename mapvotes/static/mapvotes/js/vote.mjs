// Enhances the vote forms (list and proposal pages): votes through the API without reloading,
// and counts change live from ws/map/. Without JS the forms POST and the page reloads.
import { connect } from "/static/js/realtime.mjs";

const csrf = () => (document.cookie.match(/(?:^|; )csrftoken=([^;]+)/) || [])[1] || "";

function render(widget, data) {
  widget.querySelector("[data-votes-for]").textContent = data.votes_for;
  widget.querySelector("[data-votes-against]").textContent = data.votes_against;
  if ("my_vote" in data) {
    widget.querySelectorAll("button[name=value]").forEach((button) => {
      if (button.value === "withdraw") button.hidden = !data.my_vote;
      else button.setAttribute("aria-pressed", String(button.value === data.my_vote));
    });
  }
}

const widgets = new Map();
document.querySelectorAll("[data-vote-widget]").forEach((widget) => {
  widgets.set(Number(widget.dataset.proposal), widget);
  const form = widget.querySelector("form");
  if (!form) return;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const value = event.submitter ? event.submitter.value : "for";
    const status = widget.querySelector("[data-vote-status]");
    const response = await fetch(widget.dataset.api, {
      method: value === "withdraw" ? "DELETE" : "PUT",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf(), Accept: "application/json" },
      credentials: "same-origin",
      body: value === "withdraw" ? null : JSON.stringify({ value }),
    });
    const data = await response.json().catch(() => ({}));
    if (response.ok) {
      render(widget, data);
      if (status) status.textContent = document.documentElement.lang === "en" ? "Vote recorded." : "Vote enregistré.";
    } else if (status) {
      status.textContent = data.detail || "Erreur";
      status.classList.remove("visually-hidden");
    }
    if (event.submitter) event.submitter.focus();
  });
});

if (widgets.size) {
  const refresh = () => {
    // After a (re)connection, fetch the true counts: messages sent while we were away are lost.
    widgets.forEach((widget, id) => {
      fetch(`/api/v1/map/proposals/${id}/`, { credentials: "same-origin" })
        .then((r) => (r.ok ? r.json() : null))
        .then((f) => f && render(widget, { votes_for: f.properties.votes_for, votes_against: f.properties.votes_against }));
    });
  };
  connect("/ws/map/", (message) => {
    if (message.type !== "proposal.votes") return;
    const widget = widgets.get(message.id);
    if (widget) render(widget, message);
  }, { onOpen: (() => { let first = true; return () => { if (!first) refresh(); first = false; }; })() });
}
