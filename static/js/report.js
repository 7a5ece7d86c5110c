// Report form: "use my location" fills the hidden coordinates; the submit button shows progress.
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form) { return; }
  var texts = document.getElementById("i18n").dataset;
  var button = document.getElementById("use-location");
  var status = document.getElementById("location-status");
  var lat = form.querySelector("input[name=lat]");
  var lng = form.querySelector("input[name=lng]");
  if (button) {
    if (!("geolocation" in navigator)) { button.hidden = true; }
    button.addEventListener("click", function () {
      status.textContent = texts.locating;
      navigator.geolocation.getCurrentPosition(function (pos) {
        lat.value = pos.coords.latitude.toFixed(6);
        lng.value = pos.coords.longitude.toFixed(6);
        status.textContent = texts.located + " (" + lat.value + ", " + lng.value + ")";
        form.dispatchEvent(new CustomEvent("sigap:located", { detail: { lat: lat.value, lng: lng.value } }));
      }, function () {
        status.textContent = texts.failed;
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
  }
  form.addEventListener("submit", function () {
    var submit = document.getElementById("submit-report");
    submit.disabled = true;
    document.getElementById("submit-progress").hidden = false;
  });
}());
