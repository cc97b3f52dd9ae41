// Place fields (core.forms.PlaceField): an address or a place of Paris, with suggestions, "autour de moi" and an
// optional picker map. The text input becomes an ARIA 1.2 combobox (list autocomplete): arrows move through the
// suggestions (aria-activedescendant), Enter chooses, Escape closes. Choosing fills the hidden coordinates and
// fires a bubbling "place:chosen" event {lon, lat, label} that a page's map may follow. Without JavaScript the form
// sends the text and the server geocodes it; the hidden "…_for" input tells the server which text the coordinates
// belong to, so a text edited afterwards is geocoded afresh.
const SEARCH = "/api/v1/places/";
const REVERSE = "/api/v1/places/reverse/";
const DISTRICTS = "/api/v1/districts/?simplified=1";
const en = document.documentElement.lang === "en";
const t = (fr, english) => (en ? english : fr);
let counter = 0;

const plain = (text) => text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[^a-z0-9]+/g, " ").trim();

function loadOnce(tag, attrs) {
  const key = attrs.src || attrs.href;
  const existing = document.querySelector(`${tag}[${attrs.src ? "src" : "href"}="${key}"]`);
  if (existing) return existing.dataset.loaded ? Promise.resolve() : new Promise((ok) => existing.addEventListener("load", ok));
  const node = Object.assign(document.createElement(tag), attrs);
  const done = new Promise((ok, fail) => {
    node.addEventListener("load", () => { node.dataset.loaded = "1"; ok(); });
    node.addEventListener("error", fail);
  });
  document.head.append(node);
  return done;
}

const parts = (wrapper) => ({
  input: wrapper.querySelector("input:not([type=hidden])"),
  lon: wrapper.querySelector("[data-place-lon]"),
  lat: wrapper.querySelector("[data-place-lat]"),
  found: wrapper.querySelector("[data-place-for]"),
});

// Fill a place field from outside (a click on the page's map): the text shown and the point it stands for.
export function setPlace(wrapper, { lon, lat, label }) {
  const { input, lon: lonInput, lat: latInput, found } = parts(wrapper);
  input.value = label;
  found.value = label;
  lonInput.value = Number(lon).toFixed(6);
  latInput.value = Number(lat).toFixed(6);
  input.removeAttribute("aria-invalid");
  wrapper.dispatchEvent(new CustomEvent("place:chosen", { bubbles: true, detail: { lon: Number(lon), lat: Number(lat), label } }));
}

// The words for a point (the address, or "near" a known place); a neutral label when offline.
export async function describe(lon, lat) {
  try {
    const response = await fetch(`${REVERSE}?${new URLSearchParams({ lon: lon.toFixed(6), lat: lat.toFixed(6) })}`, { headers: { Accept: "application/json" } });
    if (response.ok) return { ...(await response.json()), inParis: true };
    if (response.status === 404) return { label: null, inParis: false };
  } catch {
    // offline: the server checks the point on submit
  }
  return { label: t("Point choisi sur la carte", "Point chosen on the map"), inParis: true };
}

