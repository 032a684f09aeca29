// Charts for the clean-network index. The tables on the page carry every number;
// these charts are an enhancement and are skipped if ECharts did not load.
(function () {
  "use strict";
  var node = document.getElementById("index-chart-data");
  if (!node || !window.echarts) { return; }
  var data = JSON.parse(node.textContent);
  var blue = "#0b4f8a";

  function chart(id, option) {
    var element = document.getElementById(id);
    if (!element) { return; }
    var instance = window.echarts.init(element, null, { renderer: "svg" });
    instance.setOption(option);
    window.addEventListener("resize", function () { instance.resize(); });
    element.setAttribute("data-rendered", "true");
  }

  if (data.trend) {
    chart("chart-trend", {
      animation: false,
      grid: { left: 40, right: 16, top: 24, bottom: 40 },
      xAxis: { type: "category", data: data.trend.map(function (p) { return p.period; }) },
      yAxis: { type: "value", min: 0, max: 100 },
      series: [{ type: "line", data: data.trend.map(function (p) { return p.score; }), color: blue, symbolSize: 8 }]
    });
  }
  if (data.ranking) {
    var ranking = data.ranking.slice().reverse();
    chart("chart-ranking", {
      animation: false,
      grid: { left: 64, right: 24, top: 8, bottom: 24 },
      xAxis: { type: "value", min: 0, max: 100 },
      yAxis: { type: "category", data: ranking.map(function (r) { return r.name; }) },
      series: [{ type: "bar", data: ranking.map(function (r) { return r.score; }), color: blue,
                 label: { show: true, position: "right", formatter: function (p) { return p.value.toFixed(1); } } }]
    });
  }
  if (data.radar && data.radar.indicators && data.radar.indicators.length) {
    chart("chart-radar", {
      animation: false,
      radar: { indicator: data.radar.indicators, radius: "62%" },
      series: [{ type: "radar", data: [{ value: data.radar.values, name: data.radar.name }], color: blue, areaStyle: { opacity: 0.2 } }]
    });
  }
})();
