/* 规划监测: each indicator by child area with the target line (a bar drills down), the gap map and the trend.
   The figures come from the page's JSON (the rollup's values); every chart has a table with the same numbers. */
(function () {
  "use strict";
  function start() {
    var el = document.getElementById("indicator-chart");
    if (!el || typeof echarts === "undefined") { return; }
    var data = JSON.parse(el.textContent);
    var key = data.key;
    var targetLine = { silent: true, symbol: "none", lineStyle: { color: "#b02a37", type: "dashed", width: 2 },
                       label: { formatter: "目标 " + data.target }, data: [{ yAxis: data.target }] };
    var kids = data.children || [];
    var barEl = document.getElementById("chart-children");
    if (barEl && kids.length) {
      var bars = echarts.init(barEl);
      bars.setOption({
        tooltip: { trigger: "axis" },
        grid: { left: 50, right: 20, bottom: 70 },
        xAxis: { type: "category", data: kids.map(function (r) { return r.label; }), axisLabel: { rotate: 30 } },
        yAxis: { type: "value", name: data.unit },
        series: [{ name: data.name, type: "bar", markLine: targetLine,
                   data: kids.map(function (r) {
                     return { value: r.value, itemStyle: { color: r.met === false ? "#dc3545" : (r.met ? "#198754" : "#adb5bd") } };
                   }) }]
      });
      bars.on("click", function (p) {
        var row = kids[p.dataIndex];
        if (row) { window.location.search = "?area=" + encodeURIComponent(row.code) + "&key=" + encodeURIComponent(key); }
      });
    }
    var mapEl = document.getElementById("chart-gapmap");
    if (mapEl && kids.length) {
      Promise.all(kids.map(function (r) {
        return fetch("/api/v1/areas/" + encodeURIComponent(r.code) + "/geometry")
          .then(function (x) { return x.ok ? x.json() : null; }).catch(function () { return null; });
      })).then(function (features) {
        features = features.filter(function (f) { return f && f.geometry; });
        if (!features.length) {
          mapEl.hidden = true;
          document.getElementById("gapmap-empty").hidden = false;
          return;
        }
        echarts.registerMap("gap-" + key, { type: "FeatureCollection", features: features.map(function (f) {
          f.properties = { name: f.properties.name }; return f; }) });
        var max = Math.max.apply(null, kids.map(function (r) { return r.gap || 0; }).concat([1]));
        echarts.init(mapEl).setOption({
          tooltip: { trigger: "item", formatter: function (p) { return p.name + "：差距 " + (p.value === undefined || isNaN(p.value) ? "—" : p.value); } },
          visualMap: { min: 0, max: max, text: ["差距大", "达标"], calculable: true, inRange: { color: ["#198754", "#fff3cd", "#dc3545"] } },
          series: [{ type: "map", map: "gap-" + key, roam: true,
                     data: kids.map(function (r) { return { name: r.label, value: r.gap }; }) }]
        });
      });
    }
    var seriesEl = document.getElementById("chart-series");
    if (seriesEl && data.series) {
      echarts.init(seriesEl).setOption({
        tooltip: { trigger: "axis" },
        grid: { left: 50, right: 20, bottom: 40 },
        xAxis: { type: "category", data: data.series.map(function (r) { return r.day; }) },
        yAxis: { type: "value", name: data.unit },
        series: [{ name: data.name, type: "line", showSymbol: true, symbolSize: 8, markLine: targetLine, data: data.series.map(function (r) { return r.value; }) }]
      });
    }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
