/* 超职数消化: the plan's over-quota by month as a line chart (Apache ECharts,
   vendored by the statistics app), actual (solid) against planned (dashed; the
   simple build has no legend, the page's caption names the two lines). The figures come
   from the page's json_script block; the table below carries the same
   numbers for screen readers, print and browsers without JavaScript. */
(function () {
  "use strict";

  function draw() {
    var source = document.getElementById("plan-chart");
    var box = document.querySelector('[data-chart="plan"]');
    if (!source || !box || typeof window.echarts === "undefined") {
      return;
    }
    var chart = JSON.parse(source.textContent);
    var instance = window.echarts.init(box, null, { renderer: "canvas" });
    instance.setOption({
      animation: false,
      aria: { enabled: true },
      grid: { left: 40, right: 16, top: 24, bottom: 64 },
      xAxis: {
        type: "category",
        data: chart.labels,
        axisLabel: { rotate: chart.labels.length > 6 ? 30 : 0 }
      },
      yAxis: { type: "value", minInterval: 1, min: 0 },
      series: [
        {
          name: chart.actual_label,
          type: "line",
          data: chart.actual,
          label: { show: true },
          itemStyle: { color: "#b3261e" }
        },
        {
          name: chart.planned_label,
          type: "line",
          data: chart.planned,
          lineStyle: { type: "dashed" },
          itemStyle: { color: "#5f6368" }
        }
      ]
    });
    box.setAttribute("data-drawn", "true");
    window.addEventListener("resize", function () { instance.resize(); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
