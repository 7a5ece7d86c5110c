// Dispatcher board: polls the board API, draws incidents and technicians on a Leaflet map, lists open
// incidents and unassigned tickets, and assigns / reassigns an incident to a technician with a reason.
(function () {
  "use strict";
  var root = document.getElementById("board");
  if (!root) { return; }
  var t = document.getElementById("i18n").dataset;
  var cfg = root.dataset;
  var pollMs = parseInt(cfg.pollMs, 10) || 10000;
  var COLORS = { available: "#1e7b34", busy: "#e08a00", off: "#7a7f85" };
  var data = { incidents: [], unassigned: [], technicians: [] };
  var map = null;
  var techLayer = null;
  var incidentLayer = null;
  var fitted = false;
  var openForm = null;

  // "1 report waiting", "2 reports waiting": the page gives both forms of the language ("{count}" in each);
  // one is singular, every other number plural (Indonesian has one form, so both are the same there).
  function counted(number, one, other) {
    return (number === 1 ? one : other).replace("{count}", String(number));
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) { return decodeURIComponent(match[1]); }
    return root.querySelector("input[name=csrfmiddlewaretoken]").value;
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

  function api(method, url, body) {
    // The API answers in the page's language (status labels), not the browser's.
    var options = { method: method, credentials: "same-origin", cache: "no-store",
      headers: { "Accept": "application/json", "Accept-Language": document.documentElement.lang || "id" } };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.headers["X-CSRFToken"] = csrfToken();
      options.body = JSON.stringify(body);
    }
    return fetch(url, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (json) {
        return { ok: response.ok, status: response.status, data: json };
      });
    });
  }

  function formatTime(iso) {
    if (!iso) { return ""; }
    return new Date(iso).toLocaleString(document.documentElement.lang || "id", { dateStyle: "short", timeStyle: "short" });
  }

  function haversineKm(aLat, aLng, bLat, bLng) {
    var rad = Math.PI / 180;
    var dLat = (bLat - aLat) * rad;
    var dLng = (bLng - aLng) * rad;
    var h = Math.sin(dLat / 2) * Math.sin(dLat / 2) +
      Math.cos(aLat * rad) * Math.cos(bLat * rad) * Math.sin(dLng / 2) * Math.sin(dLng / 2);
    return 12742 * Math.asin(Math.sqrt(h));
  }

  var centres = {};
  try { centres = JSON.parse(cfg.unitCentres || "{}"); } catch (e) { centres = {}; }

  function hasPoint(item) { return item && item.lat != null && item.lng != null; }

  // An incident without its own point (no location given) sits at its unit's centre on the map.
  function pointOf(item) {
    if (hasPoint(item)) { return [item.lat, item.lng]; }
    return centres[item.unit] || null;
  }

  function stateLabel(state) { return t["state" + state.charAt(0).toUpperCase() + state.slice(1)] || state; }

  // --- map ----------------------------------------------------------------------------------------------
  function setupMap() {
    if (!window.L) { return; }
    var start = centres[cfg.homeUnit] || centres[Object.keys(centres)[0]] || [-2.5, 118];
    map = window.L.map("board-map", { zoomControl: true }).setView(start, centres[cfg.homeUnit] ? 12 : 5);
    if (cfg.tileUrl) {
      window.L.tileLayer(cfg.tileUrl, { maxZoom: 19, attribution: t.attribution }).addTo(map);
    }
    incidentLayer = window.L.layerGroup().addTo(map);
    techLayer = window.L.layerGroup().addTo(map);
  }

  function drawMap() {
    if (!map) { return; }
    incidentLayer.clearLayers();
    techLayer.clearLayers();
    var points = [];
    data.incidents.forEach(function (incident) {
      var point = pointOf(incident);
      if (!point) { return; }
      points.push(point);
      window.L.circleMarker(point, {
        radius: 10 + Math.min(10, incident.report_count || 0), color: "#b3261e", weight: 2,
        fillColor: incident.status === "open" ? "#b3261e" : "#f4b4ae", fillOpacity: 0.7, className: "incident-marker"
      }).bindTooltip((incident.address || (incident.tickets || []).join(", ") || t.noAddress) + " · " +
        (incident.status_label || incident.status))
        .addTo(incidentLayer);
    });
    data.technicians.forEach(function (tech) {
      if (!hasPoint(tech)) { return; }
      points.push([tech.lat, tech.lng]);
      window.L.circleMarker([tech.lat, tech.lng], {
        radius: 7, color: "#fff", weight: 2, fillColor: COLORS[tech.state] || COLORS.off, fillOpacity: 1,
        className: "tech-marker tech-marker-" + tech.state
      }).bindTooltip(tech.name + " · " + stateLabel(tech.state)).addTo(techLayer);
    });
    if (!fitted && points.length) {
      map.fitBounds(points, { padding: [30, 30], maxZoom: 15 });
      fitted = true;
    }
  }

  // --- lists --------------------------------------------------------------------------------------------
  function technicianOptions(incident) {
    var list = data.technicians.slice();
    var point = pointOf(incident);
    if (point) {
      list.forEach(function (tech) {
        tech._km = hasPoint(tech) ? haversineKm(point[0], point[1], tech.lat, tech.lng) : null;
      });
      list.sort(function (a, b) {
        if (a._km === null) { return 1; }
        if (b._km === null) { return -1; }
        return a._km - b._km;
      });
    }
    var select = el("select", { name: "technician", required: "required", id: "assign-tech-" + incident.id },
      [el("option", { value: "", text: t.chooseTechnician })]);
    list.forEach(function (tech) {
      var label = tech.name + " · " + stateLabel(tech.state) + " · " + counted(tech.active_jobs || 0, t.jobsOne, t.jobsOther);
      if (tech._km != null) { label += " · " + tech._km.toFixed(1) + " " + t.km; }
      select.appendChild(el("option", { value: tech.id, text: label }));
    });
    return select;
  }

  function assignForm(incident) {
    var form = el("form", { "class": "assign-form", hidden: "hidden", "data-incident": incident.id });
    var reason = el("input", { type: "text", name: "reason", maxlength: "255", id: "assign-reason-" + incident.id });
    var error = el("p", { "class": "error", role: "alert" });
    form.appendChild(el("div", { "class": "field" }, [
      el("label", { "for": "assign-tech-" + incident.id, text: t.technician }), technicianOptions(incident)]));
    form.appendChild(el("div", { "class": "field" }, [
      el("label", { "for": "assign-reason-" + incident.id, text: t.reason }), reason,
      el("p", { "class": "help", text: t.reasonHelp })]));
    form.appendChild(error);
    var cancel = el("button", { type: "button", "class": "button secondary", text: t.cancel });
    cancel.addEventListener("click", function () { form.hidden = true; openForm = null; render(); });
    form.appendChild(el("div", { "class": "actions-row" }, [
      el("button", { type: "submit", "class": "button primary assign-submit", text: t.save }), cancel]));
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var technician = form.querySelector("select[name=technician]").value;
      if (!technician || !reason.value.trim()) { error.textContent = t.reasonNeeded; return; }
      var submit = form.querySelector(".assign-submit");
      submit.disabled = true;
      api("POST", cfg.assignUrl.replace("{id}", encodeURIComponent(incident.id)),
        { technician: Number(technician), reason: reason.value.trim() }).then(function (res) {
        submit.disabled = false;
        if (!res.ok) {
          var fields = (res.data.extra && res.data.extra.fields) || {};
          var detail = Object.keys(fields).map(function (k) { return [].concat(fields[k]).join(" "); }).join(" ");
          error.textContent = (res.data.message || res.status) + (detail ? " " + detail : "");
          return;
        }
        openForm = null;
        document.getElementById("board-error").textContent = "";
        refresh().then(function () { document.getElementById("board-updated").textContent = t.assigned; });
      }, function () {
        submit.disabled = false;
        error.textContent = t.failed;
      });
    });
    return form;
  }

  function crewOf(incident) {
    var live = incident.assignment;
    return live && live.technician ? live : null;
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function localInputValue(date) {
    return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) + "T" +
      pad(date.getHours()) + ":" + pad(date.getMinutes());
  }

  // Estimated restoration: the dispatcher's local time, sent as an instant; every customer is told.
  function estimateForm(incident) {
    var form = el("form", { "class": "estimate-form inline-fields", "data-incident": incident.id });
    var id = "estimate-" + incident.id;
    var current = incident.estimated_restoration_at ? new Date(incident.estimated_restoration_at) :
      new Date(Date.now() + 2 * 3600 * 1000);
    var input = el("input", { type: "datetime-local", name: "estimated_restoration_at", id: id, required: "required",
      value: localInputValue(current) });
    var error = el("p", { "class": "error", role: "alert" });
    form.appendChild(el("label", { "for": id, text: t.dateTime }));
    form.appendChild(el("div", { "class": "actions-row" }, [input,
      el("button", { type: "submit", "class": "button secondary estimate-submit", text: t.save2 })]));
    form.appendChild(error);
    input.addEventListener("focus", function () { openForm = incident.id; });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var when = new Date(input.value);
      if (isNaN(when.getTime())) { error.textContent = t.estimateNeeded; return; }
      api("POST", cfg.estimateUrl.replace("{id}", encodeURIComponent(incident.id)),
        { estimated_restoration_at: when.toISOString() }).then(function (res) {
        if (!res.ok) {
          var fields = (res.data.extra && res.data.extra.fields) || {};
          error.textContent = [res.data.message || res.status].concat(
            Object.keys(fields).map(function (k) { return [].concat(fields[k]).join(" "); })).join(" ");
          return;
        }
        openForm = null;
        refresh().then(function () { document.getElementById("board-updated").textContent = t.estimateSaved; });
      }, function () { error.textContent = t.failed; });
    });
    return form;
  }

  function incidentItem(incident) {
    var crew = crewOf(incident);
    var unassigned = !crew;
    var item = el("li", { "class": "board-item incident" + (unassigned ? " unassigned" : ""),
      "data-incident": incident.id, "data-status": incident.status });
    var tickets = (incident.tickets || []).join(", ");
    item.appendChild(el("h3", { text: incident.address || tickets || t.noAddress }));
    if (incident.address && tickets) { item.appendChild(el("p", { "class": "muted", text: tickets })); }
    // Only the reports still without power wait for the crew; those already restored are counted apart.
    var waiting = incident.open_report_count === undefined ? (incident.report_count || 0) : incident.open_report_count;
    var line = (incident.status_label || incident.status) + " · " + counted(waiting, t.reportsOne, t.reportsOther);
    if (incident.report_count > waiting) { line += " (" + (incident.report_count - waiting) + " " + t.reportsDone + ")"; }
    if (incident.opened_at) { line += " · " + t.opened + " " + formatTime(incident.opened_at); }
    item.appendChild(el("p", { "class": "muted", text: line }));
    if (crew) {
      var state = t["assignment" + crew.state.replace(/(^|_)(\w)/g, function (m, sep, c) { return c.toUpperCase(); })] || crew.state;
      item.appendChild(el("p", { "class": "assigned-to",
        text: t.technician + ": " + crew.technician.name + " (" + state + (crew.manual ? ", " + t.manual : "") + ")" }));
    } else if (incident.unassignable_since) {
      item.appendChild(el("p", { "class": "badge badge-breach nobody-to-offer",
        text: t.nobodyToOffer + " " + formatTime(incident.unassignable_since) }));
    } else {
      item.appendChild(el("p", { "class": "badge badge-breach", text: t.unassigned }));
    }
    if (incident.estimated_restoration_at) {
      item.appendChild(el("p", { "class": "muted", text: t.estimate + ": " + formatTime(incident.estimated_restoration_at) }));
    }
    var summary = el("summary", { text: t.setEstimate });
    var details = el("details", { "class": "estimate" }, [summary]);
    // Hold the list still from the click on (the toggle event comes a moment later).
    summary.addEventListener("click", function () { openForm = details.open ? null : incident.id; });
    details.appendChild(estimateForm(incident));
    if (openForm === incident.id) { details.open = true; }
    details.addEventListener("toggle", function () { openForm = details.open ? incident.id : null; });
    item.appendChild(details);
    if (incident.status === "in_progress" || incident.status === "partly_restored") {
      return item;  // the crew is working on site: no reassignment until it is restored
    }
    var toggle = el("button", { type: "button", "class": "button secondary assign-toggle",
      text: unassigned ? t.assign : t.reassign });
    var form = assignForm(incident);
    toggle.addEventListener("click", function () {
      form.hidden = !form.hidden;
      openForm = form.hidden ? null : incident.id;
      if (!form.hidden) { form.querySelector("select").focus(); }
    });
    item.appendChild(toggle);
    item.appendChild(form);
    if (openForm === incident.id) { form.hidden = false; }
    return item;
  }

  function ticketItem(ticket) {
    var item = el("li", { "class": "board-item unassigned ticket", "data-ticket": ticket.number });
    item.appendChild(el("h3", { text: ticket.number + (ticket.category ? " · " + ticket.category : "") }));
    var line = ticket.address || t.noAddress;
    if (ticket.created_at) { line += " · " + formatTime(ticket.created_at); }
    item.appendChild(el("p", { "class": "muted", text: line }));
    if (ticket.incident) {
      item.appendChild(el("p", { "class": "muted", text: t.incident + " #" + (ticket.incident.id || ticket.incident) }));
    }
    return item;
  }

  function technicianItem(tech) {
    var seen = tech.last_position_at ? t.lastSeen + " " + formatTime(tech.last_position_at) : t.noPosition;
    return el("li", { "class": "board-item technician", "data-technician": tech.id, "data-state": tech.state }, [
      el("strong", { text: tech.name }), document.createTextNode(" "),
      el("span", { "class": "tech-state tech-state-" + tech.state, text: stateLabel(tech.state) }),
      el("p", { "class": "muted", text: counted(tech.active_jobs || 0, t.jobsOne, t.jobsOther) + " · " + seen })
    ]);
  }

  function fill(listId, countId, items, make, empty) {
    var list = document.getElementById(listId);
    clear(list);
    document.getElementById(countId).textContent = items.length;
    if (!items.length) { list.appendChild(el("li", { "class": "muted", text: empty })); return; }
    items.forEach(function (item) { list.appendChild(make(item)); });
  }

  // Incidents nobody could be offered: at the top of the board, at once (the ULP supervisor is mailed too).
  function alertNobodyToOffer() {
    var box = document.getElementById("nobody-alert");
    var stuck = data.incidents.filter(function (i) { return i.unassignable_since && !crewOf(i); });
    clear(box);
    box.hidden = !stuck.length;
    if (!stuck.length) { return; }
    box.appendChild(el("strong", { text: t.nobodyAlert }));
    box.appendChild(el("ul", {}, stuck.map(function (i) {
      return el("li", { text: "#" + i.id + " " + (i.address || (i.tickets || []).join(", ") || t.noAddress) +
        " · " + t.nobodyToOffer + " " + formatTime(i.unassignable_since) });
    })));
  }

  function render() {
    // An open assignment form is left alone until it is sent or cancelled.
    if (openForm === null) {
      var incidents = data.incidents.slice().sort(function (a, b) {
        return (crewOf(a) ? 1 : 0) - (crewOf(b) ? 1 : 0);
      });
      fill("incident-list", "incident-count", incidents, incidentItem, t.noIncidents);
    }
    alertNobodyToOffer();
    fill("unassigned-list", "unassigned-count", data.unassigned, ticketItem, t.noUnassigned);
    fill("technician-list", "technician-count", data.technicians, technicianItem, t.noTechnicians);
    drawMap();
  }

  function refresh() {
    return api("GET", cfg.boardUrl).then(function (res) {
      if (!res.ok) { throw new Error(res.status); }
      data = {
        incidents: res.data.incidents || [],
        unassigned: res.data.unassigned || [],
        technicians: res.data.technicians || []
      };
      document.getElementById("board-error").textContent = "";
      document.getElementById("board-updated").textContent = t.updated + " " + new Date().toLocaleTimeString(document.documentElement.lang || "id");
      render();
      root.setAttribute("data-ready", "1");
    }).catch(function () {
      document.getElementById("board-error").textContent = t.failed;
    });
  }

  setupMap();
  refresh();
  window.setInterval(function () { if (!document.hidden) { refresh(); } }, pollMs);
}());
