// Draw every Plotly figure of the page (and of each panel HTMX swaps in) from its JSON script block.
(function () {
  "use strict";

  function draw(root) {
    root.querySelectorAll(".plot[data-figure]:not([data-drawn])").forEach(function (div) {
      var source = document.getElementById(div.dataset.figure);
      if (!source) { return; }
      var fig = JSON.parse(source.textContent);
      div.dataset.drawn = "1";
      Plotly.newPlot(div, fig.data, fig.layout || {}, { displaylogo: false, responsive: true });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSettle", function (event) { draw(event.detail.elt); });
})();
