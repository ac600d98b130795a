/* Loads a folium/Leaflet map when it scrolls into view, then fills its marker cluster from the
   GeoJSON feed or adds the one marker of a programme page. All scripts are the portal's own files
   (no inline script); every text goes in with textContent, never as HTML. Without JavaScript the
   page's text list stays, and it lists the same places. */
(function () {
  "use strict";
  var holder = document.querySelector("[data-map-init]");
  if (!holder) {
    return;
  }
  var status = holder.querySelector(".wp-map__status");

  function showError() {
    if (status) { status.textContent = holder.dataset.labelError || ""; }
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }

  function loadStyle(href) {
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    document.head.appendChild(link);
  }

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = reject;
      document.body.appendChild(script);
    });
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

  function addOneMarker(map) {
    var point = [parseFloat(holder.dataset.mapMarkerLat), parseFloat(holder.dataset.mapMarkerLng)];
    var label = holder.dataset.mapMarkerLabel;
    L.marker(point, { title: label, alt: label }).bindTooltip(label).addTo(map);
  }

  function fillCluster(map, cluster) {
    return fetch(holder.dataset.mapFeed, { headers: { Accept: "application/geo+json" }, credentials: "same-origin" })
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
        if (bounds.length) { map.fitBounds(bounds, { padding: [24, 24], maxZoom: 16, animate: false }); }
      });
  }

  function start() {
    var assets = JSON.parse(holder.dataset.mapAssets);
    assets.styles.forEach(loadStyle);
    assets.scripts.concat([holder.dataset.mapInit])
      .reduce(function (ready, src) { return ready.then(function () { return loadScript(src); }); }, Promise.resolve())
      .then(function () {
        var map = window.map_wijkmap;
        if (holder.dataset.mapFeed) { return fillCluster(map, window.marker_cluster_wijkcluster); }
        addOneMarker(map);
      })
      .then(function () { holder.dataset.mapReady = "true"; })
      .catch(showError);
  }

  if ("IntersectionObserver" in window) {
    var observer = new IntersectionObserver(function (entries) {
      if (entries.some(function (entry) { return entry.isIntersecting; })) {
        observer.disconnect();
        start();
      }
    }, { rootMargin: "0px" });
    observer.observe(holder);
  } else {
    start();
  }
})();
