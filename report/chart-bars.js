// Grouped bars: one group per category (CPU class), one bar per strategy.
(function (DL) {
  'use strict';
  function barPaths(offset, wid) {
    return function (u, si, i0, i1) {
      var p = new Path2D();
      var xs = u.data[0];
      var ys = u.data[si];
      var y0 = u.valToPos(0, 'y', true);
      for (var i = i0; i <= i1; i++) {
        var v = ys[i];
        if (v == null) continue;
        var xl = u.valToPos(xs[i] + offset - wid / 2, 'x', true);
        var xr = u.valToPos(xs[i] + offset + wid / 2, 'x', true);
        var yv = u.valToPos(v, 'y', true);
        p.rect(xl, Math.min(yv, y0), Math.max(1, xr - xl), Math.max(v > 0 ? 1 : 0, Math.abs(y0 - yv)));
      }
      return { stroke: p, fill: p };
    };
  }

  DL.builders.bars = function (chart, el, width) {
    var G = chart.groups.length;
    var S = chart.series.length;
    var xs = chart.groups.map(function (_, i) { return i; });
    var data = [xs];
    var slot = 0.8 / Math.max(1, S);
    var fmtY = function (u, v) { return DL.fmtUnit(v, chart.y.unit); };
    var series = [{ label: chart.x.label, value: function (u, v) { return v == null ? '' : chart.groups[Math.round(v)] || ''; } }];
    chart.series.forEach(function (s, k) {
      data.push(s.values);
      series.push({
        label: s.label, stroke: s.color, fill: DL.alpha(s.color, 0.85), width: 1, value: fmtY,
        paths: barPaths(-0.4 + slot * (k + 0.5), slot * 0.88), points: { show: false },
      });
    });
    var u = new uPlot({
      width: width,
      height: 320,
      scales: {
        x: { time: false, range: [-0.5, G - 0.5] },
        y: { range: function (u, min, max) { return [0, max > 0 ? max * 1.1 : 1]; } },
      },
      axes: [
        { label: chart.x.label, splits: function () { return xs; }, values: function (u, splits) { return splits.map(function (i) { return chart.groups[i] || ''; }); }, stroke: '#333', grid: { show: false } },
        { label: DL.axisLabel(chart.y), size: 70, values: function (u, vals) { return vals.map(function (v) { return DL.fmtUnit(v, chart.y.unit); }); }, stroke: '#333', grid: { stroke: '#eee' } },
      ],
      series: series,
      legend: { live: true },
      cursor: { drag: { x: false, y: false }, points: { show: false } },
    }, data, el);
    return {
      u: u,
      legend: function () { return chart.series.map(function (s) { return { label: s.label, color: s.color }; }); },
      csv: function () {
        var rows = [[chart.x.label].concat(chart.series.map(function (s) { return s.label + ' ' + DL.csvLabel(chart.y); }))];
        chart.groups.forEach(function (g, i) { rows.push([g].concat(chart.series.map(function (s) { return s.values[i]; }))); });
        return DL.csv(rows);
      },
    };
  };
})(window.DL = window.DL || {});
