/* Skin dose map of an RF study: a turnable 3D trunk coloured by dose and the unfolded map.
   Drawn with ECharts' own series (custom polygons for the surface, a heatmap for the map). */
(function () {
  "use strict";
  var box = document.getElementById("skin-dose");
  if (!box || !window.echarts) { return; }

  function visual(max) {
    return { min: 0, max: max > 0 ? max : 1, dimension: 2, calculable: true, orient: "vertical",
             right: 0, top: "middle", text: ["mGy", ""], seriesIndex: 0,
             inRange: { color: ["#f2f0f7", "#fdd49e", "#fc8d59", "#d7301f", "#7f0000"] } };
  }

  function corners(m, i, j) {
    // The cell's four corners: half-way to the neighbouring columns and rows.
    var n = m.columns, jp = (j + 1) % n, jm = (j - 1 + n) % n;
    var xl = (m.x_mm[jm] + m.x_mm[j]) / 2, yl = (m.y_mm[jm] + m.y_mm[j]) / 2;
    var xr = (m.x_mm[jp] + m.x_mm[j]) / 2, yr = (m.y_mm[jp] + m.y_mm[j]) / 2;
    var dz = m.phantom.length_mm / m.rows / 2, z = m.z_mm[i];
    return [[xl, yl, z - dz], [xr, yr, z - dz], [xr, yr, z + dz], [xl, yl, z + dz]];
  }

  function project(p, turn, tilt) {
    // Turn about the trunk's axis, then tilt the axis towards the viewer: [screen x, y, depth].
    var c = Math.cos(turn), s = Math.sin(turn);
    var up = p[1] * c + p[0] * s, toward = p[0] * c - p[1] * s;
    var ct = Math.cos(tilt), st = Math.sin(tilt);
    return [p[2] * ct + toward * st, up, toward * ct - p[2] * st];
  }

  function surface(m, turnDeg) {
    var turn = turnDeg * Math.PI / 180, tilt = 20 * Math.PI / 180, cells = [];
    for (var i = 0; i < m.rows; i++) {
      for (var j = 0; j < m.columns; j++) {
        var pts = corners(m, i, j).map(function (p) { return project(p, turn, tilt); });
        // Outward normal of the cell, projected: keep the cells facing the viewer.
        var nx = m.x_mm[j] / Math.pow(m.phantom.width_mm / 2, 2);
        var ny = m.y_mm[j] / Math.pow(m.phantom.depth_mm / 2, 2);
        var normal = project([nx, ny, 0], turn, tilt);
        if (normal[2] <= 0) { continue; }
        var depth = (pts[0][2] + pts[2][2]) / 2;
        cells.push({ value: [i, j, m.dose_mgy[i][j], depth], pts: pts });
      }
    }
    cells.sort(function (a, b) { return a.value[3] - b.value[3]; });
    return cells;
  }

  function draw(m) {
    var max = m.peak_skin_dose_gy * 1000;
    var three = echarts.init(document.getElementById("skin-dose-3d"));
    var flat = echarts.init(document.getElementById("skin-dose-2d"));
    var slider = document.getElementById("skin-dose-turn");
    var extent = Math.max(m.phantom.length_mm, m.phantom.width_mm) * 0.62;
    function render() {
      var cells = surface(m, Number(slider.value));
      three.setOption({
        animation: false,
        tooltip: { formatter: function (p) {
          return "row " + p.value[0] + ", column " + p.value[1] + ": " + p.value[2] + " mGy"; } },
        visualMap: visual(max),
        xAxis: { type: "value", show: false, min: -extent, max: extent },
        yAxis: { type: "value", show: false, min: -extent * 0.6, max: extent * 0.6 },
        grid: { left: 10, right: 70, top: 10, bottom: 10 },
        series: [{
          type: "custom", coordinateSystem: "cartesian2d", data: cells,
          encode: { tooltip: [2] },
          renderItem: function (params, api) {
            var cell = cells[params.dataIndex];
            var points = cell.pts.map(function (p) {
              return api.coord([p[0] - m.phantom.length_mm / 2, p[1]]); });
            return { type: "polygon", shape: { points: points },
                     style: { fill: api.visual("color"), stroke: "rgba(0,0,0,0.08)", lineWidth: 0.5 } };
          }
        }]
      }, true);
    }
    render();
    slider.addEventListener("input", render);
    var data = [];
    for (var i = 0; i < m.rows; i++) {
      for (var j = 0; j < m.columns; j++) { data.push([j, i, m.dose_mgy[i][j]]); }
    }
    var cellArc = m.perimeter_mm / m.columns;
    flat.setOption({
      tooltip: { formatter: function (p) {
        return Math.round(p.value[0] * cellArc) + " mm around from the back, " +
          Math.round(m.z_mm[p.value[1]]) + " mm from the lower end: " + p.value[2] + " mGy"; } },
      visualMap: visual(max),
      grid: { left: 60, right: 80, top: 36, bottom: 50 },
      xAxis: { type: "category", name: "around the trunk: back · left · front · right · back",
               nameLocation: "middle", nameGap: 30,
               data: m.x_mm.map(function (_, j) { return Math.round(j * cellArc); }) },
      yAxis: { type: "category", name: "mm from the lower end (head up)",
               data: m.z_mm.map(Math.round) },
      series: [{ type: "heatmap", data: data, progressive: 0 }]
    });
    window.addEventListener("resize", function () { three.resize(); flat.resize(); });
  }

  fetch(box.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (m) { if (m && m.dose_mgy) { draw(m); } });
})();
