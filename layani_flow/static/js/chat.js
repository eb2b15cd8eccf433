// ChatCanal: new messages appear without reloading, through server-sent events (EventSource reconnects by
// itself with Last-Event-ID). Without this script the page works with its form and a reload.
(function () {
  "use strict";
  var list = document.getElementById("chat-messages");
  if (!list || !window.EventSource) { return; }
  var me = list.getAttribute("data-me");
  var url = list.getAttribute("data-stream") + "?after=" + encodeURIComponent(list.getAttribute("data-after"));
  var source = new EventSource(url);
  function has(id) { return list.querySelector('li[data-id="' + id + '"]') !== null; }
  source.onmessage = function (event) {
    var m = JSON.parse(event.data);
    if (has(m.id)) { return; }
    var li = document.createElement("li");
    li.className = "chat-message" + (m.actor.name === me ? " mine" : "") + (m.kind === "auto_reply" ? " system" : "");
    li.setAttribute("data-id", m.id);
    var meta = document.createElement("p");
    meta.className = "chat-meta";
    var who = document.createElement("strong");
    who.textContent = m.actor.name;
    var time = document.createElement("time");
    time.setAttribute("datetime", m.at);
    time.textContent = m.at.substring(11, 16);
    meta.appendChild(who);
    meta.appendChild(document.createTextNode(" "));
    meta.appendChild(time);
    li.appendChild(meta);
    var body = document.createElement("p");
    if (m.document && m.document.url) {
      var a = document.createElement("a");
      a.href = m.document.url;
      a.textContent = "Lampiran: " + m.document.name;
      body.appendChild(a);
    } else {
      body.className = "chat-body";
      body.textContent = m.body;
    }
    li.appendChild(body);
    list.appendChild(li);
  };
})();
