// Draws the charts of a Charts page with ECharts, from the numbers the server put in each
// .kerma-chart element's data-chart attribute (aggregated in the database). Runs on load and
// after htmx swaps in new charts.
(function () {
  "use strict";

  function axisName(spec) {
    return spec.quantity ? spec.quantity + " (" + spec.unit + ")" : "Studies";
  }

  function seriesKey(row) {
    return row.system === null || row.system === undefined ? "All systems" : row.system;
  }

  // The categories and the systems (series) of a chart's rows, in the order they come.
  function categoriesAndSystems(rows) {
    var categories = [];
    var systems = [];
    rows.forEach(function (row) {
      if (categories.indexOf(row.category) < 0) categories.push(row.category);
      var key = seriesKey(row);
      if (systems.indexOf(key) < 0) systems.push(key);
    });
    return { categories: categories, systems: systems };
  }

  function categoryOption(spec) {
    var axes = categoriesAndSystems(spec.rows);
    var categories = axes.categories;
    var systems = axes.systems;
    var series = systems.map(function (system) {
      var byCategory = {};
      spec.rows.forEach(function (row) { if (seriesKey(row) === system) byCategory[row.category] = row; });
      if (spec.statistic === "boxplot") {
        return {
          name: system, type: "boxplot",
          data: categories.map(function (c) {
            var r = byCategory[c];
            return r ? [r.min, r.q1, r.median, r.q3, r.max] : [];
          })
        };
      }
      return {
        name: system, type: spec.kind === "time" ? "line" : "bar",
        data: categories.map(function (c) {
          var r = byCategory[c];
          return r ? r[spec.statistic] : null;
        })
      };
    });
    // The DRL of each category, where the chosen set has one: a short bar across it.
    var levels = {};
    spec.rows.forEach(function (row) {
      if (row.drl !== null && row.drl !== undefined) levels[row.category] = row.drl;
    });
    if (Object.keys(levels).length) {
      series.push({
        name: "DRL", type: "scatter", symbol: "rect", symbolSize: [28, 3], z: 5,
        itemStyle: { color: "#dc3545" },
        data: categories.map(function (c) { return c in levels ? levels[c] : null; })
      });
      systems.push("DRL");
    }
    return {
      tooltip: { trigger: spec.statistic === "boxplot" ? "item" : "axis" },
      legend: { show: systems.length > 1, type: "scroll" },
      toolbox: { feature: { saveAsImage: { title: "Save as image", name: spec.title } } },
      grid: { containLabel: true, left: 10, right: 20, bottom: 10 },
      xAxis: { type: "category", data: categories, axisLabel: { rotate: categories.length > 8 ? 40 : 0, interval: 0 } },
      yAxis: { type: "value", name: (spec.statistic === "boxplot" ? "" : spec.statistic.charAt(0).toUpperCase() + spec.statistic.slice(1) + " ") + axisName(spec) },
      series: series
    };
  }

  function frequencyOption(spec) {
    var axes = categoriesAndSystems(spec.rows);
    var categories = axes.categories;
    var systems = axes.systems;
    var series = systems.map(function (system) {
      var counts = {};
      spec.rows.forEach(function (row) { if (seriesKey(row) === system) counts[row.category] = row.n; });
      return {
        name: system, type: "bar", stack: "count",
        data: categories.map(function (c) { return c in counts ? counts[c] : null; })
      };
    });
    return {
      tooltip: { trigger: "axis" },
      legend: { show: systems.length > 1, type: "scroll" },
      toolbox: { feature: { saveAsImage: { title: "Save as image", name: spec.title } } },
      grid: { containLabel: true, left: 10, right: 20, bottom: 10 },
      xAxis: { type: "category", data: categories, axisLabel: { rotate: categories.length > 8 ? 40 : 0, interval: 0 } },
      yAxis: { type: "value", name: spec.counted, minInterval: 1 },
      series: series
    };
  }

  // Points (a sample where there are many) per series, and per series a line through the
  // chosen statistic of each band of x, computed by the server from every value.
  function scatterOption(spec) {
    var statistic = spec.statistic === "boxplot" ? "median" : spec.statistic;
    var names = [];
    var points = {};
    spec.points.forEach(function (p) {
      if (!(p[2] in points)) { points[p[2]] = []; names.push(p[2]); }
      points[p[2]].push([p[0], p[1]]);
    });
    var series = names.map(function (name) {
      return { name: name, type: "scatter", symbolSize: 5, large: true, data: points[name] };
    });
    var trends = {};
    spec.rows.forEach(function (row) {
      var name = row.system === null || row.system === undefined ? row.category : row.category + " · " + row.system;
      (trends[name] = trends[name] || []).push([row.band + spec.band / 2, row[statistic]]);
    });
    Object.keys(trends).forEach(function (name) {
      series.push({ name: name + " (" + statistic + ")", type: "line", symbol: "circle", data: trends[name] });
    });
    return {
      tooltip: { trigger: "item" },
      legend: { show: true, type: "scroll" },
      toolbox: { feature: { saveAsImage: { title: "Save as image", name: spec.title } } },
      grid: { containLabel: true, left: 10, right: 30, bottom: 10 },
      xAxis: { type: "value", name: spec.x_quantity + " (" + spec.x_unit + ")", nameLocation: "middle", nameGap: 25 },
      yAxis: { type: "value", name: axisName(spec) },
      series: series
    };
  }

  var OPTIONS = { workload: workloadOption, frequency: frequencyOption, scatter: scatterOption };

  function workloadOption(spec) {
    var days = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
    var hours = [];
    for (var h = 0; h < 24; h++) hours.push(String(h));
    var max = 1;
    var data = spec.rows.map(function (row) {
      max = Math.max(max, row.n);
      return [row.hour, row.weekday, row.n];
    });
    return {
      tooltip: { position: "top" },
      toolbox: { feature: { saveAsImage: { title: "Save as image", name: spec.title } } },
      grid: { containLabel: true, left: 10, right: 20, bottom: 60 },
      xAxis: { type: "category", data: hours, name: "Hour" },
      yAxis: { type: "category", data: days },
      visualMap: { min: 0, max: max, calculable: true, orient: "horizontal", left: "center", bottom: 0 },
      series: [{ name: "Studies", type: "heatmap", data: data, label: { show: false } }]
    };
  }

  function draw(root) {
    root.querySelectorAll(".kerma-chart").forEach(function (element) {
      var spec = JSON.parse(element.getAttribute("data-chart"));
      var chart = echarts.getInstanceByDom(element) || echarts.init(element);
      chart.setOption((OPTIONS[spec.kind] || categoryOption)(spec), true);
      element.setAttribute("data-drawn", "true");
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSettle", function (event) { draw(event.target); });
  window.addEventListener("resize", function () {
    document.querySelectorAll(".kerma-chart[data-drawn]").forEach(function (element) {
      var chart = echarts.getInstanceByDom(element);
      if (chart) chart.resize();
    });
  });
})();
