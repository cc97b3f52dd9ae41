// The participatory map: loads only the viewport (clusters below the clustering zoom), live counts
// and new proposals over ws/map/, click/tap to place a proposal with a duplicate warning.
// Everything here is an enhancement: filters, list view and the proposal form work without it.
import { connect } from "/static/js/realtime.mjs";
import { describe, setPlace } from "/static/core/js/place-field.mjs";

const config = JSON.parse(document.getElementById("map-config").textContent);
const node = document.getElementById("map");
const statusNode = document.getElementById("map-status");
const en = document.documentElement.lang === "en";
const t = (fr, english) => (en ? english : fr);
// Real plurals: French takes the singular for 0 and 1, English only for 1.
const plural = (n, fr1, frN, en1, enN) => (en ? (n === 1 ? en1 : enN) : n > 1 ? frN : fr1);
const arr = (n) => (n === 1 ? "1er arr." : `${n}e arr.`);

// Leaflet finds its marker pictures from its CSS file's URL, which the hashed names of production static files break
// (it then asked for /carte/marker-icon.png…): the unhashed folder, which WhiteNoise serves too, is given here.
L.Icon.Default.imagePath = document.body.dataset.leafletImages || "/static/leaflet/images/";
const map = L.map(node, { minZoom: 11, maxZoom: 19 }).setView(config.center, config.zoom);
if (config.tiles) {
  L.tileLayer(config.tiles, { attribution: "&copy; OpenStreetMap", maxZoom: 19 }).addTo(map);
}
// The arrondissements as a base layer: the map stays readable when the tile server cannot be reached.
const borders = L.layerGroup().addTo(map);
fetch("/api/v1/districts/?simplified=1", { headers: { Accept: "application/json" } })
  .then((response) => (response.ok ? response.json() : null))
  .then((data) => {
    if (!data) return;
    L.geoJSON(data, {
      interactive: false,
      style: { color: "#4a5568", weight: 1.2, opacity: 0.8, fill: true, fillColor: "#f7fafc", fillOpacity: 0.25 },
    }).addTo(borders);
    borders.eachLayer((l) => l.bringToBack && l.bringToBack());
  })
  .catch(() => {});
const layer = L.layerGroup().addTo(map);
const byId = new Map();
let controller = null;

const esc = (text) => String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

function popup(p) {
  const theme = config.themes[p.theme] ? config.themes[p.theme].name : p.theme;
  return `<strong>${esc(p.title)}</strong><br>${esc(theme)} · ${p.district ? arr(p.district) : ""}<br>` +
    `<span data-for>${p.votes_for}</span> ${t("pour", "for")} · <span data-against>${p.votes_against}</span> ${t("contre", "against")} · ` +
    `${p.comments_count} ${plural(p.comments_count, "commentaire", "commentaires", "comment", "comments")}<br><a href="/carte/propositions/${p.id}/">${t("Voir la proposition", "See the proposal")}</a>`;
}

function addFeature(feature) {
  const p = feature.properties;
  if (p.cluster) {
    const size = p.count < 10 ? 34 : p.count < 100 ? 42 : 52;
    const marker = L.marker([feature.geometry.coordinates[1], feature.geometry.coordinates[0]], {
      icon: L.divIcon({ className: "cluster-icon", html: `<span>${p.count}</span>`, iconSize: [size, size] }),
      title: t(`${p.count} propositions\u00a0: zoomer pour les voir`, `${p.count} proposals: zoom in to see them`),
      keyboard: true,
    });
    marker.on("click", () => map.setView(marker.getLatLng(), Math.min(map.getZoom() + 2, 19)));
    marker.addTo(layer);
    return;
  }
  const color = (config.themes[p.theme] || {}).color || p.color || "#1f4e79";
  const shape = L.geoJSON(feature, {
    style: { color, weight: 5, fillOpacity: 0.35 },
    pointToLayer: (f, latlng) => L.circleMarker(latlng, { radius: 9, color: "#222", weight: 2, fillColor: color, fillOpacity: 0.9 }),
  });
  shape.bindPopup(popup(p));
  shape.addTo(layer);
  byId.set(p.id, { shape, properties: p });
}

function filterParams() {
  const params = new URLSearchParams(window.location.search);
  params.delete("page");
  return params;
}

