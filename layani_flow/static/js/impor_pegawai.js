// The employee import's progress bar, kept up to date while the worker runs it. Progressive enhancement:
// without this script the page refreshes itself every 5 seconds (<noscript> meta refresh) and has a
// "Muat ulang" link.
(function () {
  "use strict";
  var box = document.getElementById("impor-kemajuan");
  if (!box || !window.fetch) { return; }
  var bar = document.getElementById("impor-progress");
  var text = document.getElementById("impor-teks");
  var label = box.querySelector("label");
  function show(s) {
    bar.max = Math.max(s.total, 1);
    if (s.status === "queued") {
      label.textContent = "Menunggu worker";
    } else if (s.phase === "apply") {
      label.textContent = "Menyimpan";
      bar.removeAttribute("value");  // indeterminate while the rows are written in one transaction
      text.textContent = "Menyimpan " + s.total + " baris…";
      return;
    } else {
      label.textContent = "Memeriksa baris";
    }
    bar.value = s.done;
    text.textContent = s.done + " dari " + s.total + " baris diperiksa.";
  }
  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (!s) { setTimeout(poll, 3000); return; }
        if (s.status === "done" || s.status === "failed") { window.location.reload(); return; }
        show(s);
        setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 500);
}());
