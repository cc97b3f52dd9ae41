// Organisation dashboard: select all, and new applications arriving live.
import { connect } from "/static/js/realtime.mjs";

const selectAll = document.getElementById("select-all");
if (selectAll) {
  selectAll.addEventListener("change", () => {
    for (const box of document.querySelectorAll('#applications-table input[name="ids"]')) box.checked = selectAll.checked;
  });
}

const live = document.getElementById("live-applications");
// Statuses arrive as internal values: the page shows the French labels the server passed (json_script).
const labelsNode = document.getElementById("application-statuses");
const labels = labelsNode ? Object.fromEntries(JSON.parse(labelsNode.textContent)) : {};
const label = (status) => labels[status] ?? "";
if (live) {
  const organization = live.dataset.organization;
  connect(`/ws/volunteering/organizations/${organization}/`, (message) => {
    if (message.type === "application.created") {
      const line = document.createElement("p");
      line.className = "message message-success";
      const link = document.createElement("a");
      link.href = `?mission=${message.mission ?? "spontaneous"}`;
      link.textContent = `${live.dataset.newLabel} ${message.volunteer} — ${message.mission_title}`;
      line.append(link);
      live.prepend(line);
      const tbody = document.querySelector("#applications-table tbody");
      if (tbody) {
        const row = document.createElement("tr");
        row.dataset.application = message.id;
        row.className = "new-application";
        const cells = ["", message.volunteer, message.mission_title, label(message.status), "", "", ""];
        for (const text of cells) {
          const cell = document.createElement("td");
          cell.textContent = text;
          row.append(cell);
        }
        const box = document.createElement("input");
        box.type = "checkbox";
        box.name = "ids";
        box.value = message.id;
        box.setAttribute("aria-label", message.volunteer);
        row.firstChild.append(box);
        tbody.querySelector("tr.empty")?.remove();
        tbody.prepend(row);
      }
    } else if (message.type === "application.status") {
      const cell = document.querySelector(`tr[data-application="${message.id}"] .status`);
      if (cell) cell.textContent = label(message.status);
    }
  });
}
