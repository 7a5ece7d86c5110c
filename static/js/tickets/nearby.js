// Report form: when the customer picks an outage category and has given their location, ask whether a
// known outage is open nearby and say so at once (with its estimated restoration); they can still send.
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  var box = document.getElementById("nearby-outage");
  if (!form || !box) { return; }
  var t = box.dataset;
  var outage = (t.outageCategories || "").split(/\s+/).filter(Boolean);
  var category = form.querySelector("[name=category]");
  var lat = form.querySelector("input[name=lat]");
  var lng = form.querySelector("input[name=lng]");
  var asked = null;

  function hide() { box.hidden = true; box.textContent = ""; }

  function formatTime(iso) {
    return new Date(iso).toLocaleString(document.documentElement.lang || "id", {
      weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit"
    });
  }

  function show(incident) {
    var estimate = incident.estimated_restoration_at ? formatTime(incident.estimated_restoration_at) : t.noEstimate;
    box.textContent = "";
    var title = document.createElement("strong");
    title.textContent = t.known;
    box.appendChild(title);
    box.appendChild(document.createTextNode(" " + t.estimate + " " + estimate + ". " + t.added));
    box.hidden = false;
  }

  function check() {
    if (!category || outage.indexOf(category.value) === -1 || !lat.value || !lng.value) { hide(); asked = null; return; }
    var key = lat.value + "," + lng.value;
    if (key === asked) { box.hidden = !box.textContent; return; }
    asked = key;
    var url = t.url + "?lat=" + encodeURIComponent(lat.value) + "&lng=" + encodeURIComponent(lng.value);
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } }).then(function (response) {
      return response.ok ? response.json() : { incident: null };
    }).then(function (data) {
      if (asked !== key) { return; }
      if (data && data.incident && outage.indexOf(category.value) !== -1) { show(data.incident); } else { hide(); }
    }).catch(hide);
  }

  if (category) { category.addEventListener("change", check); }
  form.addEventListener("sigap:located", check);
  check();
}());
