/* 干部队伍结构分析: draws each table's chart with Apache ECharts (vendored,
   canvas renderer). The figures come from the page's json_script block; the
   tables beside the charts carry the same numbers for screen readers, print
   and browsers without JavaScript. No tooltips: their HTML would need inline
   styles, which the Content-Security-Policy refuses. */
(function () {
  "use strict";

  function option(chart) {
    if (chart.chart === "pie") {
      return {
        animation: false,
        aria: { enabled: true },
        series: [{
          type: "pie",
          radius: ["30%", "65%"],
          data: chart.labels.map(function (label, i) {
            return { name: label, value: chart.counts[i] };
          }).filter(function (d) { return d.value > 0; }),
          label: { formatter: "{b}\n{c}人 {d}%" }
        }]
      };
    }
    return {
      animation: false,
      aria: { enabled: true },
      grid: { left: 48, right: 16, top: 24, bottom: 72 },
      xAxis: {
        type: "category",
        data: chart.labels,
        axisLabel: { interval: 0, rotate: chart.labels.length > 6 ? 30 : 0 }
      },
      yAxis: { type: "value", minInterval: 1 },
      series: [{
        type: "bar",
        data: chart.counts,
        label: { show: true, position: "top" },
        itemStyle: { color: "#b3261e" }
      }]
    };
  }

  function draw() {
    var source = document.getElementById("structure-charts");
    if (!source || typeof window.echarts === "undefined") {
      return;
    }
    var charts = JSON.parse(source.textContent);
    var drawn = [];
    charts.forEach(function (chart) {
      var box = document.querySelector('[data-chart="' + chart.key + '"]');
      if (!box) {
        return;
      }
      var instance = window.echarts.init(box, null, { renderer: "canvas" });
      instance.setOption(option(chart));
      box.setAttribute("data-drawn", "true");
      drawn.push(instance);
    });
    window.addEventListener("resize", function () {
      drawn.forEach(function (instance) { instance.resize(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
