/* Enhances a folium map: fills the marker cluster from the GeoJSON feed, or adds one marker.
   Every text goes in with textContent, never as HTML. Without JavaScript the page's text list stays. */
(function () {
  "use strict";
  var holder = document.querySelector("[data-map-feed], [data-map-marker-lat]");
  var map = window.map_wijkmap;
  if (!holder || !map || typeof L === "undefined") {
    return;
  }
  var status = holder.querySelector(".wp-map__status");

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }

  function popup(properties) {
    var root = element("div", "wp-popup");
    root.appendChild(element("h3", "wp-popup__title", properties.name));
    root.appendChild(element("p", "wp-popup__address", properties.address));
    var list = element("ul", "wp-popup__list");
    properties.programmes.forEach(function (programme) {
      var item = element("li");
      var link = element("a", null, programme.title);
      link.href = programme.url;
      if (programme.lang && programme.lang !== document.documentElement.lang) { link.lang = programme.lang; }
      item.appendChild(link);
      var when = programme.next ? holder.dataset.labelNext + ": " + programme.next : holder.dataset.labelNone;
      item.appendChild(element("span", "wp-popup__next", when));
      list.appendChild(item);
    });
    root.appendChild(list);
    if (properties.more > 0) {
      root.appendChild(element("p", null, holder.dataset.labelMore.replace("{n}", properties.more)));
    }
    return root;
  }

  if (holder.dataset.mapMarkerLat) {
    var point = [parseFloat(holder.dataset.mapMarkerLat), parseFloat(holder.dataset.mapMarkerLng)];
    L.marker(point, { title: holder.dataset.mapMarkerLabel, alt: holder.dataset.mapMarkerLabel })
      .bindTooltip(holder.dataset.mapMarkerLabel).addTo(map);
    return;
  }

  var cluster = window.marker_cluster_wijkcluster;
  fetch(holder.dataset.mapFeed, { headers: { Accept: "application/geo+json" }, credentials: "same-origin" })
    .then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    })
    .then(function (data) {
      var bounds = [];
      var markers = data.features.map(function (feature) {
        var coordinates = feature.geometry.coordinates;
        var latlng = [coordinates[1], coordinates[0]];
        var marker = L.marker(latlng, { title: feature.properties.name, alt: feature.properties.name });
        marker.bindPopup(function () { return popup(feature.properties); });
        bounds.push(latlng);
        return marker;
      });
      cluster.addLayers(markers);  // in chunks (chunkedLoading), so the page stays responsive
      if (bounds.length) { map.fitBounds(bounds, { padding: [24, 24], maxZoom: 16 }); }
    })
    .catch(function () {
      if (status) { status.textContent = holder.dataset.labelError; }
    });
})();
