// Public outage map: open incidents (rounded positions) and planned outages of an area, from the cached JSON
// endpoint, refreshed every minute. Leaflet is vendored (static/vendor/leaflet-1.9.4); tiles URL from settings.
(function () {
  "use strict";
  var box = document.getElementById("outage-map");
  if (!box || !window.fetch) { return; }
  var t = box.dataset;
  var list = document.getElementById("outage-list");
  var map = null, layer = null;

  function item(text, cls) {
    var li = document.createElement("li");
    li.textContent = text;
    if (cls) { li.className = cls; }
    return li;
  }

  function when(iso) {
    if (!iso) { return ""; }
    var d = new Date(iso);
    return d.toLocaleString(document.documentElement.lang || "id", { day: "2-digit", month: "2-digit", hour: "2-digit", minute: "2-digit" });
  }

  function draw(data) {
    var rows = [];
    if (window.L && !map) {
      map = window.L.map(box).setView(data.center, 12);
      window.L.tileLayer(t.tiles, { maxZoom: 18, attribution: "&copy; OpenStreetMap" }).addTo(map);
    }
    if (map) {
      if (layer) { layer.remove(); }
      layer = window.L.layerGroup().addTo(map);
    }
    data.incidents.forEach(function (incident) {
      var label = (incident.wide_area ? t.tWide : t.tIncident) + " · " + incident.reports + " " + t.tReports;
      if (incident.estimated_restoration_at) { label += " · " + t.tEta + " " + when(incident.estimated_restoration_at); }
      rows.push(item(label, incident.wide_area ? "wide" : ""));
      if (layer && incident.lat !== null) {
        window.L.circleMarker([incident.lat, incident.lng], {
          radius: incident.wide_area ? 14 : 8, color: "#b00020", fillOpacity: 0.5
        }).bindPopup(label).addTo(layer);
      }
    });
    data.planned.forEach(function (plan) {
      var label = t.tPlanned + ": " + plan.title + " · " + when(plan.starts_at) + " " + t.tUntil + " " + when(plan.ends_at);
      rows.push(item(label, "planned"));
      if (!layer) { return; }
      if (plan.area) {
        window.L.geoJSON(plan.area, { style: { color: "#8a5a00", weight: 2, fillOpacity: 0.15 } }).bindPopup(label).addTo(layer);
      } else if (plan.lat !== null) {
        window.L.circle([plan.lat, plan.lng], { radius: plan.radius_m || 300, color: "#8a5a00", fillOpacity: 0.15 })
          .bindPopup(label).addTo(layer);
      }
    });
    if (!rows.length) { rows.push(item(t.tNone)); }
    list.replaceChildren.apply(list, rows);
  }

  function load() {
    if (!t.area) { return; }
    fetch(t.api + "?area=" + encodeURIComponent(t.area), { credentials: "omit" })
      .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); })
      .then(draw)
      .catch(function () { list.replaceChildren(item(t.tError)); });
  }

  var select = document.getElementById("area");
  if (select) {
    select.addEventListener("change", function () { t.area = select.value; box.dataset.area = select.value; load(); });
  }
  load();
  window.setInterval(load, 60000);
}());
