// Layout enhancements shared by every page (docs/design.md). Everything works without this module: the menu
// stays open, filters and legends are <details> the visitor opens, tables scroll by themselves.
const root = document.documentElement;
root.classList.add("js");

const wide = window.matchMedia("(min-width: 60rem)");
const phone = window.matchMedia("(max-width: 47.99rem)");

// 1. The header's menu folds behind one button on phones.
const toggle = document.querySelector("[data-menu-toggle]");
const menu = toggle && document.getElementById(toggle.getAttribute("aria-controls"));
if (toggle && menu) {
  const setOpen = (open) => {
    toggle.setAttribute("aria-expanded", String(open));
    menu.classList.toggle("is-open", open);
  };
  toggle.addEventListener("click", () => setOpen(toggle.getAttribute("aria-expanded") !== "true"));
  menu.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && phone.matches) {
      setOpen(false);
      toggle.focus();
    }
  });
  phone.addEventListener("change", () => setOpen(false));
}

// 2. Folding panels (filters, legends): closed on phones so that the content comes first, open beside it on wide
// screens; a panel holding an error stays open wherever it is.
const folds = [...document.querySelectorAll("details[data-fold]")];
const placeFolds = () => {
  for (const fold of folds) {
    fold.open = wide.matches || fold.querySelector(".errorlist, .error, [role=alert]") !== null;
  }
};
placeFolds();
wide.addEventListener("change", placeFolds);

// 3. "Filtres (n)": how many filters of the panel's form are active (sorting and paging are not filters).
const NOT_FILTERS = new Set(["sort", "page", "measure", "csrfmiddlewaretoken"]);
const activeFilters = (form) => {
  const names = new Set();
  for (const field of form.elements) {
    if (!field.name || NOT_FILTERS.has(field.name) || field.type === "hidden" || field.hasAttribute("data-not-filter")) continue;
    if (field.type === "checkbox" || field.type === "radio") {
      if (field.checked) names.add(`${field.name}=${field.value}`);
    } else if (field.tagName === "SELECT") {
      for (const option of field.selectedOptions) if (option.value) names.add(`${field.name}=${option.value}`);
    } else if (field.type !== "submit" && field.type !== "button" && field.value.trim()) {
      names.add(field.name);
    }
  }
  return names.size;
};
for (const fold of folds) {
  const count = fold.querySelector("[data-filter-count]");
  const form = fold.querySelector("form") || fold.closest("form");
  if (!count || !form) continue;
  const update = () => {
    const n = activeFilters(form);
    count.textContent = n ? `(${n})` : "";
  };
  update();
  form.addEventListener("change", update);
  form.addEventListener("input", update);
}

// 4. Tables: each cell learns its column's header (data-label); a table wider than its place becomes a stack of
// cards (data-stacked), so that no page is wider than the screen and nothing is cut off.
const tables = [...document.querySelectorAll("table.table")];
for (const table of tables) {
  const headers = [];
  for (const th of table.querySelectorAll(":scope > thead > tr:last-child > th, :scope > thead > tr:last-child > td")) {
    for (let i = 0; i < (th.colSpan || 1); i += 1) headers.push(th.textContent.trim().replace(/\s+/g, " "));
  }
  for (const row of table.querySelectorAll(":scope > tbody > tr")) {
    let column = 0;
    for (const cell of row.children) {
      if (cell.tagName === "TD" && !cell.hasAttribute("data-label") && headers[column] !== undefined) {
        cell.setAttribute("data-label", headers[column]);
      }
      column += cell.colSpan || 1;
    }
  }
}
const fitTables = () => {
  for (const table of tables) {
    table.removeAttribute("data-stacked");
    table.setAttribute("data-fits", "");
    // compared with its place's edge, not its width: a table in a grid track is narrower than its parent
    const place = table.parentElement;
    const edge = place.getBoundingClientRect().right - parseFloat(getComputedStyle(place).paddingRight);
    if (table.getBoundingClientRect().right > Math.min(edge, document.documentElement.clientWidth) + 1) {
      table.removeAttribute("data-fits");
      table.setAttribute("data-stacked", "");
    }
  }
};
fitTables();
let pending = 0;
window.addEventListener("resize", () => {
  cancelAnimationFrame(pending);
  pending = requestAnimationFrame(fitTables);
});
