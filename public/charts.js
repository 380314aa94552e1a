// Draws every element with a `data-chart` attribute (an ECharts option, in JSON) with
// ECharts, which is loaded from our own server the first time a page has a chart. The
// page keeps working without it: each chart has a table of the same figures.
// Redraws when the attribute changes (live figures) and when charts arrive later
// (navigation inside the app).
(function () {
  "use strict";
  var loading = null;

  function echartsReady() {
    if (window.echarts) return Promise.resolve(window.echarts);
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = "/vendor/echarts.min.js";
        script.onload = function () { resolve(window.echarts); };
        script.onerror = reject;
        document.head.appendChild(script);
      });
    }
    return loading;
  }

  function draw(el) {
    var option = el.getAttribute("data-chart");
    if (!option || el.__carillonOption === option) return;
    el.__carillonOption = option;
    echartsReady().then(function (echarts) {
      var parsed = JSON.parse(option);
      // HTML tooltips carry inline style attributes, which the page's CSP refuses:
      // ECharts draws them itself instead.
      if (parsed.tooltip) parsed.tooltip.renderMode = "richText";
      // Shown before drawing: ECharts measures its container.
      el.setAttribute("data-drawn", "");
      var chart = echarts.getInstanceByDom(el) || echarts.init(el, null, { renderer: "svg" });
      chart.setOption(parsed, true);
    }).catch(function () {
      // No ECharts (not installed, or blocked): the table stays the only view.
      el.removeAttribute("data-drawn");
    });
  }

  function scan() {
    var all = document.querySelectorAll("[data-chart]");
    for (var i = 0; i < all.length; i++) draw(all[i]);
  }

  new MutationObserver(scan).observe(document.documentElement, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ["data-chart"],
  });
  window.addEventListener("resize", function () {
    if (!window.echarts) return;
    var drawn = document.querySelectorAll("[data-drawn]");
    for (var i = 0; i < drawn.length; i++) {
      var chart = window.echarts.getInstanceByDom(drawn[i]);
      if (chart) chart.resize();
    }
  });
  scan();
})();
