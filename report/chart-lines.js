// Line charts: the latency CDF and the "metric vs sweep parameter" charts, with CI bands.
(function (DL) {
  'use strict';
  function alpha(hex, a) {
    var n = parseInt(hex.slice(1), 16);
    return 'rgba(' + ((n >> 16) & 255) + ',' + ((n >> 8) & 255) + ',' + (n & 255) + ',' + a + ')';
  }
  DL.alpha = alpha;

  DL.builders.lines = function (chart, el, width) {
    var data = [chart.xs];
    var series = [{ label: DL.axisLabel(chart.x), value: function (u, v) { return DL.fmtUnit(v, chart.x.unit); } }];
    var bands = [];
    var fmtY = function (u, v) { return DL.fmtUnit(v, chart.y.unit); };
    chart.series.forEach(function (s) {
      data.push(s.values);
      var idx = series.length;
      series.push({
        label: s.label, stroke: s.color, width: 2, value: fmtY, spanGaps: true,
        points: { show: !!chart.points, size: 6, fill: s.color },
      });
      if (s.lo && s.hi) {
        data.push(s.hi, s.lo);
        var hiIdx = series.length;
        series.push({ label: s.label + ' CI hi', class: 'dl-ci', stroke: alpha(s.color, 0.3), width: 1, dash: [4, 3], value: fmtY, spanGaps: true, points: { show: false } });
        series.push({ label: s.label + ' CI lo', class: 'dl-ci', stroke: alpha(s.color, 0.3), dash: [4, 3], width: 1, value: fmtY, spanGaps: true, points: { show: false } });
        bands.push({ series: [hiIdx, hiIdx + 1], fill: alpha(s.color, 0.1) });
      }
      void idx;
    });
    var tickText = function (unit) { return function (u, vals) { return vals.map(function (v) { return v == null ? '' : DL.fmtUnit(v, unit); }); }; };
    // A sweep parameter has few values: tick exactly at them.
    var xSplits = chart.points ? function () { return chart.xs; } : undefined;
    var pad = chart.x.log ? function (u, min, max) { return [min / 1.25, max * 1.25]; } : undefined;
    // Only set the filters a log axis needs: an explicit undefined would replace uPlot's defaults.
    function axis(label, spec, splits, size) {
      var a = { label: label, values: tickText(spec.unit), stroke: '#333', grid: { stroke: '#ececec' }, ticks: {} };
      if (size) a.size = size;
      if (splits) {
        a.splits = splits;
        a.filter = function (u, s) { return s; };
      } else if (spec.log) {
        a.filter = DL.logFilter;
        a.grid.filter = DL.logFilter;
        a.ticks.filter = DL.logFilter;
      }
      return a;
    }
    var opts = {
      width: width,
      height: 340,
      scales: {
        x: chart.x.log ? { time: false, distr: 3, log: 10, range: pad } : { time: false },
        y: chart.y.log ? { distr: 3, log: 10 } : chart.y.unit === 'fraction' ? { range: function (u, min, max) { return [0, Math.min(1.02, max > 0 ? max * 1.15 : 0.05)]; } } : { range: function (u, min, max) { return [Math.min(0, min), max > 0 ? max * 1.08 : 1]; } },
      },
      axes: [
        axis(DL.axisLabel(chart.x), chart.x, xSplits, undefined),
        axis(DL.axisLabel(chart.y), chart.y, undefined, 70),
      ],
      series: series,
      bands: bands,
      legend: { live: true },
      cursor: { drag: { x: true, y: false } },
    };
    var u = new uPlot(opts, data, el);
    return {
      u: u,
      legend: function () { return chart.series.map(function (s) { return { label: s.label, color: s.color }; }); },
      csv: function () {
        var head = [DL.csvLabel(chart.x)];
        chart.series.forEach(function (s) {
          var y = ' ' + DL.csvLabel(chart.y);
          head.push(s.label + y);
          if (s.lo && s.hi) head.push(s.label + y + ' CI lo', s.label + y + ' CI hi');
        });
        var rows = [head];
        chart.xs.forEach(function (x, i) {
          var r = [x];
          chart.series.forEach(function (s) {
            r.push(s.values[i]);
            if (s.lo && s.hi) r.push(s.lo[i], s.hi[i]);
          });
          rows.push(r);
        });
        return DL.csv(rows);
      },
    };
  };
})(window.DL = window.DL || {});
