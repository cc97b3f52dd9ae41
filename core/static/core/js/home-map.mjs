// The home page's small map: the latest proposals, read from the page itself (json_script "home-proposals-data"),
// so it shows them without waiting for the API. The list beside it gives the same information without JavaScript.
const node = document.getElementById("home-map");
const data = document.getElementById("home-proposals-data");
const en = document.documentElement.lang === "en";
const t = (fr, english) => (en ? english : fr);
const arr = (n) => (n === 1 ? "1er arr." : `${n}e arr.`);
const esc = (text) => String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

if (node && data && window.L) {
  const collection = JSON.parse(data.textContent);
  const map = L.map(node, { minZoom: 10, maxZoom: 18, scrollWheelZoom: false }).setView([48.8566, 2.3522], 11);
  if (node.dataset.tiles) {
    L.tileLayer(node.dataset.tiles, { attribution: "&copy; OpenStreetMap", maxZoom: 18 }).addTo(map);
  }
  // The arrondissements under the points: the map stays readable when the tile server cannot be reached.
  fetch("/api/v1/districts/?simplified=1", { headers: { Accept: "application/json" } })
    .then((response) => (response.ok ? response.json() : null))
    .then((districts) => {
      if (!districts) return;
      L.geoJSON(districts, {
        interactive: false,
        style: { color: "#4a5568", weight: 1, opacity: 0.7, fill: true, fillColor: "#f7fafc", fillOpacity: 0.25 },
      }).addTo(map).bringToBack();
    })
    .catch(() => {});
  const shapes = L.geoJSON(collection, {
    style: (f) => ({ color: f.properties.color || "#1f4e79", weight: 4, fillOpacity: 0.35 }),
    pointToLayer: (f, latlng) =>
      L.circleMarker(latlng, { radius: 8, color: "#222", weight: 2, fillColor: f.properties.color || "#1f4e79", fillOpacity: 0.9 }),
    onEachFeature: (f, layer) => {
      const p = f.properties;
      const where = p.district ? `<br>${arr(p.district)}` : "";
      layer.bindPopup(
        `<strong>${esc(p.title)}</strong>${where}<br>` +
          `<a href="/carte/propositions/${p.id}/">${t("Voir la proposition", "See the proposal")}</a>`,
      );
    },
  }).addTo(map);
  const bounds = shapes.getBounds();
  if (bounds.isValid()) map.fitBounds(bounds, { padding: [20, 20], maxZoom: 15 });
  node.dataset.ready = String(collection.features.length);
}
