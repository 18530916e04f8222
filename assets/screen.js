/* The big screen (/screen): scale the 1920x1080 canvas to the window, run the live clock
   (the browser's), and turn the connection light red when the server's answers stop.
   One timer for all of it, nothing kept that grows: the page runs for days. */
(function () {
  "use strict";
  var W = 1920, H = 1080;
  var state = { lastBeat: 0, lastFit: "", rotateAt: 0 };
  window.townshipScreenState = state;
  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    townshipScreen: {
      beat: function (data) {
        if (data) { state.lastBeat = Date.now(); }
        return window.dash_clientside.no_update;
      }
    }
  });

  function fit(canvas) {
    var vw = window.innerWidth, vh = window.innerHeight;
    var key = vw + "x" + vh;
    if (key === state.lastFit && canvas.style.transform) { return; }
    var s = Math.min(vw / W, vh / H);
    var left = (vw - W * s) / 2, top = (vh - H * s) / 2;
    canvas.style.transform = "translate(" + left + "px," + top + "px) scale(" + s + ")";
    state.lastFit = key;
  }

  function pad(n) { return n < 10 ? "0" + n : "" + n; }

  function tick() {
    var canvas = document.getElementById("scr-canvas");
    if (!canvas) { state.lastFit = ""; return; }
    fit(canvas);
    var now = new Date();
    var clock = document.getElementById("scr-clock");
    var text = pad(now.getHours()) + ":" + pad(now.getMinutes()) + ":" + pad(now.getSeconds());
    if (clock && clock.textContent !== text) { clock.textContent = text; }
    var conn = document.getElementById("scr-conn");
    if (conn && state.lastBeat) {
      var stale = Number(conn.getAttribute("data-stale-ms")) || 10000;
      var lost = Date.now() - state.lastBeat > stale;
      var cls = lost ? "scr-conn scr-conn-lost" : "scr-conn scr-conn-ok";
      if (conn.className !== cls) {
        conn.className = cls;
        conn.lastChild.textContent = conn.getAttribute(lost ? "data-lost" : "data-ok");
      }
    }
    var rotate = document.getElementById("scr-rotate");
    var period = rotate ? Number(rotate.getAttribute("data-rotate-ms")) : 0;
    if (period > 0) {
      if (!state.rotateAt) { state.rotateAt = Date.now() + period; }
      if (Date.now() >= state.rotateAt) {
        canvas.classList.toggle("scr-rotated");
        state.rotateAt = Date.now() + period;
      }
    }
  }

  window.addEventListener("resize", function () { state.lastFit = ""; tick(); });
  setInterval(tick, 250);
})();
