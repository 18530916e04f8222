/* The briefing (情况报告): draw its charts from their JSON data blocks with plotly.js, and,
   for a static copy (PDF, HTML download), turn each into a PNG <img> whose alt is the
   chart's text alternative, then drop every script. Dash loads this file on every page:
   it does nothing unless the page is a briefing (body.br-doc). */
(function () {
  "use strict";
  var api = { ready: false, "static": false };
  window.townshipBriefing = api;

  function charts() { return Array.prototype.slice.call(document.querySelectorAll(".br-chart[data-figure]")); }

  function draw() {
    if (!document.body || !document.body.classList.contains("br-doc") || !window.Plotly) { return; }
    var jobs = charts().map(function (div) {
      var data = JSON.parse(document.getElementById(div.getAttribute("data-figure")).textContent);
      return window.Plotly.newPlot(div, data.data, data.layout, { staticPlot: true, displayModeBar: false });
    });
    Promise.all(jobs).then(function () { api.ready = true; });
  }

  api.toImages = function () {
    var jobs = charts().map(function (div) {
      var layout = div._fullLayout || {};
      return window.Plotly.toImage(div, { format: "png", scale: 2, width: layout.width || 680,
                                          height: layout.height || 260 }).then(function (url) {
        var img = document.createElement("img");
        img.src = url;
        img.alt = div.getAttribute("aria-label") || "";
        img.width = layout.width || 680;
        img.height = layout.height || 260;
        window.Plotly.purge(div);
        div.replaceChildren(img);
        div.removeAttribute("data-figure");
        div.removeAttribute("role");
      });
    });
    return Promise.all(jobs).then(function () {
      Array.prototype.forEach.call(document.querySelectorAll("script"), function (s) { s.remove(); });
      api["static"] = true;
    });
  };

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
