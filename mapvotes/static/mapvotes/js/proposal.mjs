// Map extract of one proposal; the page is complete without it (address and arrondissement are in the text).
const node = document.getElementById("proposal-map");
const data = document.getElementById("proposal-feature");
if (node && data && window.L) {
  const feature = JSON.parse(data.textContent);
  const map = L.map(node, { scrollWheelZoom: false });
  if (node.dataset.tiles) {
    L.tileLayer(node.dataset.tiles, { attribution: "&copy; OpenStreetMap", maxZoom: 19 }).addTo(map);
  }
  const layer = L.geoJSON(feature, {
    style: { color: feature.properties.color, weight: 5 },
    pointToLayer: (f, latlng) => L.circleMarker(latlng, { radius: 10, color: "#222", weight: 2, fillColor: f.properties.color, fillOpacity: 0.9 }),
  }).addTo(map);
  const bounds = layer.getBounds();
  map.fitBounds(bounds, { maxZoom: 17, padding: [20, 20] });
}
