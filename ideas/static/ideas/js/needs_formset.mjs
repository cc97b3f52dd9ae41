// Progressive enhancement of the needs formset: "Add a need" clones the empty form (works without JS too).
const fieldset = document.getElementById("needs");
const button = document.getElementById("add-need");
const template = document.getElementById("need-template");
if (fieldset && button && template) {
  const prefix = fieldset.dataset.prefix;
  const total = document.getElementById(`id_${prefix}-TOTAL_FORMS`);
  const max = Number(document.getElementById(`id_${prefix}-MAX_NUM_FORMS`)?.value || 12);
  button.hidden = false;
  button.addEventListener("click", () => {
    const index = Number(total.value);
    if (index >= max) return;
    const html = template.innerHTML.replaceAll("__prefix__", String(index));
    document.getElementById("need-forms").insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    const added = document.getElementById("need-forms").lastElementChild;
    added.querySelector("select, input:not([type=hidden])")?.focus();
    if (index + 1 >= max) button.hidden = true;
  });
}
