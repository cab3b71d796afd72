// Leaders' dashboard charts (ECharts from npm, served by us). The data comes from a JSON script element that the
// server rendered from the same rows as the tables, so a chart and its table can never disagree.
(function () {
  "use strict";
  function pct(v) { return v === null || v === undefined ? null : Math.round(v * 1000) / 10; }
  function start() {
    if (typeof echarts === "undefined") { return; }
    var data = JSON.parse(document.getElementById("dashboard-data").textContent);
    var trendEl = document.getElementById("chart-trend");
    if (trendEl) {
      echarts.init(trendEl).setOption({
        tooltip: { trigger: "axis" }, legend: { data: ["受理", "答复"] },
        xAxis: { type: "category", data: data.trend.map(function (r) { return r.day; }) },
        yAxis: { type: "value", minInterval: 1 },
        series: [
          { name: "受理", type: "line", smooth: true, data: data.trend.map(function (r) { return r.received; }) },
          { name: "答复", type: "line", smooth: true, data: data.trend.map(function (r) { return r.replied; }) }
        ]
      });
    }
    var areaEl = document.getElementById("chart-area");
    if (areaEl) {
      var chart = echarts.init(areaEl);
      chart.setOption({
        tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null ? "—" : v + "%"; } },
        legend: { data: data.rates.slice(0, 3).map(function (r) { return r[1]; }) },
        xAxis: { type: "category", data: data.by_area.map(function (r) { return r.label; }), axisLabel: { rotate: 30 } },
        yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
        series: data.rates.slice(0, 3).map(function (r) {
          return { name: r[1], type: "bar", data: data.by_area.map(function (row) { return pct(row[r[0]]); }) };
        })
      });
      chart.on("click", function (p) {
        var row = data.by_area[p.dataIndex];
        if (row && row.code) { var u = new URL(window.location); u.searchParams.set("area", row.code); window.location = u; }
      });
    }
    var catEl = document.getElementById("chart-category");
    if (catEl) {
      echarts.init(catEl).setOption({
        tooltip: { trigger: "item" },
        series: [{ type: "pie", radius: ["35%", "70%"], data: data.by_category.map(function (r) { return { name: r.label, value: r.received }; }) }]
      });
    }
    var mapEl = document.getElementById("chart-map");
    if (mapEl && data.by_district.length) {
      Promise.all(data.by_district.filter(function (r) { return r.code; }).map(function (r) {
        return fetch("/api/v1/areas/" + r.code + "/geometry").then(function (x) { return x.ok ? x.json() : null; });
      })).then(function (features) {
        var fc = { type: "FeatureCollection", features: features.filter(Boolean).map(function (f) {
          f.properties = { name: f.properties.name }; return f; }) };
        echarts.registerMap("shenzhen", fc);
        echarts.init(mapEl).setOption({
          tooltip: { trigger: "item", formatter: function (p) { return p.name + "：" + (p.value === undefined || isNaN(p.value) ? "—" : p.value + "%"); } },
          visualMap: { min: 0, max: 100, text: ["100%", "0%"], calculable: true, inRange: { color: ["#f8d7da", "#fff3cd", "#d1e7dd", "#198754"] } },
          series: [{ type: "map", map: "shenzhen", roam: true,
                     data: data.by_district.map(function (r) { return { name: r.label, value: pct(r.satisfaction) }; }) }]
        });
      });
    }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
