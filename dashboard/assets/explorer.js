/* The chart toolbar's camera button downloads the cited export of the view on screen (title,
   headline, source, vintages, permalink in the image), not a bare screenshot of the plot. The
   explorer callback puts the figure and the export's address in stores; this hands both to the
   graph at once (the graph applies a new config only with a new figure). */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  verifica: {
    drawChart: function (figure, camera, config) {
      return [figure, window.dash_clientside.verifica.graphConfig(camera, config)];
    },
    graphConfig: function (camera, config) {
      var out = Object.assign({}, config || {});
      var removed = (out.modeBarButtonsToRemove || []).filter(function (name) { return name !== "toImage"; });
      out.modeBarButtonsToRemove = removed.concat(["toImage"]);
      if (!camera || !camera.href) {
        out.modeBarButtonsToAdd = [];
        return out;
      }
      var icon = (window.Plotly && window.Plotly.Icons && window.Plotly.Icons.camera) || {
        width: 1000, height: 1000,
        path: "M500 300a200 200 0 1 0 0.1 0zM150 200h160l60-100h260l60 100h160v600h-700z"
      };
      out.modeBarButtonsToAdd = [{
        name: "verifica-cited-image",
        title: camera.title,
        icon: icon,
        click: function () {
          var link = document.createElement("a");
          link.href = camera.href;
          link.setAttribute("download", "");
          document.body.appendChild(link);
          link.click();
          link.remove();
        }
      }];
      return out;
    }
  }
});
