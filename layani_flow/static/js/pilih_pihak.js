// Choosing the other party by name while typing. Progressive enhancement: without this script the form
// comes back with the matches for the name typed; with it the same radio list appears as one types.
(function () {
  "use strict";
  var box = document.querySelector(".person-picker");
  if (!box || !window.fetch) { return; }
  var input = document.getElementById(box.dataset.field);
  if (!input) { return; }
  var timer = null;
  var asked = 0;

  function option(person) {
    var id = box.dataset.field + "-pilihan-" + person.id;
    var row = document.createElement("div");
    row.className = "check";
    var radio = document.createElement("input");
    radio.type = "radio";
    radio.id = id;
    radio.name = box.dataset.field + "_pilihan";
    radio.value = String(person.id);
    var label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = person.name + (person.unit ? ", " + person.unit : "") + " ";
    var nip = document.createElement("span");
    nip.className = "muted";
    nip.textContent = "(NIP " + person.nip + ")";
    label.appendChild(nip);
    row.appendChild(radio);
    row.appendChild(label);
    return row;
  }

  function show(items) {
    box.textContent = "";
    if (!items.length) { return; }
    var set = document.createElement("fieldset");
    var legend = document.createElement("legend");
    legend.textContent = "Pilih orang yang Anda maksud";
    set.appendChild(legend);
    items.forEach(function (p) { set.appendChild(option(p)); });
    box.appendChild(set);
  }

  function search() {
    var text = input.value.trim();
    if (text.length < 3 || /^[\d\s.\-]+$/.test(text)) { show([]); return; }  // a NIP needs no list
    var mine = ++asked;
    fetch(box.dataset.url + "?q=" + encodeURIComponent(text),
          { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) { if (body && mine === asked) { show(body.items); } })
      .catch(function () { /* the form still works: the server lists the matches on submit */ });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(search, 300);
  });
}());
