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
  var idempotencyKey = newKey();

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

  function renderTickets(list, target) {
    clear(target);
    if (!list.length) { target.appendChild(el("li", { "class": "muted", text: t.noTickets })); return; }
    list.forEach(function (ticket) {
      target.appendChild(el("li", { "class": "ticket-line" }, [
        el("strong", { text: ticket.number }), document.createTextNode(" · " + ticket.category + " · "),
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
        (incident.estimated_restore_at ? " · " + t.eta + " " + new Date(incident.estimated_restore_at).toLocaleString() : "") }));
    });
  }

  function useCustomer(customer) {
    form.elements.id_pelanggan.value = customer.id_pelanggan;
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
      // A new call: prefill the ticket form for it.
      shownCallId = call.call_id;
      form.reset();
      idempotencyKey = newKey();
      document.getElementById("ticket-result").hidden = true;
      document.getElementById("ticket-call").value = call.id;
      form.elements.reporter_phone.value = call.caller_number;
      if (call.customers.length === 1) { useCustomer(call.customers[0]); }
      root.dispatchEvent(new CustomEvent("console:call", { detail: call }));  // billing/console_bills.js
      if (document.title.indexOf("📞") !== 0) { document.title = "📞 " + document.title; }
    }
  }

  function showState(state) {
    var label = document.getElementById("state-" + state);
    var target = document.getElementById("seat-state");
    target.dataset.state = state;
    if (label) { target.textContent = label.textContent; }
  }

  var timer = null;
  function poll() {
    request("GET", urls.currentUrl).then(function (result) {
      if (result.ok) {
        showState(result.data.state);
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
      request("POST", urls.stateUrl, { state: button.dataset.state }).then(function (result) {
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
      address: form.elements.address.value.trim()
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
      clear(errors);
      if (result.ok) {
        errors.hidden = true;
        var done = document.getElementById("ticket-result");
        done.hidden = false;
        done.textContent = t.saved + " " + result.data.number + " · " + result.data.category + " · " + result.data.unit;
        var callId = form.elements.call.value;
        var phone = form.elements.reporter_phone.value;
        form.reset();
        form.elements.call.value = callId;
        form.elements.reporter_phone.value = phone;
        idempotencyKey = newKey();
        return;
      }
      errors.hidden = false;
      errors.appendChild(el("p", { text: (result.data && result.data.message) || t.failed }));
      var fields = (result.data && result.data.extra && result.data.extra.fields) || {};
      Object.keys(fields).forEach(function (name) {
        errors.appendChild(el("p", { text: name + ": " + [].concat(fields[name]).join(" ") }));
      });
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

  poll();
  window.addEventListener("beforeunload", function () { if (timer) { clearTimeout(timer); } });
}());
