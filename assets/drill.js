/* The overview's state in its URL, so that a filtered view can be bookmarked and shared and
   the browser's back button returns to it: the filters and the map's centre and zoom are
   written into the query string with history.replaceState (the current entry changes, no
   new one is pushed, and Dash's router does not redraw the page). The server reads them
   back in the overview's layout (dashboard/views/drill.py: filters_from_query, map_view). */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  drill: {
    writeOverviewState: function (filters, relayout) {
      var params = new URLSearchParams(window.location.search);
      ["villages", "sources", "majors", "depts"].forEach(function (name) {
        var values = filters && filters[name];
        if (values && values.length) { params.set(name, values.join(",")); } else { params.delete(name); }
      });
      if (relayout && relayout["map.center"] && relayout["map.zoom"] !== undefined) {
        var c = relayout["map.center"];
        params.set("view", [c.lon.toFixed(5), c.lat.toFixed(5), Number(relayout["map.zoom"]).toFixed(2)].join(","));
      }
      var query = params.toString();
      var url = window.location.pathname + (query ? "?" + query : "") + window.location.hash;
      if (url !== window.location.pathname + window.location.search + window.location.hash) {
        window.history.replaceState(window.history.state, "", url);
      }
      return query;
    }
  }
});
