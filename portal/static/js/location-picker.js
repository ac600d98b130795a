/* The location form's map: a click sets the latitude and longitude fields, and typed numbers move
   the marker. Leaflet is the portal's own copy; without JavaScript the two fields still work. */
(function () {
  "use strict";
  var holder = document.querySelector("[data-location-picker]");
  var latField = document.getElementById("latitude");
  var lonField = document.getElementById("longitude");
  if (!holder || !latField || !lonField || typeof L === "undefined") {
    return;
  }
  function number(field) {
    var value = parseFloat(String(field.value).replace(",", "."));
    return isNaN(value) ? null : value;
  }
  var start = [number(latField), number(lonField)];
  var hasPoint = start[0] !== null && start[1] !== null;
  var center = hasPoint ? start : [parseFloat(holder.dataset.lat), parseFloat(holder.dataset.lon)];
  var map = L.map(holder).setView(center, hasPoint ? 17 : 14);
  L.tileLayer(holder.dataset.tileUrl, { maxZoom: 19, attribution: holder.dataset.attribution }).addTo(map);
  var marker = hasPoint ? L.marker(start).addTo(map) : null;

  function place(latlng) {
    if (marker) {
      marker.setLatLng(latlng);
    } else {
      marker = L.marker(latlng).addTo(map);
    }
  }
  map.on("click", function (event) {
    latField.value = event.latlng.lat.toFixed(6);
    lonField.value = event.latlng.lng.toFixed(6);
    place(event.latlng);
  });
  function typed() {
    var lat = number(latField);
    var lon = number(lonField);
    if (lat !== null && lon !== null && Math.abs(lat) <= 90 && Math.abs(lon) <= 180) {
      place([lat, lon]);
      map.panTo([lat, lon]);
    }
  }
  latField.addEventListener("change", typed);
  lonField.addEventListener("change", typed);
})();
