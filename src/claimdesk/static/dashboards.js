/* Draws every dataset of a dashboard page with ECharts (vendored, served locally).
   The data is the JSON block next to each chart; the table view below it holds the
   same rows, so the page is readable without JavaScript. */
(function () {
  "use strict";

  function seriesFor(data) {
    var categories = [];
    data.rows.forEach(function (row) {
      var c = row[data.category];
      if (categories.indexOf(c) < 0) categories.push(c);
    });
    var series = [];
    if (data.series_by) {
      var groups = [];
      data.rows.forEach(function (row) {
        var g = row[data.series_by];
        if (groups.indexOf(g) < 0) groups.push(g);
      });
      var value = data.values[0];
      groups.forEach(function (g) {
        series.push({
          name: g, type: "bar", stack: "total",
          data: categories.map(function (c) {
            var hit = data.rows.filter(function (r) { return r[data.category] === c && r[data.series_by] === g; });
            return hit.length ? hit[0][value] : 0;
          })
        });
      });
    } else {
      data.values.forEach(function (v) {
        var fixed = (data.colors || {})[v];
        series.push({
          name: data.names[v] || v, type: data.kind === "line" ? "line" : "bar",
          itemStyle: fixed ? { color: fixed } : undefined,
          lineStyle: fixed ? { color: fixed } : undefined,
          data: categories.map(function (c) {
            var hit = data.rows.filter(function (r) { return r[data.category] === c; });
            return hit.length ? hit[0][v] : null;
          })
        });
      });
    }
    return { categories: categories, series: series };
  }

  function draw(element) {
    var source = document.getElementById("data-" + element.dataset.dataset);
    if (!source || typeof echarts === "undefined") return;
    var data = JSON.parse(source.textContent);
    var built = seriesFor(data);
    var chart = echarts.init(element, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", top: 0 },
      grid: { left: 48, right: 16, top: 40, bottom: 64, containLabel: true },
      xAxis: { type: "category", data: built.categories, axisLabel: { interval: 0, rotate: built.categories.length > 4 ? 30 : 0 } },
      // A stacked chart draws one value column split by another (the deadlines by
      // month: the missed ones per limit): the axis says which, or a manager reads the
      // bars of "deadlines met" as met.
      yAxis: data.series_by
        ? { type: "value", name: data.names[data.values[0]] || data.values[0],
            nameLocation: "middle", nameGap: 44, nameRotate: 90 }
        : { type: "value" },
      series: built.series
    });
    window.addEventListener("resize", function () { chart.resize(); });
    element.dataset.drawn = "true";
  }

  function start() {
    document.querySelectorAll(".chart[data-dataset]").forEach(draw);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
