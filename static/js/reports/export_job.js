// Polls a background export and shows its progress; reveals the download link when ready.
(function () {
  "use strict";
  var box = document.getElementById("export-job");
  if (!box) return;
  var bar = document.getElementById("export-progress");
  var state = document.getElementById("export-state");
  var link = document.getElementById("export-download");
  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (job) {
        bar.max = job.total || 1;
        bar.value = job.done;
        if (job.state === "done") {
          state.textContent = state.dataset.doneText;
          link.classList.remove("hidden");
        } else if (job.state === "failed") {
          state.textContent = state.dataset.failedText;
        } else {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  poll();
})();