export function enhance(wrapper) {
  if (wrapper.dataset.enhanced) return;
  wrapper.dataset.enhanced = "1";
  if (wrapper.dataset.css) loadOnce("link", { rel: "stylesheet", href: wrapper.dataset.css }).catch(() => {});
  const { input, lon: lonInput, lat: latInput, found } = parts(wrapper);
  const id = input.id || `place-${++counter}`;
  input.id = id;

  const listbox = document.createElement("ul");
  listbox.id = `${id}-suggestions`;
  listbox.className = "place-suggestions";
  listbox.setAttribute("role", "listbox");
  listbox.setAttribute("aria-label", t("Suggestions de lieux", "Place suggestions"));
  listbox.hidden = true;
  const status = document.createElement("p");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  const tools = document.createElement("div");
  tools.className = "place-tools";
  input.after(listbox, status);
  wrapper.append(tools);

  Object.entries({
    role: "combobox", "aria-autocomplete": "list", "aria-expanded": "false", "aria-controls": listbox.id, autocomplete: "off",
  }).forEach(([k, v]) => input.setAttribute(k, v));

  let places = [];
  let active = -1;
  let timer = null;
  let controller = null;

  const open = (yes) => {
    listbox.hidden = !yes;
    input.setAttribute("aria-expanded", String(yes));
    if (!yes) { active = -1; input.removeAttribute("aria-activedescendant"); }
  };

  const highlight = (index) => {
    active = index;
    [...listbox.children].forEach((li, i) => li.setAttribute("aria-selected", String(i === index)));
    if (index >= 0) {
      const option = listbox.children[index];
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  };

  const choose = (place, text = place.label) => {
    const [lon, lat] = place.geometry.coordinates;
    open(false);
    setPlace(wrapper, { lon, lat, label: text });
    status.textContent = t(`Lieu choisi : ${place.label}`, `Place chosen: ${place.label}`);
  };

  const render = () => {
    listbox.replaceChildren(...places.map((place, i) => {
      const li = document.createElement("li");
      li.id = `${id}-option-${i}`;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.textContent = place.label;
      if (place.district) {
        const where = document.createElement("span");
        where.className = "place-district";
        where.textContent = ` — ${place.district}${place.district === 1 ? "er" : "e"}`;
        li.append(where);
      }
      // mousedown, not click: the input keeps the focus
      li.addEventListener("mousedown", (event) => { event.preventDefault(); choose(place); });
      return li;
    }));
    open(places.length > 0);
    status.textContent = places.length
      ? t(`${places.length} suggestion${places.length > 1 ? "s" : ""} ; flèches haut et bas pour choisir.`,
        `${places.length} suggestion${places.length > 1 ? "s" : ""}; up and down arrows to choose.`)
      : t("Aucun lieu trouvé à Paris.", "No place found in Paris.");
  };

  async function suggest() {
    const q = input.value.trim();
    if (q.length < 2) { places = []; open(false); return; }
    controller?.abort();
    controller = new AbortController();
    try {
      const response = await fetch(`${SEARCH}?${new URLSearchParams({ q, limit: 6 })}`, {
        signal: controller.signal, headers: { Accept: "application/json" },
      });
      if (!response.ok) return;
      places = await response.json();
    } catch {
      return; // offline or aborted: the server geocodes the text on submit
    }
    if (input.value.trim() !== q) return;
    // The text typed (or pasted) is one of the suggestions: it is chosen without a further step.
    const exact = places.find((p) => plain(p.label) === plain(q));
    if (exact && found.value !== input.value) {
      const [lon, lat] = exact.geometry.coordinates;
      setPlace(wrapper, { lon, lat, label: input.value });
    }
    if (document.activeElement === input) render();
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(suggest, 200);
  });
  input.addEventListener("keydown", (event) => {
    const count = places.length;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!count) return;
      event.preventDefault();
      if (listbox.hidden) { open(true); highlight(event.key === "ArrowDown" ? 0 : count - 1); return; }
      if (event.altKey) return;
      const step = event.key === "ArrowDown" ? 1 : -1;
      highlight((active + step + count) % count);
    } else if (event.key === "Enter" && !listbox.hidden && active >= 0) {
      event.preventDefault(); // choose, do not submit yet
      choose(places[active]);
    } else if (event.key === "Escape" && !listbox.hidden) {
      event.preventDefault();
      open(false);
    } else if (event.key === "Tab") {
      open(false);
    }
  });
  input.addEventListener("blur", () => setTimeout(() => open(false), 150));

  // --- "autour de moi": the browser's position --------------------------------------------------------------
  if ("locate" in wrapper.dataset && "geolocation" in navigator) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button secondary place-locate";
    button.textContent = t("Autour de moi", "Around me");
    button.addEventListener("click", () => {
      status.textContent = t("Recherche de votre position…", "Finding your position…");
      navigator.geolocation.getCurrentPosition(
        async (position) => {
          const { longitude: lon, latitude: lat } = position.coords;
          const place = await describe(lon, lat);
          if (!place.inParis) {
            status.textContent = t("Votre position n'est pas dans Paris : tapez une adresse.", "Your position is not in Paris: type an address.");
            return;
          }
          setPlace(wrapper, { lon, lat, label: t("Ma position", "My position") });
          status.textContent = t("Votre position est utilisée.", "Your position is used.");
        },
        () => { status.textContent = t("Position indisponible : tapez une adresse.", "Position unavailable: type an address."); },
        { enableHighAccuracy: false, timeout: 10000, maximumAge: 60000 },
      );
    });
    tools.append(button);
  }

  // --- picker map: Leaflet (django-leaflet's static files), loaded only when asked for ---------------------------
  if ("picker" in wrapper.dataset) {
    const toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "button secondary place-picker-toggle";
    toggle.textContent = t("Choisir sur la carte", "Choose on the map");
    toggle.setAttribute("aria-expanded", "false");
    const panel = document.createElement("div");
    panel.className = "place-picker";
    panel.id = `${id}-picker`;
    panel.hidden = true;
    toggle.setAttribute("aria-controls", panel.id);
    const mapNode = document.createElement("div");
    mapNode.className = "place-picker-map";
    mapNode.setAttribute("role", "region");
    mapNode.setAttribute("aria-label", t("Carte pour choisir le lieu", "Map to choose the place"));
    mapNode.tabIndex = 0;
    const centre = document.createElement("button");
    centre.type = "button";
    centre.className = "button secondary";
    centre.textContent = t("Choisir le centre de la carte", "Choose the centre of the map");
    const help = document.createElement("p");
    help.className = "meta";
    help.textContent = t("Touchez la carte à l'endroit voulu, ou déplacez-la avec les flèches puis choisissez son centre.",
      "Tap the map where you want, or move it with the arrow keys and choose its centre.");
    panel.append(help, mapNode, centre);
    tools.append(toggle);
    wrapper.append(panel);
    let map = null;
    let marker = null;
    const L = () => window.L;

    const mark = (lat, lon) => {
      if (marker) marker.setLatLng([lat, lon]);
      else marker = L().marker([lat, lon], { title: t("Lieu choisi", "Chosen place"), keyboard: false }).addTo(map);
    };
    const pick = async (lat, lon) => {
      mark(lat, lon);
      const place = await describe(lon, lat);
      if (!place.inParis) {
        status.textContent = t("Ce point n'est pas dans Paris.", "This point is not in Paris.");
        return;
      }
      setPlace(wrapper, { lon, lat, label: place.label });
      status.textContent = t(`Lieu choisi : ${place.label}`, `Place chosen: ${place.label}`);
    };

    async function showMap() {
      if (!window.L) {
        await loadOnce("link", { rel: "stylesheet", href: wrapper.dataset.leafletCss });
        await loadOnce("script", { src: wrapper.dataset.leafletJs });
      }
      if (map) { map.invalidateSize(); return; }
      const lat = parseFloat(latInput.value);
      const lon = parseFloat(lonInput.value);
      const has = !Number.isNaN(lat) && !Number.isNaN(lon);
      map = L().map(mapNode, { minZoom: 11, maxZoom: 19 }).setView(has ? [lat, lon] : [48.8566, 2.3522], has ? 16 : 12);
      if (wrapper.dataset.tiles) {
        L().tileLayer(wrapper.dataset.tiles, { attribution: "&copy; OpenStreetMap", maxZoom: 19 }).addTo(map);
      }
      // The arrondissements, as on the main map: readable even when the tile server cannot be reached.
      fetch(DISTRICTS, { headers: { Accept: "application/json" } })
        .then((response) => (response.ok ? response.json() : null))
        .then((data) => {
          if (data) L().geoJSON(data, { interactive: false, style: { color: "#4a5568", weight: 1.2, opacity: 0.8, fillColor: "#f7fafc", fillOpacity: 0.25 } }).addTo(map);
        })
        .catch(() => {});
      if (has) mark(lat, lon);
      map.on("click", (event) => pick(event.latlng.lat, event.latlng.lng));
      centre.addEventListener("click", () => { const c = map.getCenter(); pick(c.lat, c.lng); });
    }

    toggle.addEventListener("click", async () => {
      const opening = panel.hidden;
      panel.hidden = !opening;
      toggle.setAttribute("aria-expanded", String(opening));
      if (opening) {
        try { await showMap(); } catch { help.textContent = t("La carte n'a pas pu être chargée : tapez une adresse.", "The map could not be loaded: type an address."); }
      }
    });
    wrapper.addEventListener("place:chosen", (event) => {
      if (!map) return;
      mark(event.detail.lat, event.detail.lon);
      map.setView([event.detail.lat, event.detail.lon], Math.max(map.getZoom(), 16));
    });
  }
}

document.querySelectorAll("[data-place-field]").forEach(enhance);
