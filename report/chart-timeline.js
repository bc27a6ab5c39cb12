// The timeline of one seal: one lane per CPU that took part, spans as bars, instants as dots.
(function (DL) {
  'use strict';
  var KIND_COLORS = {
    'seal-start': '#111111', 'seal-end': '#111111', lock: '#d62728', unlock: '#d62728', tag: '#ff7f0e', tagged: '#ff7f0e',
    'inode-lock': '#d62728', 'inode-unlock': '#d62728', 'inode lock held': '#d62728', 'drain_all until flushed': '#9467bd', flushed: '#9467bd',
    'drain-all': '#9467bd', drain: '#8c564b', queue: '#7f7f7f', ipi: '#e377c2', kworker: '#1f77b4',
    'kworker-start': '#1f77b4', 'kworker-done': '#1f77b4', sleep: '#bbbbbb', recheck: '#2ca02c', wait: '#bcbd22',
  };
  var EXTRA = ['#17becf', '#393b79', '#637939', '#843c39', '#7b4173', '#3182bd'];

  // back: half-height of a background span in lanes (0 for a step, drawn narrower on top).
  function paths(durs, back) {
    return function (u, si, i0, i1) {
      var p = new Path2D();
      var xs = u.data[0];
      var ys = u.data[si];
      var pr = u.ctx.canvas.width / Math.max(1, u.width);
      for (var i = i0; i <= i1; i++) {
        var lane = ys[i];
        if (lane == null) continue;
        var h = back || 0.18;
        var yt = u.valToPos(lane - h, 'y', true);
        var yb = u.valToPos(lane + h, 'y', true);
        var x = u.valToPos(xs[i], 'x', true);
        var d = durs[i];
        if (d != null && d > 0) {
          var xr = u.valToPos(xs[i] + d, 'x', true);
          p.rect(x, Math.min(yt, yb), Math.max(2 * pr, xr - x), Math.abs(yb - yt));
        } else {
          var r = 4.5 * pr;
          var yc = u.valToPos(lane, 'y', true);
          p.moveTo(x + r, yc);
          p.arc(x, yc, r, 0, 2 * Math.PI);
        }
      }
      return { stroke: p, fill: p };
    };
  }

  function build(chart, tl, el, width) {
    var events = tl.events.slice().sort(function (a, b) { return a.atMs - b.atMs; });
    var t0 = events.length ? events[0].atMs : 0;
    var cpus = [];
    events.forEach(function (e) { if (cpus.indexOf(e.cpu) < 0) cpus.push(e.cpu); });
    cpus.sort(function (a, b) { return a - b; });
    var laneOf = {};
    cpus.forEach(function (c, i) { laneOf[c] = i; });
    var kinds = [];
    events.forEach(function (e) { if (kinds.indexOf(e.what) < 0) kinds.push(e.what); });
    // Background spans (the lock held, drain_all's wait) first, so the steps draw on top of them.
    var isBack = function (k) { return k === 'lock' || k === 'inode lock held' || k === 'drain_all until flushed'; };
    kinds.sort(function (a, b) { return (isBack(a) ? -1 : 0) - (isBack(b) ? -1 : 0); });
    // One x per event (equal times allowed), so two CPUs starting work at the same instant both show.
    var xs = events.map(function (e) { return e.atMs - t0; });
    var data = [xs];
    var series = [{ label: 'time since fcntl', value: function (u, v) { return v == null ? '' : DL.fmtMs(v); } }];
    var details = [];
    var legendItems = [];
    kinds.forEach(function (k, ki) {
      var ys = xs.map(function () { return null; });
      var durs = xs.map(function () { return null; });
      var det = xs.map(function () { return null; });
      events.forEach(function (e, i) {
        if (e.what !== k) return;
        ys[i] = laneOf[e.cpu];
        durs[i] = e.durMs == null ? null : e.durMs;
        det[i] = (e.durMs ? DL.fmtMs(e.durMs) + ' ' : '') + 'on CPU ' + e.cpu + (e.detail ? ': ' + e.detail : '');
      });
      var color = KIND_COLORS[k] || EXTRA[ki % EXTRA.length];
      data.push(ys);
      details.push(det);
      legendItems.push({ label: k, color: color });
      series.push({
        label: k, stroke: color, fill: isBack(k) ? DL.alpha(color, 0.16) : DL.alpha(color, 0.85), width: isBack(k) ? 1 : 0,
        paths: paths(durs, isBack(k) ? (k === 'drain_all until flushed' ? 0.3 : 0.42) : 0), points: { show: false },
        value: (function (d) { return function (u, v, si, i) { return v == null || i == null ? '' : d[i] || ''; }; })(det),
      });
    });
    var maxX = 0;
    var minDur = Infinity;
    events.forEach(function (e) {
      maxX = Math.max(maxX, e.atMs - t0 + (e.durMs || 0));
      if (e.durMs > 0) minDur = Math.min(minDur, e.durMs);
      if (e.atMs > t0) minDur = Math.min(minDur, e.atMs - t0);
    });
    // A seal's steps range from microseconds (tag walk, queue_work_on) to a 150 ms wait loop: an
    // arcsinh time axis is linear near the fcntl call and logarithmic beyond, so both are visible.
    var lin = isFinite(minDur) ? Math.max(1e-4, minDur) : 0.01;
    var useAsinh = maxX / lin > 50;
    // Ticks at 1, 2, 5 x 10^k only (uPlot offers 1..9 x 10^k on an arcsinh axis).
    var asinhFilter = function (u, s) {
      return s.map(function (x) {
        if (x == null || x < 0) return null;
        if (x === 0) return 0;
        var m = Math.round(Math.abs(x) / Math.pow(10, Math.floor(Math.log10(Math.abs(x)) + 1e-9)));
        return m === 1 || m === 2 || m === 5 ? x : null;
      });
    };
    var u = new uPlot({
      width: width,
      height: Math.max(180, 70 + 46 * cpus.length),
      scales: {
        x: useAsinh ? { time: false, distr: 4, asinh: lin, range: [0, maxX * 1.05 || 1] } : { time: false, range: [-maxX * 0.01, maxX * 1.02 || 1] },
        y: { range: [-0.5, cpus.length - 0.5], dir: -1 },
      },
      axes: [
        { label: 'time since the fcntl call' + (useAsinh ? ' (linear near 0, logarithmic beyond)' : '') + '; drag to zoom, double-click to reset', values: function (u, v) { return v.map(function (x) { return x == null ? '' : DL.fmtMs(x); }); }, filter: useAsinh ? asinhFilter : undefined, stroke: '#333', grid: useAsinh ? { stroke: '#eee', filter: asinhFilter } : { stroke: '#eee' }, ticks: useAsinh ? { filter: asinhFilter } : {} },
        { label: 'CPU', size: 70, splits: function () { return cpus.map(function (_, i) { return i; }); }, values: function (u, s) { return s.map(function (i) { return 'CPU ' + cpus[Math.round(i)]; }); }, stroke: '#333', grid: { stroke: '#f2f2f2' } },
      ],
      series: series,
      legend: { live: true },
      cursor: { drag: { x: true, y: false }, points: { show: false } },
    }, data, el);
    return {
      u: u,
      legend: function () { return legendItems; },
      csv: function () {
        var rows = [['strategy', 'time since fcntl (ms)', 'cpu', 'what', 'duration (ms)', 'detail']];
        events.forEach(function (e) { rows.push([tl.strategy, e.atMs - t0, e.cpu, e.what, e.durMs == null ? null : e.durMs, e.detail || '']); });
        return DL.csv(rows);
      },
    };
  }

  DL.builders.timeline = function (chart, el, width) {
    var holder = document.createElement('div');
    var pick = document.createElement('label');
    pick.className = 'tl-pick';
    pick.appendChild(document.createTextNode('Strategy: '));
    var select = document.createElement('select');
    chart.timelines.forEach(function (tl, i) {
      var o = document.createElement('option');
      o.value = String(i);
      o.text = tl.strategy;
      select.appendChild(o);
    });
    pick.appendChild(select);
    el.appendChild(pick);
    el.appendChild(holder);
    var current = build(chart, chart.timelines[0], holder, width);
    var api = {
      get u() { return current.u; },
      legend: function () { return current.legend(); },
      csv: function () { return current.csv(); },
    };
    select.addEventListener('change', function () {
      current.u.destroy();
      current = build(chart, chart.timelines[Number(select.value)], holder, Math.max(320, el.clientWidth || width));
    });
    return api;
  };
})(window.DL = window.DL || {});
