// Technician app (PWA): polls my offers and jobs, takes job steps, pings my position while on duty.
// Every step is first written to the offline queue (queue.js) with a client_id, then sent in order; the
// server ignores a client_id it has already seen, so a step sent twice (a lost answer, a retry) counts once.
(function () {
  "use strict";
  var root = document.getElementById("tech-app");
  if (!root) { return; }
  var t = document.getElementById("i18n").dataset;
  var cfg = root.dataset;
  var pollMs = parseInt(cfg.pollMs, 10) || 15000;
  var pingMs = parseInt(cfg.pingMs, 10) || 60000;
  var onDuty = cfg.onDuty === "1";
  var dutyPending = 0, dutyVersion = 0;  // duty changes being asked; changes started or finished so far
  var cacheKey = "sigap-tech-jobs-" + cfg.user;
  var causesKey = "sigap-tech-causes-" + document.documentElement.lang;  // labels in the page's language
  var NEXT = {
    offered: ["accept", "decline"],
    accepted: ["depart"],
    en_route: ["arrive"],
    on_site: ["restore", "restore_partly"]
  };
  var AFTER = {
    accept: "accepted", decline: "declined", depart: "en_route", arrive: "on_site",
    restore: "restored", restore_partly: "on_site"
  };
  var LIVE = ["offered", "accepted", "en_route", "on_site"];
  var queue = null;
  var pending = [];
  var data = readJson(cacheKey, { offers: [], jobs: [] });
  var causes = readJson(causesKey, []);
  var cards = {};
  var skewMs = 0;
  var flushing = null;
  var flushAgain = false;
  var stepChain = Promise.resolve();
  var lastPosition = null;
  var adopted = 0;

  function readJson(key, fallback) {
    try { return JSON.parse(window.localStorage.getItem(key)) || fallback; } catch (e) { return fallback; }
  }

  function writeJson(key, value) {
    try { window.localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* storage full: keep going */ }
  }

  function uuid() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var bytes = window.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  // "1 report waiting", "2 reports waiting": the page gives both forms of the language ("{count}" in each);
  // one is singular, every other number plural (Indonesian has one form, so both are the same there).
  function counted(number, one, other) {
    return (number === 1 ? one : other).replace("{count}", String(number));
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) { return decodeURIComponent(match[1]); }
    var input = root.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
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

  // fetch that resolves to {ok, status, data} and rejects only when there is no network.
  function api(method, url, body) {
    // The API answers in the page's language (category names on the job card), not the phone's.
    var options = { method: method, credentials: "same-origin", cache: "no-store",
      headers: { "Accept": "application/json", "Accept-Language": document.documentElement.lang || "id" } };
    if (body !== undefined) {
      options.headers["X-CSRFToken"] = csrfToken();
      if (body instanceof FormData) {
        options.body = body;
      } else {
        options.headers["Content-Type"] = "application/json";
        options.body = JSON.stringify(body);
      }
    }
    return fetch(url, options).then(function (response) {
      var date = response.headers.get("Date");
      // The server's clock (whole seconds) for offer countdowns; only a clear difference counts.
      if (date && !isNaN(Date.parse(date))) {
        var skew = Date.parse(date) + 500 - Date.now();
        if (Math.abs(skew - skewMs) > 2000) { skewMs = skew; }
      }
      return response.json().catch(function () { return {}; }).then(function (json) {
        return { ok: response.ok, status: response.status, data: json };
      });
    });
  }

  function showMessage(text) {
    var box = document.getElementById("tech-message");
    box.textContent = text;
    box.hidden = !text;
  }

  function setNetwork(online) {
    var badge = document.getElementById("net-status");
    badge.textContent = online ? t.online : t.offline;
    badge.className = "badge " + (online ? "net-online" : "net-offline");
  }

  // Position: the browser's fix, at most 8 s old-waiting; null when refused or unavailable.
  function locate() {
    return new Promise(function (resolve) {
      if (!("geolocation" in navigator)) { resolve(lastPosition); return; }
      navigator.geolocation.getCurrentPosition(function (pos) {
        lastPosition = {
          lat: Number(pos.coords.latitude.toFixed(6)),
          lng: Number(pos.coords.longitude.toFixed(6)),
          accuracy_m: Math.round(pos.coords.accuracy || 0)
        };
        resolve(lastPosition);
      }, function () { resolve(lastPosition); }, { enableHighAccuracy: true, timeout: 8000, maximumAge: 30000 });
    });
  }

  // A position the server did not take (busy, network blip) is sent again in a few seconds, not a whole
  // ping interval later: the dispatcher ranks technicians by it.
  var pingRetry = null;
  function retryPingSoon() {
    if (pingRetry) { return; }
    pingRetry = window.setTimeout(function () { pingRetry = null; ping(); }, Math.min(pingMs, 5000));
  }

  function ping() {
    if (!onDuty) { return Promise.resolve(); }
    return locate().then(function (pos) {
      if (!pos || !navigator.onLine) { return; }
      return api("POST", cfg.positionUrl, pos).then(function (result) {
        if (!result.ok && (result.status >= 500 || result.status === 429)) { retryPingSoon(); }
      }, retryPingSoon);
    });
  }

  // --- state: the server's answer advanced by the steps still waiting in the queue -----------------------
  function effectiveState(assignment) {
    var state = assignment.state;
    pending.forEach(function (item) {
      if (String(item.assignment) === String(assignment.id) && AFTER[item.step]) { state = AFTER[item.step]; }
    });
    return state;
  }

  function partlyQueued(assignment) {
    return pending.some(function (item) {
      return String(item.assignment) === String(assignment.id) && item.step === "restore_partly";
    });
  }

  function allAssignments() {
    var seen = {};
    return (data.offers || []).concat(data.jobs || []).filter(function (a) {
      if (seen[a.id]) { return false; }
      seen[a.id] = true;
      return true;
    });
  }

  function secondsLeft(assignment) {
    if (!assignment.expires_at) { return null; }
    return Math.max(0, Math.floor((Date.parse(assignment.expires_at) - (Date.now() + skewMs)) / 1000));
  }

  function formatCountdown(seconds) {
    var m = Math.floor(seconds / 60);
    var s = seconds % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }

  function formatTime(iso) {
    if (!iso) { return ""; }
    var d = new Date(iso);
    return d.toLocaleString(document.documentElement.lang || "id", { dateStyle: "short", timeStyle: "short" });
  }

  function mapsUrl(assignment) {
    var inc = assignment.incident || {};
    if (assignment.maps_url) { return assignment.maps_url; }
    if (inc.lat == null || inc.lng == null) { return null; }
    return "https://www.google.com/maps/dir/?api=1&destination=" + inc.lat + "," + inc.lng;
  }

  function stepButton(assignment, step, cls) {
    var button = el("button", { type: "button", "class": "button " + cls + " step-" + step.replace("_", "-"),
      "data-step": step, text: t[step === "restore_partly" ? "restorePartly" : step] });
    button.addEventListener("click", function () {
      var extra = {};
      if (step === "restore" || step === "restore_partly") {
        var card = button.closest(".job-card");
        extra.cause = card.querySelector("select[name=cause]").value;
        extra.notes = card.querySelector("textarea[name=notes]").value;
        var file = card.querySelector("input[name=photo]").files[0];
        extra.photo = file || null;
        if (step === "restore" && !extra.cause) {
          showMessage(t.causeNeeded);
          card.querySelector("select[name=cause]").focus();
          return;
        }
      }
      button.disabled = true;
      takeStep(assignment, step, extra);
    });
    return button;
  }

  // data-state-on_site is dataset.stateOn_site
  function stateLabel(state) { return t["state" + state.charAt(0).toUpperCase() + state.slice(1)] || state; }

  function restoreForm(assignment) {
    var select = el("select", { name: "cause", id: "cause-" + assignment.id, required: "required" },
      [el("option", { value: "", text: t.chooseCause })]);
    causes.forEach(function (cause) {
      select.appendChild(el("option", { value: cause.code || cause.value, text: cause.label || cause.name }));
    });
    return el("div", { "class": "restore-form stack" }, [
      el("div", { "class": "field" }, [el("label", { "for": "cause-" + assignment.id, text: t.cause }), select]),
      el("div", { "class": "field" }, [el("label", { "for": "notes-" + assignment.id, text: t.notes }),
        el("textarea", { name: "notes", id: "notes-" + assignment.id, rows: "3", maxlength: "2000" })]),
      el("div", { "class": "field" }, [el("label", { "for": "photo-" + assignment.id, text: t.photo }),
        el("input", { type: "file", name: "photo", id: "photo-" + assignment.id, accept: "image/*", capture: "environment" })])
    ]);
  }

  // Each customer's report: category, their own words, who reported and a tap-to-call number, their photo.
  function reportList(reports) {
    var list = el("ul", { "class": "job-reports" });
    reports.forEach(function (report) {
      var item = el("li", { "class": "job-report" + (report.still_open ? "" : " done"), "data-ticket": report.number });
      var head = report.category_label + " · " + report.number;
      if (!report.still_open) { head += " · " + t.reportDone; }
      item.appendChild(el("p", { "class": "job-report-head", text: head }));
      if (report.description) { item.appendChild(el("p", { "class": "job-report-text", text: report.description })); }
      if (report.address) { item.appendChild(el("p", { "class": "muted", text: report.address })); }
      var who = el("p", { "class": "job-report-who", text: (report.reporter_name || t.noName) + " " });
      if (report.call_url) {
        who.appendChild(el("a", { "class": "call-link", href: report.call_url, text: t.call + " " + report.reporter_phone }));
      }
      item.appendChild(who);
      if (report.photo_url) {
        item.appendChild(el("a", { "class": "job-photo-link", href: report.photo_url, target: "_blank", rel: "noopener" },
          [el("img", { src: report.photo_url, alt: t.reportPhoto, loading: "lazy", width: "96", height: "96" })]));
      }
      list.appendChild(item);
    });
    return list;
  }

  function card(assignment, state) {
    var inc = assignment.incident || {};
    var node = el("li", { "class": "job-card card state-" + state, "data-assignment": assignment.id, "data-state": state });
    node.appendChild(el("h3", { "class": "job-address", text: inc.address || t.noAddress }));
    var waiting = inc.open_report_count === undefined ? (inc.report_count || 0) : inc.open_report_count;
    var meta = stateLabel(state) + " · " + counted(waiting, t.reportsOne, t.reportsOther);
    node.appendChild(el("p", { "class": "muted job-meta", text: meta }));
    var reports = assignment.reports || [];
    if (reports.length) {
      node.appendChild(reportList(reports));
    } else if (inc.tickets && inc.tickets.length) {
      node.appendChild(el("p", { "class": "muted job-tickets", text: t.tickets + ": " + inc.tickets.join(", ") }));
    }
    if (inc.estimated_restoration_at) {
      node.appendChild(el("p", { "class": "job-estimate", text: t.estimate + ": " + formatTime(inc.estimated_restoration_at) }));
    }
    if (state === "offered") {
      node.appendChild(el("p", { "class": "countdown", "data-expires": assignment.expires_at || "" }));
    }
    var url = mapsUrl(assignment);
    if (url && state !== "offered") {
      node.appendChild(el("a", { "class": "button secondary maps-link", href: url, target: "_blank", rel: "noopener", text: t.maps }));
    }
    if (state === "on_site") { node.appendChild(restoreForm(assignment)); }
    var actions = el("div", { "class": "actions-row" });
    (NEXT[state] || []).filter(function (step) {
      return !(step === "restore_partly" && (inc.status === "partly_restored" || partlyQueued(assignment)));
    }).forEach(function (step, index) {
      actions.appendChild(stepButton(assignment, step, index === 0 ? "primary" : "secondary"));
    });
    node.appendChild(actions);
    return node;
  }

  function signature(assignment, state) {
    var inc = assignment.incident || {};
    return [state, assignment.expires_at, inc.address, inc.report_count, inc.open_report_count,
      (assignment.reports || []).map(function (r) { return r.number + (r.still_open ? "" : "-") + r.reporter_phone; }).join(","),
      inc.estimated_restoration_at,
      (inc.tickets || []).join(","), causes.length, inc.status, partlyQueued(assignment)].join("|");
  }

  function render() {
    var offers = document.getElementById("offers");
    var jobs = document.getElementById("jobs");
    var seen = {};
    var offerCount = 0;
    var jobCount = 0;
    allAssignments().forEach(function (assignment) {
      var state = effectiveState(assignment);
      if (LIVE.indexOf(state) === -1) { return; }
      seen[assignment.id] = true;
      var sig = signature(assignment, state);
      var entry = cards[assignment.id];
      if (!entry || entry.sig !== sig) {
        var node = card(assignment, state);
        if (entry) {
          // Keep what the technician is typing (cause, notes, the chosen photo) when the card is redrawn.
          var typed = entry.node.querySelector(".restore-form");
          var fresh = node.querySelector(".restore-form");
          if (typed && fresh) {
            var kept = typed.querySelector("select[name=cause]");
            var options = fresh.querySelector("select[name=cause]");
            if (kept.options.length !== options.options.length) {
              var chosen = kept.value;
              kept.replaceWith(options);
              options.value = chosen;
            }
            fresh.replaceWith(typed);
          }
          entry.node.replaceWith(node);
        }
        entry = cards[assignment.id] = { sig: sig, node: node };
      }
      var target = state === "offered" ? offers : jobs;
      if (entry.node.parentNode !== target) { target.appendChild(entry.node); }
      if (state === "offered") { offerCount += 1; } else { jobCount += 1; }
    });
    Object.keys(cards).forEach(function (id) {
      if (!seen[id]) { cards[id].node.remove(); delete cards[id]; }
    });
    [[offers, offerCount, t.noOffers], [jobs, jobCount, t.noJobs]].forEach(function (row) {
      Array.prototype.forEach.call(row[0].querySelectorAll("li.muted"), function (li) { li.remove(); });
      if (!row[1]) { row[0].appendChild(el("li", { "class": "muted", text: row[2] })); }
    });
    tick();
    var status = document.getElementById("queue-status");
    status.hidden = !pending.length;
    status.textContent = t.queued + " " + pending.length;
  }

  function tick() {
    Array.prototype.forEach.call(document.querySelectorAll(".countdown"), function (node) {
      var id = node.closest(".job-card").getAttribute("data-assignment");
      var assignment = allAssignments().filter(function (a) { return String(a.id) === id; })[0];
      var left = assignment ? secondsLeft(assignment) : null;
      if (left === null) { node.textContent = ""; return; }
      var expired = left <= 0;
      node.textContent = expired ? t.expired : t.expiresIn + " " + formatCountdown(left);
      node.classList.toggle("expired", expired);
      var accept = node.closest(".job-card").querySelector(".step-accept");
      if (accept && expired) { accept.disabled = true; }
    });
  }

  // --- the queue ----------------------------------------------------------------------------------------
  function refreshPending() {
    return queue.all().then(function (items) { pending = items; });
  }

  function takeStep(assignment, step, extra) {
    stepChain = stepChain.then(function () {
      return locate().then(function (pos) {
        var item = {
          client_id: uuid(), assignment: assignment.id, step: step, at: new Date().toISOString(),
          cause: extra.cause || "", notes: extra.notes || "", photo: extra.photo || null
        };
        if (pos) { item.lat = pos.lat; item.lng = pos.lng; }
        return queue.add(item);
      }).then(refreshPending).then(function () {
        showMessage("");
        render();
        flush();
        ping();
      });
    }).catch(function (error) { showMessage(String(error)); });
    return stepChain;
  }

  function send(item) {
    var url = cfg.stepsUrl.replace("{id}", encodeURIComponent(item.assignment));
    var fields = { step: item.step, client_id: item.client_id, at: item.at, cause: item.cause, notes: item.notes };
    if (item.lat != null) { fields.lat = item.lat; fields.lng = item.lng; }
    if (item.photo) {
      var form = new FormData();
      Object.keys(fields).forEach(function (key) { form.append(key, fields[key]); });
      form.append("photo", item.photo, item.photo.name || "photo.jpg");
      return api("POST", url, form);
    }
    return api("POST", url, fields);
  }

  // The server's answer to a step replaces our copy at once, so the card never steps back while the
  // next poll is on its way.
  function adopt(assignment) {
    if (!assignment || assignment.id == null) { return; }
    var offers = (data.offers || []).filter(function (a) { return String(a.id) !== String(assignment.id); });
    var jobs = (data.jobs || []).filter(function (a) { return String(a.id) !== String(assignment.id); });
    if (assignment.state === "offered") { offers.push(assignment); } else { jobs.push(assignment); }
    data = { offers: offers, jobs: jobs };
    adopted += 1;
    writeJson(cacheKey, data);
  }

  // A 403 is final only while the session is still good; otherwise (logged out) the step waits.
  function stillLoggedIn() {
    return api("GET", cfg.jobsUrl).then(function (res) { return res.ok; }, function () { return false; });
  }

  function flush() {
    if (flushing) { flushAgain = true; return flushing; }
    var sent = false;
    function next() {
      return queue.all().then(function (items) {
        if (!items.length) { return; }
        var item = items[0];
        return send(item).then(function (res) {
          if (res.ok) {
            sent = true;
            adopt(res.data);
            return queue.remove(item.seq).then(next);
          }
          var final = [400, 404, 409, 410, 413, 422].indexOf(res.status) !== -1;
          var csrf = res.status === 403 && /CSRF/.test((res.data && res.data.message) || "");
          var check = csrf ? Promise.resolve(false) : (res.status === 403 ? stillLoggedIn() : Promise.resolve(final));
          return check.then(function (isFinal) {
            if (!isFinal) {
              if (res.status === 401 || res.status === 403) { showMessage(t.loginAgain); }
              return;
            }
            sent = true;
            showMessage(t.refused + " " + ((res.data && res.data.message) || res.status));
            return queue.remove(item.seq).then(next);
          });
        });
      });
    }
    flushing = next().catch(function () { setNetwork(false); }).then(function () {
      flushing = null;
      return refreshPending();
    }).then(function () {
      render();
      if (flushAgain) { flushAgain = false; return flush(); }
      if (sent) { return refresh(); }
    });
    return flushing;
  }

  // --- polling ------------------------------------------------------------------------------------------
  function refresh() {
    var asked = adopted, dutyAsked = dutyVersion;
    return api("GET", cfg.jobsUrl).then(function (res) {
      setNetwork(true);
      if (asked !== adopted) { return refresh(); }  // a step answered meanwhile: this list may predate it
      if (!res.ok) {
        if (res.status === 401 || res.status === 403) { showMessage(t.loginAgain); }
        return;
      }
      data = { offers: res.data.offers || [], jobs: res.data.jobs || [] };
      // The duty the server had when it answered, unless the technician changed it since this poll was sent or
      // the change is still being asked (a poll answered meanwhile would tick the box back for a while).
      if (res.data.technician && typeof res.data.technician.on_duty === "boolean" &&
          !dutyPending && dutyAsked === dutyVersion) {
        onDuty = res.data.technician.on_duty;
        document.getElementById("on-duty").checked = onDuty;
      }
      writeJson(cacheKey, data);
      document.getElementById("last-update").textContent = t.updated + " " + new Date().toLocaleTimeString(document.documentElement.lang || "id");
      render();
    }, function () { setNetwork(false); });
  }

  function loadCauses() {
    return api("GET", cfg.causesUrl).then(function (res) {
      if (!res.ok) { return; }
      var list = Array.isArray(res.data) ? res.data : (res.data.results || res.data.causes || []);
      causes = list;
      writeJson(causesKey, causes);
      render();
    }, function () {});
  }

  // A 503 means the server is briefly unavailable (it says so with Retry-After): ask again a few times, a second
  // more each time, before telling the technician it failed.
  function sendDuty(wanted, attempt) {
    return api("POST", cfg.dutyUrl, { on_duty: wanted }).then(function (res) {
      if (res.status !== 503 || attempt >= 3) { return res; }
      return new Promise(function (resolve) { window.setTimeout(resolve, 1000 * (attempt + 1)); }).then(function () {
        return sendDuty(wanted, attempt + 1);
      });
    });
  }

  function bindDuty() {
    var box = document.getElementById("on-duty");
    box.addEventListener("change", function () {
      var wanted = box.checked;
      dutyPending += 1;
      dutyVersion += 1;
      sendDuty(wanted, 0).then(function (res) {
        if (!res.ok) { throw new Error(res.status); }
        onDuty = typeof res.data.on_duty === "boolean" ? res.data.on_duty : wanted;
        box.checked = onDuty;
        showMessage("");
        ping();
      }).catch(function () {
        box.checked = !wanted;
        showMessage(t.onDutyFailed);
      }).then(function () {
        dutyPending -= 1;
        dutyVersion += 1;
      });
    });
  }

  function registerWorker() {
    if (!("serviceWorker" in navigator)) { return; }
    navigator.serviceWorker.register(cfg.swUrl, { scope: cfg.scope }).catch(function () {});
  }

  // Logging out forgets this user's copies on the phone (the queue is kept: it is sent after the next login).
  Array.prototype.forEach.call(document.querySelectorAll("form[action$='/logout/']"), function (form) {
    form.addEventListener("submit", function () {
      window.localStorage.removeItem(cacheKey);
      if (window.caches) {
        window.caches.keys().then(function (keys) {
          keys.forEach(function (key) { if (key.indexOf("sigap-tech-") === 0) { window.caches.delete(key); } });
        });
      }
    });
  });

  window.addEventListener("online", function () { setNetwork(true); flush(); refresh(); });
  window.addEventListener("offline", function () { setNetwork(false); });
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) { flush(); refresh(); }
  });

  setNetwork(navigator.onLine);
  bindDuty();
  registerWorker();
  window.SigapQueue.open(cfg.user).then(function (q) {
    queue = q;
    return refreshPending();
  }).then(function () {
    render();
    flush();
    refresh();
    loadCauses();
    ping();
    window.setInterval(function () { refresh(); if (pending.length) { flush(); } }, pollMs);
    window.setInterval(ping, pingMs);
    window.setInterval(tick, 1000);
    root.setAttribute("data-ready", "1");
  });
}());
