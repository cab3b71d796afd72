// Survey results in the console (ECharts from npm, served by us): the data comes from the JSON script element the
// server rendered from the same figures as the tables beside the charts.
(function () {
  "use strict";
  function start() {
    if (typeof echarts === "undefined") { return; }
    satisfaction();
    var dataEl = document.getElementById("survey-data");
    if (!dataEl) { return; }
    var data = JSON.parse(dataEl.textContent);
    var ratesEl = document.getElementById("chart-rates");
    if (ratesEl && data.rates.length) {
      echarts.init(ratesEl).setOption({
        tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null ? "—" : v + "%"; } },
        grid: { left: 48, right: 16, bottom: 80 },
        xAxis: { type: "category", data: data.rates.map(function (r) { return r.name; }), axisLabel: { rotate: 30 } },
        yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
        series: [{ name: "答复率", type: "bar", data: data.rates.map(function (r) { return r.rate; }) }]
      });
    }
    data.questions.forEach(function (q) {
      var el = document.getElementById("chart-q" + q.position);
      if (!el) { return; }
      echarts.init(el).setOption({
        tooltip: { trigger: "axis" },
        grid: { left: 120, right: 24, top: 8, bottom: 24 },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", data: q.labels, inverse: true },
        series: [{ type: "bar", data: q.counts }]
      });
    });
  }
  // Satisfaction per community: surveys' score and appeals' share rated satisfied, side by side (0–100).
  function satisfaction() {
    var el = document.getElementById("chart-satisfaction");
    if (!el) { return; }
    var rows = JSON.parse(document.getElementById("satisfaction-data").textContent);
    var names = JSON.parse(document.getElementById("satisfaction-series").textContent);
    echarts.init(el).setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 40, right: 16, top: 32, bottom: 80 },
      xAxis: { type: "category", data: rows.map(function (r) { return r.name; }), axisLabel: { rotate: 30 } },
      yAxis: { type: "value", max: 100 },
      series: [
        { name: names[0], type: "bar", data: rows.map(function (r) { return r.survey; }) },
        { name: names[1], type: "bar", data: rows.map(function (r) { return r.appeals; }) }
      ]
    });
  }
  document.addEventListener("DOMContentLoaded", start);
})();
