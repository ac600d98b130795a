/* Live thread: while the page is open and visible, new messages appear without reloading.
   Progressive enhancement: without JavaScript the page works as before (reload to see new messages). */
(function () {
  "use strict";
  var list = document.querySelector("ol.wp-messages[data-live-url]");
  if (!list || !window.fetch) { return; }
  var url = list.getAttribute("data-live-url");
  var every = 15000;

  function lastId() {
    var items = list.querySelectorAll("li[id^='message-']");
    if (!items.length) { return 0; }
    return parseInt(items[items.length - 1].id.replace("message-", ""), 10) || 0;
  }

  function poll() {
    if (document.hidden) { return; }
    fetch(url + "?after=" + lastId(), { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (response.status !== 200) { return ""; }
        return response.text();
      })
      .then(function (html) {
        if (!html) { return; }
        var holder = document.createElement("ol");
        holder.innerHTML = html;
        Array.prototype.forEach.call(holder.querySelectorAll("li[id^='message-']"), function (item) {
          if (!document.getElementById(item.id)) { list.appendChild(item); }
        });
      })
      .catch(function () { /* offline for a moment: try again at the next tick */ });
  }

  window.setInterval(poll, every);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { poll(); } });
}());
