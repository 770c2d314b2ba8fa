/* The chart toolbar's camera button downloads the cited export of the view on screen (title,
   headline, source, vintages, permalink in the image), not a bare screenshot of the plot. The
   explorer callback puts the figure and the export's address in stores; this hands both to the
   graph at once (the graph applies a new config only with a new figure). */
/* Phones (390 px): the chart's title and result wrapped to the width, the legend under the plot,
   the months around the tested event (so its window is not a sliver), and only the tested event's
   date label (the others would pile up; their lines and hover markers stay). */
var PHONE_WIDTH = 600;

function wrapWords(text, width) {
  var lines = [], line = "";
  String(text || "").split(" ").forEach(function (word) {
    if (line && (line + " " + word).length > width) { lines.push(line); line = word; }
    else { line = line ? line + " " + word : word; }
  });
  if (line) lines.push(line);
  return lines;
}

function addMonths(iso, months) {
  var d = new Date(String(iso).slice(0, 10) + "T00:00:00Z");
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.toISOString().slice(0, 10);
}

function phoneFigure(figure) {
  if (!figure || !figure.layout) return figure;
  var layout = Object.assign({}, figure.layout);
  var meta = layout.meta || {};
  var title = wrapWords(meta.title || "", 34);
  // The result sentence is right above the chart on a phone: the chart keeps the other lines.
  var subtitle = [];
  (meta.subtitle || []).forEach(function (line) {
    if (line !== meta.headline) subtitle = subtitle.concat(wrapWords(line, 52));
  });
  layout.title = {
    text: title.join("<br>"), x: 0.02, xanchor: "left", yanchor: "top", yref: "container",
    font: {size: 15}, subtitle: {text: subtitle.join("<br>"), font: {size: 12}}
  };
  var top = 42 + 20 * title.length + 16 * subtitle.length;
  layout.margin = {l: 46, r: layout.yaxis3 ? 52 : 8, t: top, b: 40};  // room for a right-hand axis
  layout.legend = {orientation: "h", x: 0, xanchor: "left", y: -0.1, yanchor: "top"};
  layout.height = top + 340 + 150;
  layout.title.y = 1 - 34 / layout.height;  // under the toolbar
  layout.annotations = (layout.annotations || []).filter(function (a) {
    return !(a.name || "").startsWith("event-label:") || String(a.text).startsWith("<b>");
  });
  var post = (layout.shapes || []).filter(function (s) { return s.name === "window:post"; })[0];
  if (post) {
    var last = String(post.x1).slice(0, 10);
    (figure.data || []).forEach(function (trace) {
      (trace.x || []).forEach(function (x) { if (typeof x === "string" && x.slice(0, 10) > last) last = x.slice(0, 10); });
    });
    // Before the window, twice its length (at least six months): the window is a third of the plot.
    var span = Math.max(1, Math.round((Date.parse(last) - Date.parse(String(post.x0).slice(0, 10))) / 2.63e9));
    var before = Math.max(4, 2 * span);
    layout.xaxis = Object.assign({}, layout.xaxis, {range: [addMonths(post.x0, -before), addMonths(last, 1)], autorange: false});
  }
  return Object.assign({}, figure, {layout: layout});
}

// A window resized or turned across the phone width: the chart is drawn again for its new width
// (the store "explorer-viewport", dashboard/ids.py VIEWPORT, is an input of drawChart; "explorer-graph" is GRAPH).
var wasPhone = window.innerWidth <= PHONE_WIDTH;
window.addEventListener("resize", function () {
  var phone = window.innerWidth <= PHONE_WIDTH;
  if (phone === wasPhone) return;
  wasPhone = phone;
  var clientside = window.dash_clientside || {};
  // (a store draws nothing: the explorer's chart says the page is the explorer)
  if (document.getElementById("explorer-graph") && clientside.set_props) {
    clientside.set_props("explorer-viewport", {data: phone ? "phone" : "wide"});
  }
});

window.dash_clientside = Object.assign({}, window.dash_clientside, {
  verifica: {
    drawChart: function (figure, camera, viewport, config) {
      var phone = window.innerWidth <= PHONE_WIDTH;
      return [phone ? phoneFigure(figure) : figure, window.dash_clientside.verifica.graphConfig(camera, config)];
    },
    // A square of the state map: chart that state (its code is the square's customdata), when it
    // is one of the geographies the indicator has (the options of the geography control).
    pickState: function (click, options) {
      var point = click && Array.isArray(click.points) ? click.points[0] : null;
      var geo = point && point.customdata;
      var known = (options || []).some(function (option) { return option && option.value === geo; });
      return typeof geo === "string" && geo && known ? geo : window.dash_clientside.no_update;
    },
    toggleControls: function (clicks) {
      var open = (clicks || 0) % 2 === 1;
      return [open ? "controls open" : "controls", open ? "true" : "false"];
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
