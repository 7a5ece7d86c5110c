// Outage banner (INFO PADAM MELUAS, planned outages) for the place on the page: the tracking page gives its
// ticket's place in data attributes; the report form gives it when the visitor shares a location, picks a
// ULP or types an ID pelanggan. Data come from the cached JSON endpoint; no inline script (CSP).
(function () {
  "use strict";
  var box = document.getElementById("outage-banner");
  if (!box || !window.fetch) { return; }
  var t = box.dataset;
  var lastQuery = null;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text) { node.textContent = text; }
    return node;
  }

  function subscribeForm(incident) {
    var form = el("form", "outage-subscribe");
    form.noValidate = true;
    var label = el("label", "", t.tPhone);
    var input = el("input");
    input.type = "tel"; input.name = "phone"; input.autocomplete = "tel"; input.required = true;
    input.id = "outage-subscribe-phone-" + incident;
    label.htmlFor = input.id;
    var button = el("button", "button secondary", t.tSend);
    button.type = "submit";
    var status = el("p", "help");
    status.setAttribute("aria-live", "polite");
    form.appendChild(el("p", "outage-subscribe-title", t.tSubscribe));
    form.appendChild(label); form.appendChild(input); form.appendChild(button); form.appendChild(status);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      button.disabled = true;
      var csrf = document.querySelector("input[name=csrfmiddlewaretoken]");
      fetch(t.subscribeApi, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf ? csrf.value : "" },
        body: JSON.stringify({ incident: incident, phone: input.value })
      }).then(function (response) {
        if (response.ok) { form.replaceChildren(el("p", "outage-subscribed", t.tSubscribed)); return; }
        button.disabled = false; status.textContent = t.tFailed;
      }).catch(function () { button.disabled = false; status.textContent = t.tFailed; });
    });
    return form;
  }

  function render(data) {
    box.replaceChildren();
    var notices = (data && data.notices) || [];
    if (!notices.length) { box.hidden = true; return; }
    notices.forEach(function (notice) {
      var card = el("div", "outage-notice outage-" + notice.kind);
      card.appendChild(el("strong", "outage-title", notice.title));
      card.appendChild(el("p", "outage-text", notice.text));
      if (notice.kind === "wide_area" && notice.incident) { card.appendChild(subscribeForm(notice.incident)); }
      box.appendChild(card);
    });
    box.hidden = false;
  }

  function load(params) {
    var query = new URLSearchParams(params).toString();
    if (!query || query === lastQuery) { return; }
    lastQuery = query;
    fetch(t.api + "?" + query, { credentials: "omit" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) { render(data); } })
      .catch(function () { /* the banner is a courtesy: a failed fetch leaves the page as it is */ });
  }

  var params = {};
  ["unit", "lat", "lng", "idpel"].forEach(function (name) { if (t[name]) { params[name] = t[name]; } });
  if (Object.keys(params).length) { load(params); }

  var form = document.getElementById("report-form");
  if (form) {
    form.addEventListener("sigap:located", function (event) {
      load({ lat: event.detail.lat, lng: event.detail.lng });
    });
    var unit = form.querySelector("select[name=unit]");
    if (unit) {
      unit.addEventListener("change", function () {
        if (/^\d+$/.test(unit.value)) { load({ unit_id: unit.value }); }
      });
    }
    var number = form.querySelector("input[name=customer_number]");
    if (number) {
      number.addEventListener("change", function () {
        var digits = number.value.replace(/\D/g, "");
        if (digits.length === 12) { load({ idpel: digits }); }
        if (digits.length === 11) { load({ meter: digits }); }
      });
    }
  }
}());
