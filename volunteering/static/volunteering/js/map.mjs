// Map of missions (search results, one mission) and point picker (mission form). Data from json_script.
const L = window.L;

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

function picker() {
  const element = document.getElementById("location-picker");
  const lon = document.getElementById("id_longitude");
  const lat = document.getElementById("id_latitude");
  if (!element || !lon || !lat || !L) return;
  const map = baseMap(element);
  let marker = null;
  const place = (latlng) => {
    if (marker) marker.setLatLng(latlng);
    else marker = L.marker(latlng).addTo(map);
  };
  if (lon.value && lat.value) {
    place([Number(lat.value), Number(lon.value)]);
    map.setView([Number(lat.value), Number(lon.value)], 15);
  }
  map.on("click", (event) => {
    place(event.latlng);
    lon.value = event.latlng.lng.toFixed(6);
    lat.value = event.latlng.lat.toFixed(6);
  });
}

function locateButton() {
  const button = document.getElementById("use-location");
  const near = document.getElementById("f-near");
  if (!button || !near) return;
  if (!("geolocation" in navigator)) {
    button.hidden = true;
    return;
  }
  button.addEventListener("click", () => {
    navigator.geolocation.getCurrentPosition((pos) => {
      near.value = `${pos.coords.longitude.toFixed(5)},${pos.coords.latitude.toFixed(5)}`;
      const radius = document.getElementById("f-radius");
      if (radius && !radius.value) radius.value = "2";
    });
  });
}

showMissions();
picker();
locateButton();