async function load() {
  if (controller) controller.abort();
  controller = new AbortController();
  const b = map.getBounds();
  const params = filterParams();
  params.set("bbox", [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(5)).join(","));
  params.set("zoom", map.getZoom());
  try {
    const response = await fetch(`${config.api}?${params}`, { signal: controller.signal });
    const data = await response.json();
    if (!response.ok) { statusNode.textContent = data.detail || ""; return; }
    layer.clearLayers();
    byId.clear();
    data.features.forEach(addFeature);
    const count = data.features.reduce((n, f) => n + (f.properties.cluster ? f.properties.count : 1), 0);
    statusNode.textContent = plural(count, `${count} proposition dans cette zone.`, `${count} propositions dans cette zone.`, `${count} proposal in this area.`, `${count} proposals in this area.`);
  } catch (error) {
    if (error.name !== "AbortError") statusNode.textContent = t("Impossible de charger les propositions.", "Could not load the proposals.");
  }
}

let timer = null;
map.on("moveend", () => { clearTimeout(timer); timer = setTimeout(load, 150); });
load();

connect("/ws/map/", (message) => {
  if (message.type === "proposal.votes") {
    const item = byId.get(message.id);
    if (!item) return;
    item.properties.votes_for = message.votes_for;
    item.properties.votes_against = message.votes_against;
    item.shape.setPopupContent(popup(item.properties));
  } else if (message.type === "proposal.created" && map.getZoom() >= config.clusterBelow) {
    const [lon, lat] = message.feature.geometry.type === "Point" ? message.feature.geometry.coordinates : [null, null];
    if (lon === null || map.getBounds().contains([lat, lon])) addFeature(message.feature);
  } else if (message.type === "proposal.created") {
    clearTimeout(timer); timer = setTimeout(load, 1000);
  }
}, { onOpen: () => load() });

// --- "aller à une adresse" / "autour de moi" ---------------------------------------------------------
const goto = document.getElementById("map-goto");
if (goto) {
  const error = document.getElementById("map-goto-error");
  const field = goto.querySelector("[data-place-field]");
  let here = null;
  const go = ({ lat, lon, label }) => {
    error.textContent = "";
    map.setView([lat, lon], 17);
    if (here) here.setLatLng([lat, lon]);
    else here = L.circleMarker([lat, lon], { radius: 7, color: "#1f4e79", weight: 3, fillColor: "#fff", fillOpacity: 1, interactive: false }).addTo(map);
    statusNode.textContent = t(`Carte centrée sur : ${label}.`, `Map centred on: ${label}.`);
  };
  goto.addEventListener("place:chosen", (event) => go(event.detail));
  goto.addEventListener("submit", async (event) => {
    event.preventDefault(); // the filters in the address bar stay as they are
    const text = field.querySelector("input:not([type=hidden])").value.trim();
    const lat = parseFloat(field.querySelector("[data-place-lat]").value);
    const lon = parseFloat(field.querySelector("[data-place-lon]").value);
    if (text && text === field.querySelector("[data-place-for]").value && !Number.isNaN(lat)) { go({ lat, lon, label: text }); return; }
    if (text.length < 2) { error.textContent = t("Tapez une adresse ou un lieu de Paris.", "Type an address or a place in Paris."); return; }
    try {
      const response = await fetch(`/api/v1/places/?${new URLSearchParams({ q: text, limit: 1 })}`, { headers: { Accept: "application/json" } });
      const found = response.ok ? await response.json() : [];
      if (!found.length) {
        error.textContent = t(`Nous n'avons pas trouvé ce lieu dans Paris : « ${text} ».`, `We could not find this place in Paris: “${text}”.`);
        return;
      }
      const [plon, plat] = found[0].geometry.coordinates;
      setPlace(field, { lon: plon, lat: plat, label: text });
    } catch {
      goto.submit();
    }
  });
}

