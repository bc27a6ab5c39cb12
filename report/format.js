// Number formatting shared by every chart (browser side). Times pick their own unit so a 4 us
// tag walk and a 150 ms wait loop both read naturally.
(function (DL) {
  'use strict';
  function sig(v, digits) {
    if (v === 0) return '0';
    var a = Math.abs(v);
    var d = a >= 100 ? 0 : a >= 10 ? Math.max(0, digits - 2) : a >= 1 ? Math.max(0, digits - 1) : digits;
    var s = v.toFixed(Math.min(d, 6));
    return s.indexOf('.') >= 0 ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
  }
  DL.fmtMs = function (ms) {
    if (ms == null || !isFinite(ms)) return '-';
    var a = Math.abs(ms);
    if (a === 0) return '0';
    if (a >= 1000) return sig(ms / 1000, 3) + ' s';
    if (a >= 1) return sig(ms, 3) + ' ms';
    if (a >= 0.001) return sig(ms * 1000, 3) + ' \u00b5s';
    return sig(ms * 1e6, 3) + ' ns';
  };
  DL.fmtNum = function (v) {
    if (v == null || !isFinite(v)) return '-';
    var a = Math.abs(v);
    if (a >= 1e6 || (a > 0 && a < 1e-3)) return v.toExponential(2);
    return sig(v, 3);
  };
  DL.fmtUnit = function (v, unit) {
    if (unit === 'ms') return DL.fmtMs(v);
    if (unit === 'fraction') return v == null || !isFinite(v) ? '-' : sig(v * 100, 3) + ' %';
    return DL.fmtNum(v);
  };
  // Axis titles: times and fractions carry their unit on every tick, so the title leaves it out.
  DL.axisLabel = function (axis) {
    return axis.unit && axis.unit !== 'count' && axis.unit !== 'fraction' && axis.unit !== 'ms' && axis.unit !== axis.label ? axis.label + ' (' + axis.unit + ')' : axis.label;
  };
  // CSV headers hold raw numbers, so they always name the unit.
  DL.csvLabel = function (axis) {
    return axis.unit && axis.unit !== 'count' && axis.unit !== axis.label ? axis.label + ' (' + axis.unit + ')' : axis.label;
  };
  // Log axes: uPlot puts a tick at every 1..9 x 10^k; keep the grid readable by keeping 1, 2, 5
  // x 10^k over a short range and only the decades over a long one.
  DL.logFilter = function (u, splits) {
    var v = splits.filter(function (x) { return x != null && x > 0; });
    var decades = v.length ? Math.log10(v[v.length - 1] / v[0]) : 0;
    return splits.map(function (x) {
      if (x == null || x <= 0) return null;
      var m = Math.round(x / Math.pow(10, Math.floor(Math.log10(x) + 1e-9)));
      if (m === 1) return x;
      return decades <= 2.5 && (m === 2 || m === 5) ? x : null;
    });
  };
})(window.DL = window.DL || {});
