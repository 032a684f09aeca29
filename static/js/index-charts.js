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

  function anyValue(values) {
    return values.some(function (value) { return value !== null && value !== undefined; });
  }

  // A chart with nothing to draw stays hidden: its table says "—" plainly.
  if (data.trend && anyValue(data.trend.map(function (p) { return p.score; }))) {
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
      // Each district's name and score sit above its bar, so on a phone the bars keep
      // the full width however long the names are (English ones are).
      var row = Math.round(font * 2.9);
      return {
        height: ranking.length * row + font * 2,
        option: {
          animation: false,
          textStyle: text,
          grid: { left: 4, right: font, top: Math.round(font * 1.6), bottom: 8 },
          xAxis: { type: "value", min: 0, max: 100, axisLabel: { show: false, fontSize: font },
                   splitLine: { show: false } },
          yAxis: { type: "category", axisLabel: { show: false, fontSize: font },
                   axisTick: { show: false },
                   data: ranking.map(function (r) { return r.name; }) },
          series: [{
            type: "bar", color: blue, barWidth: Math.round(font * 0.8),
            data: ranking.map(function (r) { return { value: r.score, code: r.code }; }),
            label: { show: true, position: [0, -Math.round(font * 1.25)], fontSize: font,
                     color: ink, align: "left",
                     formatter: function (p) { return p.name + "  " + p.value.toFixed(1); } }
          }]
        }
      };
    });
  }

  // Break a label into lines no wider than `width` px as the page's font draws them: at
  // spaces for English, anywhere for Chinese, a long word with a hyphen only if it must.
  var measure = document.createElement("canvas").getContext("2d");
  function wrap(label, size, width) {
    measure.font = size + "px " + window.getComputedStyle(document.body).fontFamily;
    function fits(text) { return measure.measureText(text).width <= width; }
    var spaced = /\s|-/.test(label);
    // English breaks at spaces and after hyphens ("Harmful-" / "information").
    var tokens = spaced ? label.replace(/-/g, "-\u0000").split(/[\s\u0000]+/) : label.split("");
    var lines = [];
    var line = "";
    tokens.forEach(function (token) {
      var joiner = spaced && line && line.slice(-1) !== "-" ? " " : "";
      var next = line ? line + joiner + token : token;
      if (fits(next) || !line) { line = next; } else { lines.push(line); line = token; }
      while (!fits(line) && line.length > 1) {
        var cut = line.length - 1;
        while (cut > 1 && !fits(line.slice(0, cut) + "-")) { cut -= 1; }
        lines.push(line.slice(0, cut) + (spaced ? "-" : ""));
        line = line.slice(cut);
      }
    });
    if (line) { lines.push(line); }
    if (!spaced && lines.length > 1) {
      // Even lines ("群众满意 / 与参与"), never one character left alone.
      var each = Math.ceil(label.length / lines.length);
      lines = [];
      for (var at = 0; at < label.length; at += each) { lines.push(label.slice(at, at + each)); }
    }
    return lines;
  }

  if (data.radar && data.radar.indicators && data.radar.indicators.length &&
      anyValue(data.radar.values || [])) {
    chart("chart-radar", function (width) {
      // Side labels sit beside the radar: they wrap to a third of the box each, in the
      // smallest size the page allows (18 px in senior mode), so none is cut off at 360 px.
      var size = senior ? 18 : Math.min(font, 14);
      var labelWidth = Math.floor(width * 0.34);
      var lineHeight = Math.round(size * 1.3);
      var count = data.radar.indicators.length;
      var wrapped = data.radar.indicators.map(function (item, i) {
        // Axes run anticlockwise from the top; a label near the top or bottom may use
        // most of the width, one at a side only the room beside the radar.
        var angle = (90 + i * 360 / count) * Math.PI / 180;
        var room = Math.abs(Math.cos(angle)) < 0.3 ? width - 16 : labelWidth;
        return wrap(item.name, size, room);
      });
      var most = Math.max.apply(null, wrapped.map(function (lines) { return lines.length; }));
      // The radar takes whatever the widest wrapped side label leaves.
      var side = 0;
      var upright = 1;
      wrapped.forEach(function (lines, i) {
        var angle = (90 + i * 360 / count) * Math.PI / 180;
        if (Math.abs(Math.cos(angle)) < 0.3) { upright = Math.max(upright, lines.length); return; }
        lines.forEach(function (line) { side = Math.max(side, measure.measureText(line).width); });
      });
      var radius = Math.max(40, Math.floor((width - 2 * Math.ceil(side) - 24) / 2));
      var height = Math.max(2 * radius + 2 * (upright * lineHeight + 12), most * lineHeight) + 16;
      return {
        height: height,
        option: {
          animation: false,
          textStyle: { fontSize: size, color: ink },
          radar: {
            indicator: data.radar.indicators.map(function (item, i) {
              return { name: wrapped[i].join("\n"), max: item.max };
            }),
            radius: radius,
            center: ["50%", "50%"],
            nameGap: 6,
            axisLabel: { show: false, fontSize: size },
            axisName: { fontSize: size, color: ink, lineHeight: lineHeight }
          },
          series: [{ type: "radar", color: blue, areaStyle: { opacity: 0.2 },
                     data: [{ value: data.radar.values, name: data.radar.name }] }]
        }
      };
    });
  }
})();
