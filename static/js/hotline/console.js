// Operator console: short polling for the call at this seat (works behind any HTTP proxy), screen-pop,
// customer search and one-screen ticket logging. Keyboard: "/" search, Alt+R ready, Ctrl+Enter save.
(function () {
  "use strict";
  var root = document.getElementById("console");
  if (!root) { return; }
  var t = document.getElementById("i18n").dataset;
  var urls = root.dataset;
  var pollMs = parseInt(urls.pollMs, 10) || 1000;
  var form = document.getElementById("ticket-form");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var shownCallId = null;
  var pendingCall = null;
  var idempotencyKey = newKey();
  var map = null;
  var pin = null;

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    return String(Date.now()) + "-" + Math.random().toString(16).slice(2);
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") { node.textContent = attrs[key]; } else { node.setAttribute(key, attrs[key]); }
    });
    (children || []).forEach(function (child) { if (child) { node.appendChild(child); } });
    return node;
  }

  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }

  function request(method, url, body) {
    var options = { method: method, credentials: "same-origin", cache: "no-store",
      headers: { "Accept": "application/json" } };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.headers["X-CSRFToken"] = csrf;
      options.body = JSON.stringify(body);
    }
    return fetch(url, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { ok: response.ok, status: response.status, data: data };
      });
    });
  }

  function ticketPage(number) { return urls.ticketPageUrl.replace(/0\/$/, encodeURIComponent(number) + "/"); }

  // --- the map pin: where a caller without an ID pelanggan is ------------------------------------------
  function setPin(lat, lng) {
    form.elements.lat.value = lat.toFixed(6);
    form.elements.lng.value = lng.toFixed(6);
    document.getElementById("ticket-pin").textContent = t.pinned + " " + lat.toFixed(5) + ", " + lng.toFixed(5);
    if (!map) { return; }
    if (pin) { pin.setLatLng([lat, lng]); } else {
      pin = window.L.circleMarker([lat, lng], { radius: 9, color: "#b3261e", weight: 3, fillOpacity: 0.6,
        className: "pin-marker" }).addTo(map);
    }
  }

  function clearPin() {
    form.elements.lat.value = "";
    form.elements.lng.value = "";
    document.getElementById("ticket-pin").textContent = t.noPin;
    if (pin && map) { map.removeLayer(pin); }
    pin = null;
  }

  function setupMap() {
    if (!window.L) { return; }
    var centre = [-1.2379, 116.8529];
    try { centre = JSON.parse(urls.mapCentre) || centre; } catch (e) { /* keep the default */ }
    map = window.L.map("ticket-map", { zoomControl: true }).setView(centre, 13);
    if (urls.tileUrl) {
      window.L.tileLayer(urls.tileUrl, { maxZoom: 19, attribution: t.attribution }).addTo(map);
    }
    map.on("click", function (event) { setPin(event.latlng.lat, event.latlng.lng); });
  }
  document.getElementById("ticket-pin-clear").addEventListener("click", clearPin);

  function renderTickets(list, target) {
    clear(target);
    if (!list.length) { target.appendChild(el("li", { "class": "muted", text: t.noTickets })); return; }
    list.forEach(function (ticket) {
      target.appendChild(el("li", { "class": "ticket-line" }, [
        el("a", { href: ticketPage(ticket.number), text: ticket.number }), document.createTextNode(" · " + ticket.category + " · "),
        el("span", { "class": "status status-" + ticket.status, text: ticket.status_label }),
        el("div", { "class": "muted", text: ticket.description })
      ]));
    });
  }

  function customerCard(customer) {
    var use = el("button", { type: "button", "class": "button secondary small", text: t.use });
    use.addEventListener("click", function () { useCustomer(customer); });
    return el("div", { "class": "customer-card" }, [
      el("p", {}, [el("strong", { text: customer.name }), document.createTextNode(" · " + customer.unit)]),
      el("p", { "class": "muted", text: t.idpel + " " + customer.id_pelanggan + (customer.meter_number ? " · " + t.meter + " " + customer.meter_number : "") + " · " + customer.tariff + " " + customer.power_va + " VA" }),
      el("p", { "class": "muted", text: customer.address + (customer.phone ? " · " + customer.phone : "") }),
      use
    ]);
  }

  function renderIncidents(incidents, target) {
    clear(target);
    incidents.forEach(function (incident) {
      target.appendChild(el("p", { "class": "incident-banner", text: "⚠ " + t.incident + ": " + incident.title +
        (incident.status ? " (" + incident.status + ")" : "") +
        (incident.estimated_restore_at ? " · " + t.eta + " " + new Date(incident.estimated_restore_at).toLocaleString(document.documentElement.lang || "id", { dateStyle: "short", timeStyle: "short" }) : "") }));
    });
  }

  function useCustomer(customer) {
    form.elements.id_pelanggan.value = customer.id_pelanggan;
    if (!form.elements.reporter_phone.value && customer.phone) { form.elements.reporter_phone.value = customer.phone; }
    root.dispatchEvent(new CustomEvent("console:customer", { detail: customer }));
    if (!form.elements.reporter_name.value) { form.elements.reporter_name.value = customer.name; }
    if (!form.elements.address.value) { form.elements.address.value = customer.address; }
    form.elements.category.focus();
  }

  function showCall(call) {
    var pop = document.getElementById("call-pop");
    if (!call) {
      pop.hidden = true;
      pop.classList.remove("ringing");
      document.title = document.title.replace(/^📞 /, "");
      shownCallId = null;
      return;
    }
    pop.hidden = false;
    pop.dataset.callId = call.call_id;
    pop.classList.toggle("ringing", call.status === "ringing");
    document.getElementById("call-status").textContent = call.status === "ringing" ? t.incoming : call.status_label;
    document.getElementById("call-number").textContent = call.caller_number;
    document.getElementById("call-queue").textContent = call.queue;
    document.getElementById("call-notice").textContent = call.answered_at ? (call.recorded_notice_played ? t.noticePlayed : t.noticeMissing) : "";
    var customers = document.getElementById("call-customers");
    clear(customers);
    if (!call.customers.length) { customers.appendChild(el("p", { "class": "muted", text: t.noCustomer })); }
    call.customers.forEach(function (customer) { customers.appendChild(customerCard(customer)); });
    renderTickets(call.open_tickets, document.getElementById("call-open"));
    renderTickets(call.recent_tickets, document.getElementById("call-recent"));
    renderIncidents(call.incidents, document.getElementById("call-incidents"));
    if (shownCallId !== call.call_id) {
      shownCallId = call.call_id;
      root.dispatchEvent(new CustomEvent("console:call", { detail: call }));  // billing/console_bills.js
      if (document.title.indexOf("📞") !== 0) { document.title = "📞 " + document.title; }
      // A half-written ticket is never overwritten: the new call waits beside it until the operator switches.
      if (formIsDirty()) {
        pendingCall = call;
        document.getElementById("call-waiting").hidden = false;
      } else {
        startTicketFor(call);
      }
    }
  }

  function formIsDirty() {
    return ["category", "description", "id_pelanggan", "reporter_name", "address", "landmark", "lat", "unit"]
      .some(function (name) { return form.elements[name] && form.elements[name].value.trim() !== ""; });
  }

  function startTicketFor(call) {
    pendingCall = null;
    document.getElementById("call-waiting").hidden = true;
    form.reset();
    clearPin();
    clearErrors();
    idempotencyKey = newKey();
    document.getElementById("ticket-result").hidden = true;
    document.getElementById("ticket-call").value = call.id;
    form.elements.reporter_phone.value = call.caller_number;
    if (call.customers.length === 1) { useCustomer(call.customers[0]); }
  }
  document.getElementById("call-switch").addEventListener("click", function () {
    if (pendingCall) { startTicketFor(pendingCall); }
  });

  function clearErrors() {
    var box = document.getElementById("ticket-errors");
    clear(box);
    box.hidden = true;
    Array.prototype.forEach.call(form.querySelectorAll(".field-error"), function (node) { node.remove(); });
    Array.prototype.forEach.call(form.querySelectorAll(".has-error"), function (node) { node.classList.remove("has-error"); });
  }

  // Field messages go beside their fields, in plain words; only a message with no field goes in the box.
  function showErrors(data) {
    var box = document.getElementById("ticket-errors");
    clearErrors();
    var fields = (data && data.extra && data.extra.fields) || {};
    var loose = [];
    Object.keys(fields).forEach(function (name) {
      var text = [].concat(fields[name]).join(" ");
      var holder = form.querySelector('[data-field="' + (name === "lng" ? "lat" : name) + '"]');
      if (holder) {
        holder.classList.add("has-error");
        holder.appendChild(el("p", { "class": "field-error", text: text }));
      } else {
        loose.push(text);
      }
    });
    box.hidden = false;
    box.appendChild(el("p", { text: t.failed }));
    loose.forEach(function (text) { box.appendChild(el("p", { text: text })); });
    var first = form.querySelector(".has-error input, .has-error select, .has-error textarea");
    if (first) { first.focus(); }
  }

  function showState(state) {
    var label = document.getElementById("state-" + state);
    var target = document.getElementById("seat-state");
    target.dataset.state = state;
    if (label) { target.textContent = label.textContent; }
  }

  var timer = null;
  var stateChanges = 0;  // the operator's own state changes, begun or answered: a poll older than one is stale
  function poll() {
    var asked = stateChanges;
    request("GET", urls.currentUrl).then(function (result) {
      if (result.ok) {
        if (asked === stateChanges) { showState(result.data.state); }
        showCall(result.data.call);
      } else if (result.status === 401 || result.status === 403) {
        // Logged out elsewhere or the session expired: say so instead of polling in vain.
        document.getElementById("seat-state").textContent = t.loggedOut;
        return;
      }
      timer = setTimeout(poll, pollMs);
    }).catch(function () {
      document.getElementById("seat-state").textContent = t.offline;
      timer = setTimeout(poll, Math.max(pollMs, 3000));
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll(".seat-buttons button"), function (button) {
    button.addEventListener("click", function () {
      stateChanges += 1;
      request("POST", urls.stateUrl, { state: button.dataset.state }).then(function (result) {
        stateChanges += 1;
        if (result.ok) { showState(result.data.state); }
      });
    });
  });

  document.getElementById("search-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var q = document.getElementById("search").value.trim();
    var target = document.getElementById("search-results");
    if (!q) { return; }
    request("GET", urls.searchUrl + "?q=" + encodeURIComponent(q)).then(function (result) {
      clear(target);
      var data = result.data;
      if (!result.ok || !data.customers.length) { target.appendChild(el("p", { "class": "muted", text: t.noResults })); }
      (data.customers || []).forEach(function (customer) { target.appendChild(customerCard(customer)); });
      var incidents = el("div", { "class": "incidents" });
      renderIncidents(data.incidents || [], incidents);
      target.appendChild(incidents);
      if ((data.open_tickets || []).length) {
        var list = el("ul", { "class": "plain" });
        renderTickets(data.open_tickets, list);
        target.appendChild(list);
      }
    });
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var errors = document.getElementById("ticket-errors");
    var body = {
      call: form.elements.call.value ? parseInt(form.elements.call.value, 10) : null,
      category: form.elements.category.value,
      description: form.elements.description.value,
      id_pelanggan: form.elements.id_pelanggan.value.trim(),
      reporter_phone: form.elements.reporter_phone.value.trim(),
      reporter_name: form.elements.reporter_name.value.trim(),
      address: form.elements.address.value.trim(),
      landmark: form.elements.landmark.value.trim(),
      lat: form.elements.lat.value ? parseFloat(form.elements.lat.value) : null,
      lng: form.elements.lng.value ? parseFloat(form.elements.lng.value) : null,
      unit: form.elements.unit.value || null
    };
    var submit = document.getElementById("ticket-submit");
    submit.disabled = true;
    var options = { method: "POST", credentials: "same-origin", headers: {
      "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf,
      "Idempotency-Key": idempotencyKey }, body: JSON.stringify(body) };
    fetch(urls.ticketUrl, options).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      submit.disabled = false;
      if (result.ok) {
        clearErrors();
        var done = document.getElementById("ticket-result");
        clear(done);
        done.hidden = false;
        done.appendChild(document.createTextNode(t.saved + " "));
        done.appendChild(el("a", { href: ticketPage(result.data.number), text: result.data.number }));
        done.appendChild(document.createTextNode(" · " + result.data.category + " · " + result.data.unit));
        var callId = form.elements.call.value;
        var phone = form.elements.reporter_phone.value;
        form.reset();
        clearPin();
        form.elements.call.value = callId;
        form.elements.reporter_phone.value = phone;
        idempotencyKey = newKey();
        if (pendingCall) { document.getElementById("call-waiting").hidden = false; }
        return;
      }
      showErrors(result.data);
    }).catch(function () {
      submit.disabled = false;
      errors.hidden = false;
      errors.textContent = t.failed;
    });
  });

  document.addEventListener("keydown", function (event) {
    var typing = /INPUT|TEXTAREA|SELECT/.test((event.target || {}).tagName || "");
    if (event.key === "/" && !typing) {
      event.preventDefault();
      document.getElementById("search").focus();
    } else if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && form.contains(event.target)) {
      event.preventDefault();
      form.requestSubmit();
    } else if (event.key === "Escape" && typing) {
      event.target.blur();
    }
  });

  setupMap();
  poll();
  window.addEventListener("beforeunload", function () { if (timer) { clearTimeout(timer); } });
}());
