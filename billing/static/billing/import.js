// Polls an import job's status until it finishes, then reloads once to show the report.
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box || box.dataset.finished === "1") return;
  var url = box.dataset.statusUrl;
  var bar = document.getElementById("job-bar");
  function show(data) {
    document.getElementById("job-status").textContent = data.status_label;
    document.getElementById("job-read").textContent = data.lines_read;
    document.getElementById("job-written").textContent = data.lines_written;
    document.getElementById("job-bad").textContent = data.bad_lines;
    document.getElementById("job-message").textContent = data.message || "";
    var read = data.lines_read || 0;
    var phase = data.status === "writing" ? 1 + (read ? Math.min(1, data.lines_written / read) : 0) : 0.9 * (data.status === "checking" ? 1 : 0);
    bar.value = data.finished ? 2 : phase;
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        show(data);
        if (data.finished) { window.location.reload(); return; }
        setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  poll();
})();
