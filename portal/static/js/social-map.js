/* Loads a folium/Leaflet map when it scrolls into view, then fills its marker cluster from the
   GeoJSON feed (the places in view, asked for again when the map moves; a place's programmes when its
   popup opens) or adds the one marker of a programme page. All scripts are the portal's own files
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

  /* Lets the browser paint and handle input before the next step, so loading the map is a row of short tasks
     (Leaflet, the cluster, the fitted view, the markers) instead of one long one. */
  function nextTask() {
    return new Promise(function (resolve) {
      if (window.scheduler && typeof window.scheduler.yield === "function") {
        window.scheduler.yield().then(resolve);
      } else {
        window.setTimeout(resolve, 0);
      }
    });
  }

  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/geo+json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      });
  }

  /* The feed answers for a box on a grid (portal/services/social_map/map_box.py does the same sums): edges
     on multiples of a power-of-two step of at least a quarter of the box, so panning a little asks for a
     URL that the browser, nginx and the page cache have seen already. */
  var MIN_STEP = Math.pow(2, -10);
  var MAX_STEP = Math.pow(2, 7);

  function edge(value) {
    var text = value.toFixed(10).replace(/0+$/, "").replace(/\.$/, "");
    return text === "-0" ? "0" : text;
  }

  function boxQuery(bounds) {
    var west = Math.max(bounds.getWest(), -180), east = Math.min(bounds.getEast(), 180);
    var south = Math.max(bounds.getSouth(), -90), north = Math.min(bounds.getNorth(), 90);
    var span = Math.max(east - west, north - south), step = MIN_STEP;
    while (step * 4 < span && step < MAX_STEP) { step *= 2; }
    return [
      Math.max(Math.floor(west / step) * step, -180), Math.max(Math.floor(south / step) * step, -90),
      Math.min(Math.ceil(east / step) * step, 180), Math.min(Math.ceil(north / step) * step, 90)
    ].map(edge).join(",");
  }

  function showDetails(marker, id) {
    var url = holder.dataset.mapFeed + "&location=" + id;
    getJSON(url).then(function (data) {
      if (!data.features.length) { throw new Error("gone"); }
      marker.setPopupContent(popup(data.features[0].properties));
    }).catch(function () {
      marker.setPopupContent(element("p", null, holder.dataset.labelError));
    });
  }

  function makeMarker(feature) {
    var coordinates = feature.geometry.coordinates;
    var name = feature.properties.name;
    var marker = L.marker([coordinates[1], coordinates[0]], { title: name, alt: name });
    // The popup is made on the first click or Enter (as Leaflet's own bindPopup opens one), not for each of up
    // to 200 markers while the map loads.
    function openFirst(event) {
      if (event.type === "keypress" && event.originalEvent.keyCode !== 13) { return; }
      L.DomEvent.stop(event);
      marker.off("click keypress", openFirst);
      var loading = element("div", "wp-popup");
      loading.appendChild(element("h3", "wp-popup__title", name));
      loading.appendChild(element("p", null, holder.dataset.labelLoading));
      marker.bindPopup(loading);
      marker.once("popupopen", function () { showDetails(marker, feature.id); });
      marker.openPopup();
    }
    marker.on("click keypress", openFirst);
    return marker;
  }

  /* Markers for the visible part of the map, asked for again (debounced) whenever the map stops moving.
     Markers that stay in view are kept, so an open popup stays open. */
  function fillCluster(map, cluster, neighbourhood) {
    var markers = {};
    var shown = null;
    var asked = 0;
    var timer = null;

    // Two tasks: the markers are made and the ones out of view taken off; then the cluster adds the new ones.
    function place(data) {
      var wanted = {};
      var added = [];
      var ids = new Map();
      data.features.forEach(function (feature) {
        wanted[feature.id] = true;
        if (!markers[feature.id]) {
          markers[feature.id] = makeMarker(feature);
          added.push(markers[feature.id]);
          ids.set(markers[feature.id], feature.id);
        }
      });
      var gone = [];
      Object.keys(markers).forEach(function (id) {
        if (!wanted[id] && !markers[id].isPopupOpen()) {
          gone.push(markers[id]);
          delete markers[id];
        }
      });
      if (gone.length) { cluster.removeLayers(gone); }
      if (status) { status.textContent = data.truncated ? holder.dataset.labelZoom : ""; }
      return nextTask().then(function () {
        // Those a newer answer has not taken off meanwhile, in short chunks (chunkedLoading).
        cluster.addLayers(added.filter(function (marker) { return markers[ids.get(marker)] === marker; }));
      });
    }

    // `answer` (if given) is the answer for `url`, asked for already.
    function load(url, answer) {
      if (url === shown) { return Promise.resolve(); }
      shown = url;
      var number = ++asked;
      function current() { return number === asked; }  // an answer overtaken by a later move is dropped
      return (answer || getJSON(url)).then(function (data) {
        return nextTask().then(function () {
          if (current()) { return place(data); }
        });
      }, function (error) {
        if (current()) { shown = null; }  // the next move asks again
        throw error;
      });
    }

    map.on("moveend", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        load(holder.dataset.mapFeed + "&bbox=" + boxQuery(map.getBounds())).catch(showError);
      }, 250);
    });
    // First the neighbourhood's box (the feed without bbox), the map already fitted to it; then what is in view,
    // at once (not after the debounce), so the map counts as ready only when the markers of its view are there.
    return load(holder.dataset.mapFeed, neighbourhood).then(nextTask).then(function () {
      return load(holder.dataset.mapFeed + "&bbox=" + boxQuery(map.getBounds()));
    });
  }

  /* The map fitted to the neighbourhood's places before its tiles and cluster are added, so the tiles are
     fetched and drawn once, for the fitted view, and the cluster groups its markers once, at that zoom. */
  function fit(map, data) {
    var bounds = data.features.map(function (feature) {
      return [feature.geometry.coordinates[1], feature.geometry.coordinates[0]];
    });
    if (bounds.length) { map.fitBounds(bounds, { padding: [24, 24], maxZoom: 16, animate: false }); }
  }

  function start() {
    var assets = JSON.parse(holder.dataset.mapAssets);
    assets.styles.forEach(loadStyle);
    // folium's init script in two parts, each run as a task of its own: the map, then its tiles and cluster.
    var init = holder.dataset.mapInit;
    // The neighbourhood's places are asked for while the scripts load, not after them.
    var neighbourhood = holder.dataset.mapFeed ? getJSON(holder.dataset.mapFeed) : null;
    if (neighbourhood) { neighbourhood.catch(function () {}); }  // handled below, once the map is there
    assets.scripts.concat([init + "&part=map"])
      .reduce(function (ready, src) { return ready.then(function () { return loadScript(src); }); }, Promise.resolve())
      .then(function () {
        // Without the places (the feed failed) the tiles still come; fillCluster shows the error.
        return neighbourhood && neighbourhood.then(function (data) {
          return nextTask().then(function () { fit(window.map_wijkmap, data); });
        }, function () {});
      })
      .then(nextTask)
      .then(function () { return loadScript(init + "&part=layers"); })
      .then(nextTask)
      .then(function () {
        var map = window.map_wijkmap;
        if (neighbourhood) { return fillCluster(map, window.marker_cluster_wijkcluster, neighbourhood); }
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
