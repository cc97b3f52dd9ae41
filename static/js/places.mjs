// Address and place suggestions for every <input data-places list="…">: a native <datalist> filled from
// /api/v1/places/ (accessible with the keyboard and screen readers as any combobox the browser provides).
// Choosing a suggestion fills the latitude/longitude inputs of the same form, if it has some, and fires their
// "change" event so that a map on the page moves its marker. Without JavaScript the server geocodes the text.
const ENDPOINT = "/api/v1/places/";

function setup(input) {
  const listId = input.getAttribute("list") || `${input.id}-places`;
  input.setAttribute("list", listId);
  let list = document.getElementById(listId);
  if (!list) {
    list = document.createElement("datalist");
    list.id = listId;
    input.after(list);
  }
  const found = new Map();
  let timer = null;
  let controller = null;

  async function suggest() {
    const q = input.value.trim();
    if (q.length < 2 || found.has(q)) return;
    controller?.abort();
    controller = new AbortController();
    try {
      const response = await fetch(`${ENDPOINT}?${new URLSearchParams({ q, limit: 8 })}`, {
        signal: controller.signal,
        headers: { Accept: "application/json" },
      });
      if (!response.ok) return;
      const places = await response.json();
      list.replaceChildren(...places.map((place) => {
        found.set(place.label, place);
        const option = document.createElement("option");
        option.value = place.label;
        return option;
      }));
      choose(); // the text typed (or pasted) may already be one of the suggestions
    } catch {
      // Offline or aborted: the server will geocode the typed text on submit.
    }
  }

  function choose() {
    const place = found.get(input.value);
    const form = input.form;
    if (!place || !form) return;
    const [lon, lat] = place.geometry.coordinates;
    const latInput = form.querySelector("[name=latitude]");
    const lonInput = form.querySelector("[name=longitude]");
    if (latInput && lonInput) {
      latInput.value = lat.toFixed(6);
      lonInput.value = lon.toFixed(6);
      latInput.dispatchEvent(new Event("change"));
    }
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(suggest, 250);
    choose();
  });
  input.addEventListener("change", choose);
}

document.querySelectorAll("input[data-places]").forEach(setup);
