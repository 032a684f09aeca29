// Charts for the clean-network index. The tables on the page carry every number; the
// chart boxes are hidden until this script draws into them, so without JavaScript (or if
// ECharts did not load) a reader meets no empty boxes.
(function () {
  "use strict";
  var node = document.getElementById("index-chart-data");
  if (!node || !window.echarts) { return; }
  var data = JSON.parse(node.textContent);
  var blue = "#0b4f8a";
  var ink = "#1a1a1a";
  var root = document.documentElement;
  var senior = root.classList.contains("elder-mode");
  var base = parseFloat(window.getComputedStyle(root).fontSize) || 16;
  // Chart text follows the page's text size (大, 更大, 特大); in senior mode it is never
  // below 18 px, the MIIT minimum the rest of the page meets.
  var font = Math.round(Math.max(senior ? 18 : 12, base * 0.9));
  var text = { fontSize: font, color: ink };

  function chart(id, build) {
    var element = document.getElementById(id);
    if (!element) { return; }
    element.hidden = false;  // measure the box before sizing the chart to it
    var width = element.clientWidth || 320;
    var made = build(width);
    if (made.height) { element.style.height = made.height + "px"; }
    var instance = window.echarts.init(element, null, { renderer: "svg" });
    instance.setOption(made.option);
    window.addEventListener("resize", function () { instance.resize(); });
    element.setAttribute("data-font-size", String(font));
    element.setAttribute("data-rendered", "true");
  }

  if (data.trend) {
    chart("chart-trend", function () {
      return {
        height: Math.max(300, font * 13),
        option: {
          animation: false,
          textStyle: text,
          grid: { left: 8, right: font, top: font, bottom: 8, containLabel: true },
          xAxis: { type: "category", axisLabel: text,
                   data: data.trend.map(function (p) { return p.period; }) },
          yAxis: { type: "value", min: 0, max: 100, axisLabel: text },
          series: [{ type: "line", color: blue, symbolSize: Math.round(font / 2),
                     data: data.trend.map(function (p) { return p.score; }) }]
        }
      };
    });
  }

  if (data.ranking && data.ranking.length) {
    // Names come localized from the page (each with its district code), best at the top.
    var ranking = data.ranking.slice().reverse();
    chart("chart-ranking", function () {
      return {
        height: ranking.length * Math.round(font * 2.2) + font * 2,
        option: {
          animation: false,
          textStyle: text,
          grid: { left: 8, right: font * 3, top: 8, bottom: 8, containLabel: true },
          xAxis: { type: "value", min: 0, max: 100, axisLabel: { show: false, fontSize: font },
                   splitLine: { show: false } },
          yAxis: { type: "category", axisLabel: text,
                   data: ranking.map(function (r) { return r.name; }) },
          series: [{
            type: "bar", color: blue, barCategoryGap: "30%",
            data: ranking.map(function (r) { return { value: r.score, code: r.code }; }),
            label: { show: true, position: "right", fontSize: font, color: ink,
                     formatter: function (p) { return p.value.toFixed(1); } }
          }]
        }
      };
    });
  }

  if (data.radar && data.radar.indicators && data.radar.indicators.length) {
    chart("chart-radar", function (width) {
      // Labels wrap to a fixed width beside the radar, so none is cut off at 360 px.
      var labelWidth = Math.round(Math.min(font * 5, width * 0.3));
      var radius = Math.max(48, Math.floor((width - 2 * labelWidth - 24) / 2));
      var lineHeight = Math.round(font * 1.3);
      var labelLines = 3;
      var height = 2 * radius + 2 * lineHeight * labelLines + 16;
      return {
        height: height,
        option: {
          animation: false,
          textStyle: text,
          radar: {
            indicator: data.radar.indicators,
            radius: radius,
            center: ["50%", "50%"],
            nameGap: 6,
            axisLabel: { show: false, fontSize: font },
            axisName: { fontSize: font, color: ink, width: labelWidth, overflow: "break",
                        lineHeight: lineHeight }
          },
          series: [{ type: "radar", color: blue, areaStyle: { opacity: 0.2 },
                     data: [{ value: data.radar.values, name: data.radar.name }] }]
        }
      };
    });
  }
})();