// --- placing a proposal ---------------------------------------------------------------------------
const form = document.getElementById("proposal-form");
if (form && config.canPropose) {
  const lat = form.querySelector("[name=latitude]");
  const lon = form.querySelector("[name=longitude]");
  const title = form.querySelector("[name=title]");
  const duplicates = document.getElementById("duplicates");
  let draft = null;

  const geometryInput = form.querySelector("[name=geometry]");
  const drawn = L.featureGroup().addTo(map);
  let drawing = false;

  const field = form.querySelector("[data-place-field]");
  const clearShape = () => { drawn.clearLayers(); geometryInput.value = ""; };
  const place = (latlng) => {
    clearShape();
    lat.value = latlng.lat.toFixed(6);
    lon.value = latlng.lng.toFixed(6);
    if (draft) draft.setLatLng(latlng); else draft = L.marker(latlng, { title: t("Nouvelle proposition", "New proposal") }).addTo(map);
    statusNode.textContent = t("Emplacement choisi\u00a0: remplissez le formulaire sous la carte.", "Place chosen: fill in the form below the map.");
    checkDuplicates();
  };
  // A tap on the map: the point, then its words in the address field (the address, or "near" a known place).
  map.on("click", async (event) => {
    if (drawing) return;
    place(event.latlng);
    const typed = field.querySelector("input:not([type=hidden])");
    const before = typed.value;
    const found = await describe(event.latlng.lng, event.latlng.lat);
    // unless the resident typed, went into the address field or tapped again meanwhile
    if (found.label && typed.value === before && document.activeElement !== typed && lat.value === event.latlng.lat.toFixed(6)) {
      setPlace(field, { lon: event.latlng.lng, lat: event.latlng.lat, label: found.label });
    }
  });
  // An address typed or chosen in the form, or "autour de moi": the marker follows.
  form.addEventListener("place:chosen", (event) => {
    const latlng = L.latLng(event.detail.lat, event.detail.lon);
    if (!draft || !draft.getLatLng().equals(latlng)) { place(latlng); map.panTo(latlng); }
  });
  // Coordinates set by a script or a test (the hidden inputs): the marker follows too.
  [lat, lon].forEach((input) => input.addEventListener("change", () => {
    const la = parseFloat(lat.value), lo = parseFloat(lon.value);
    if (!Number.isNaN(la) && !Number.isNaN(lo)) { place(L.latLng(la, lo)); map.panTo([la, lo]); }
  }));

  // A line (a bike lane) or a polygon (a square to green), drawn with Leaflet.draw (shipped by django-leaflet).
  if (L.Control && L.Control.Draw) {
    const local = L.drawLocal;
    local.draw.toolbar.buttons.polyline = t("Tracer une ligne (une piste cyclable, une rue…)", "Draw a line (a bike lane, a street…)");
    local.draw.toolbar.buttons.polygon = t("Tracer une zone (une place à végétaliser…)", "Draw an area (a square to green…)");
    local.draw.toolbar.actions.text = t("Annuler", "Cancel");
    local.draw.toolbar.actions.title = t("Annuler le tracé", "Cancel drawing");
    local.draw.toolbar.finish.text = t("Terminer", "Finish");
    local.draw.toolbar.finish.title = t("Terminer le tracé", "Finish drawing");
    local.draw.toolbar.undo.text = t("Effacer le dernier point", "Delete last point");
    local.draw.toolbar.undo.title = t("Effacer le dernier point tracé", "Delete the last point drawn");
    local.draw.handlers.polyline.tooltip.start = t("Cliquez pour commencer la ligne.", "Click to start the line.");
    local.draw.handlers.polyline.tooltip.cont = t("Cliquez pour continuer la ligne.", "Click to continue the line.");
    local.draw.handlers.polyline.tooltip.end = t("Cliquez sur le dernier point pour terminer.", "Click the last point to finish.");
    local.draw.handlers.polyline.error = t("Les bords ne doivent pas se croiser.", "Edges must not cross.");
    local.draw.handlers.polygon.tooltip.start = t("Cliquez pour commencer la zone.", "Click to start the area.");
    local.draw.handlers.polygon.tooltip.cont = t("Cliquez pour continuer la zone.", "Click to continue the area.");
    local.draw.handlers.polygon.tooltip.end = t("Cliquez sur le premier point pour fermer la zone.", "Click the first point to close the area.");
    map.addControl(new L.Control.Draw({
      position: "topright",
      draw: {
        polyline: { shapeOptions: { color: "#1f4e79", weight: 6 } },
        polygon: { allowIntersection: false, showArea: false, shapeOptions: { color: "#1f4e79" } },
        rectangle: false, circle: false, circlemarker: false, marker: false,
      },
    }));
    map.on(L.Draw.Event.DRAWSTART, () => { drawing = true; });
    map.on(L.Draw.Event.DRAWSTOP, () => { setTimeout(() => { drawing = false; }, 0); });
    map.on(L.Draw.Event.CREATED, (event) => {
      clearShape();
      if (draft) { draft.remove(); draft = null; }
      drawn.addLayer(event.layer);
      geometryInput.value = JSON.stringify(event.layer.toGeoJSON().geometry);
      const center = event.layer.getBounds().getCenter();
      lat.value = center.lat.toFixed(6);
      lon.value = center.lng.toFixed(6);
      statusNode.textContent = event.layerType === "polygon"
        ? t("Zone tracée\u00a0: remplissez le formulaire sous la carte.", "Area drawn: fill in the form below the map.")
        : t("Ligne tracée\u00a0: remplissez le formulaire sous la carte.", "Line drawn: fill in the form below the map.");
      checkDuplicates();
    });
  }

  let dupTimer = null;
  async function checkDuplicates() {
    if (!lat.value || !lon.value || title.value.trim().length < 4) { duplicates.replaceChildren(); return; }
    const params = new URLSearchParams({ lat: lat.value, lon: lon.value, title: title.value });
    const response = await fetch(`${config.similar}?${params}`);
    if (!response.ok) return;
    const { results } = await response.json();
    duplicates.replaceChildren();
    if (!results.length) return;
    const heading = document.createElement("p");
    heading.className = "duplicates-title";
    heading.textContent = t("Des propositions proches et semblables existent déjà\u00a0: pourquoi ne pas soutenir l'une d'elles\u00a0?",
      "Similar proposals exist nearby: why not support one of them?");
    const list = document.createElement("ul");
    results.forEach((r) => {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = r.url;
      link.textContent = `${r.title} (${r.votes_for} ${t("pour", "for")})`;
      const support = document.createElement("a");
      support.href = r.url;
      support.className = "button secondary";
      support.textContent = t("Soutenir celle-ci", "Support this one");
      item.append(link, " ", support);
      list.append(item);
    });
    duplicates.append(heading, list);
  }
  title.addEventListener("input", () => { clearTimeout(dupTimer); dupTimer = setTimeout(checkDuplicates, 400); });
}

