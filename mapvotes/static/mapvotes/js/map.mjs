// The participatory map: loads only the viewport (clusters below the clustering zoom), live counts
// and new proposals over ws/map/, click/tap to place a proposal with a duplicate warning.
// Everything here is an enhancement: filters, list view and the proposal form work without it.
import { connect } from "/static/js/realtime.mjs";

const config = JSON.parse(document.getElementById("map-config").textContent);
const node = document.getElementById("map");
const statusNode = document.getElementById("map-status");
const en = document.documentElement.lang === "en";
const t = (fr, english) => (en ? english : fr);

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
  return `<strong>${esc(p.title)}</strong><br>${esc(theme)} · ${p.district}<sup>e</sup><br>` +
    `<span data-for>${p.votes_for}</span> ${t("pour", "for")} · <span data-against>${p.votes_against}</span> ${t("contre", "against")} · ` +
    `${p.comments_count} ${t("commentaire(s)", "comment(s)")}<br><a href="/carte/propositions/${p.id}/">${t("Voir la proposition", "See the proposal")}</a>`;
}

function addFeature(feature) {
  const p = feature.properties;
  if (p.cluster) {
    const size = p.count < 10 ? 34 : p.count < 100 ? 42 : 52;
    const marker = L.marker([feature.geometry.coordinates[1], feature.geometry.coordinates[0]], {
      icon: L.divIcon({ className: "cluster-icon", html: `<span>${p.count}</span>`, iconSize: [size, size] }),
      title: t(`${p.count} propositions : zoomer pour les voir`, `${p.count} proposals: zoom in to see them`),
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
    statusNode.textContent = t(`${count} proposition(s) dans cette zone.`, `${count} proposal(s) in this area.`);
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

  const clearShape = () => { drawn.clearLayers(); geometryInput.value = ""; };
  const place = (latlng) => {
    clearShape();
    lat.value = latlng.lat.toFixed(6);
    lon.value = latlng.lng.toFixed(6);
    if (draft) draft.setLatLng(latlng); else draft = L.marker(latlng, { title: t("Nouvelle proposition", "New proposal") }).addTo(map);
    statusNode.textContent = t("Emplacement choisi : remplissez le formulaire sous la carte.", "Place chosen: fill in the form below the map.");
    checkDuplicates();
  };
  map.on("click", (event) => { if (!drawing) place(event.latlng); });
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
        ? t("Zone tracée : remplissez le formulaire sous la carte.", "Area drawn: fill in the form below the map.")
        : t("Ligne tracée : remplissez le formulaire sous la carte.", "Line drawn: fill in the form below the map.");
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
    heading.textContent = t("Des propositions proches et semblables existent déjà : pourquoi ne pas soutenir l'une d'elles ?",
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
