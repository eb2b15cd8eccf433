// The leave form's working-day count, kept live while the dates change. Progressive enhancement: without
// this script the server counts them when the form comes back and in the confirmation.
(function () {
  "use strict";
  var out = document.getElementById("hari-kerja");
  if (!out || !window.fetch) { return; }
  var first = document.getElementById(out.dataset.first);
  var last = document.getElementById(out.dataset.last);
  if (!first || !last) { return; }
  var asked = 0;
  function update() {
    if (!first.value || !last.value) { return; }
    var mine = ++asked;
    var url = out.dataset.url + "?mulai=" + encodeURIComponent(first.value) + "&selesai=" + encodeURIComponent(last.value);
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) {
        if (mine !== asked || !body) { return; }  // an older answer arriving late changes nothing
        out.textContent = body.days === null
          ? "Periksa tanggal: tanggal selesai tidak boleh sebelum tanggal mulai."
          : "Jumlah hari kerja: " + body.days;
      })
      .catch(function () { /* the server counts them on submit */ });
  }
  first.addEventListener("change", update);
  last.addEventListener("change", update);
  update();
}());