// The participatory budget's winning projects as an overlay, off until the visitor ticks it (budget app's API).
const budgetLayer = L.layerGroup();
const stageNames = {
  study: t("études", "studies"), procedures: t("procédures", "procedures"), works: t("en travaux", "works"),
  delivered: t("livré", "delivered"), open: t("ouvert au public", "open to the public"), abandoned: t("abandonné", "abandoned"),
};
const stageText = (stage) => (stage ? ` · ${esc(stageNames[stage] || stage)}` : "");
async function loadBudget() {
  if (!map.hasLayer(budgetLayer)) return;
  const b = map.getBounds();
  const bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(5)).join(",");
  try {
    const response = await fetch(`/api/v1/budget/projects/?winner=true&bbox=${bbox}`, { headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const data = await response.json();
    budgetLayer.clearLayers();
    L.geoJSON(data, {
      pointToLayer: (f, latlng) => L.circleMarker(latlng, { radius: 7, color: "#5b2a86", weight: 2, fillColor: "#fff", fillOpacity: 1 }),
      onEachFeature: (f, shape) => {
        const p = f.properties;
        shape.bindPopup(`<strong>${esc(p.title)}</strong><br>${t("Budget participatif", "Participatory budget")} ${p.edition}` +
          `${stageText(p.stage)}<br><a href="/budget-participatif/projets/${p.id}/">${t("Voir le projet", "See the project")}</a>`);
      },
    }).addTo(budgetLayer);
  } catch (error) { /* the overlay is optional */ }
}
L.control.layers(null, { [t("Projets lauréats du budget participatif", "Winning participatory budget projects")]: budgetLayer }, { collapsed: false, position: "bottomleft" }).addTo(map);
map.on("overlayadd", (event) => { if (event.layer === budgetLayer) loadBudget(); });
map.on("moveend", () => { if (map.hasLayer(budgetLayer)) loadBudget(); });
