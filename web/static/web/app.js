// Progress of a planning job: poll its status and reload the page when it is over.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("job");
  if (!box) return;
  var bar = document.getElementById("job-progress");
  var stage = document.getElementById("job-stage");
  function poll() {
    fetch(box.dataset.url, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (job) {
        bar.value = job.progress;
        stage.textContent = job.stage || job.status;
        if (job.status === "done" || job.status === "failed") {
          window.location.href = window.location.pathname;
        } else {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  poll();
});
