// Map of missions (search results, one mission). Data from json_script. The place fields (mission form, search)
// have their own suggestions and picker map: core/js/place-field.mjs.
const L = window.L;
// Leaflet finds its marker pictures from its CSS file's URL, which the hashed names of production static files break
// (it then asked for /benevolat/marker-icon.png…): the unhashed folder, which WhiteNoise serves too, is given here.
if (L) L.Icon.Default.imagePath = document.body.dataset.leafletImages || "/static/leaflet/images/";

function baseMap(element) {
  const map = L.map(element, { scrollWheelZoom: false }).setView([48.8566, 2.3522], 12);
  const tiles = L.tileLayer(element.dataset.tiles, { attribution: "&copy; OpenStreetMap", maxZoom: 19 });
  tiles.on("tileerror", () => element.classList.add("tiles-failed"));
  tiles.addTo(map);
  return map;
}

function showMissions() {
  const element = document.getElementById("missions-map");
  const data = document.getElementById("missions-points");
  if (!element || !data || !L) return;
  const points = JSON.parse(data.textContent);
  const map = baseMap(element);
  const markers = points.map((p) => {
    const marker = L.marker([p.lat, p.lon], { title: p.title, alt: p.title });
    const link = document.createElement("a");
    link.href = p.url;
    link.textContent = p.title;
    const wrapper = document.createElement("div");
    wrapper.append(link, document.createElement("br"), document.createTextNode(p.organization));
    marker.bindPopup(wrapper);
    return marker.addTo(map);
  });
  if (markers.length > 1) map.fitBounds(L.featureGroup(markers).getBounds().pad(0.2));
  else if (markers.length === 1) map.setView(markers[0].getLatLng(), 15);
}

showMissions();
