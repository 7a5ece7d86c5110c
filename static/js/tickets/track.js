// Tracking page: polls a small JSON endpoint and redraws the status, progress and timeline when they change.
// Plain short polling works behind any proxy; it pauses while the tab is hidden and stops once the ticket is closed.
(function () {
  "use strict";
  var box = document.getElementById("tracking");
  if (!box || !window.fetch) { return; }
  var url = box.dataset.statusUrl;
  var version = box.dataset.version;
  var every = Math.max(1, parseInt(box.dataset.pollSeconds, 10) || 10) * 1000;
  var open = box.dataset.open === "1";
  var timer = null;

  function setText(id, text) {
    var node = document.getElementById(id);
    if (node) { node.textContent = text === null || text === undefined ? "" : String(text); }
  }
  function show(id, visible) {
    var node = document.getElementById(id);
    if (node) { node.hidden = !visible; }
  }

  function render(data) {
    var status = document.getElementById("ticket-status");
    status.textContent = data.status_label;
    status.className = "status status-" + data.status;
    var p = data.progress || {};
    setText("progress-technician", p.technician);
    setText("progress-stage-text", p.stage);
    setText("progress-eta-minutes", p.eta_minutes);
    setText("progress-restoration-time", p.restoration);
    setText("progress-cause-text", p.cause);
    show("progress-stage", !!p.stage);
    show("progress-tech", !!p.technician);
    show("progress-eta", !!p.eta_minutes);
    show("progress-restoration", !!p.restoration);
    show("progress-cause", !!p.cause);
    show("progress", !!(p.stage || p.restoration || p.cause));
    var list = document.getElementById("timeline");
    while (list.firstChild) { list.removeChild(list.firstChild); }
    (data.timeline || []).forEach(function (item) {
      var li = document.createElement("li");
      li.className = "event event-" + item.kind;
      var time = document.createElement("time");
      time.setAttribute("datetime", item.time);
      time.textContent = item.time_label;
      var what = document.createElement("span");
      what.className = "what";
      what.textContent = item.title;
      li.appendChild(time);
      li.appendChild(what);
      if (item.message) {
        var message = document.createElement("p");
        message.className = "message";
        message.textContent = item.message;
        li.appendChild(message);
      }
      list.appendChild(li);
    });
    show("survey-link", !!data.survey_open);
    open = data.is_open;
    show("live-note", open);
  }

  function schedule(delay) {
    clearTimeout(timer);
    if (open) { timer = setTimeout(poll, delay); }
  }

  function poll() {
    if (document.hidden) { return; }
    fetch(url + "?v=" + encodeURIComponent(version), { headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (data) {
        if (data.changed) {
          version = data.version;
          render(data);
        }
        schedule(every);
      })
      .catch(function () { schedule(every * 3); });
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) { schedule(0); }
  });
  schedule(every);
}());
