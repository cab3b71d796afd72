// Survey results in the console (ECharts from npm, served by us): the data comes from the JSON script element the
// server rendered from the same figures as the tables beside the charts.
(function () {
  "use strict";
  function start() {
    if (typeof echarts === "undefined") { return; }
    var data = JSON.parse(document.getElementById("survey-data").textContent);
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
  document.addEventListener("DOMContentLoaded", start);
})();
