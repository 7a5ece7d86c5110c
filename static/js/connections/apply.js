// Application form: "use my location" fills the coordinates; the ID pelanggan field shows for a power change.
(function () {
  "use strict";
  var form = document.getElementById("apply-form");
  if (!form) { return; }
  var texts = document.getElementById("i18n").dataset;
  var button = document.getElementById("use-location");
  var status = document.getElementById("location-status");
  var lat = form.querySelector("input[name=lat]");
  var lng = form.querySelector("input[name=lng]");
  var idpel = document.getElementById("idpel-field");
  function follow() {
    var chosen = form.querySelector("input[name=kind]:checked");
    idpel.hidden = !chosen || chosen.value !== "power_change";
  }
  form.querySelectorAll("input[name=kind]").forEach(function (input) { input.addEventListener("change", follow); });
  follow();
  if (!("geolocation" in navigator)) { button.hidden = true; }
  button.addEventListener("click", function () {
    status.textContent = texts.locating;
    navigator.geolocation.getCurrentPosition(function (pos) {
      lat.value = pos.coords.latitude.toFixed(6);
      lng.value = pos.coords.longitude.toFixed(6);
      status.textContent = texts.located;
    }, function () { status.textContent = texts.failed; }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  });
}());
