// The frame every chart lives in: size, resize, and the PNG / CSV download buttons. A chart
// builder returns { u (the uPlot), csv() (text), legend() ([{label, color}]) }.
(function (DL) {
  'use strict';
  DL.builders = DL.builders || {};

  function download(name, href) {
    var a = document.createElement('a');
    a.href = href;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
  }

  function csvCell(v) {
    if (v == null) return '';
    if (typeof v === 'number') return isFinite(v) ? String(v) : '';
    var s = String(v);
    // A spreadsheet would run a cell that starts with = + - @ as a formula.
    if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;
    return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }
  DL.csv = function (rows) {
    return rows.map(function (r) { return r.map(csvCell).join(','); }).join('\n') + '\n';
  };

  // The uPlot canvas holds only the plot and axes; the PNG adds the title and a legend.
  DL.toPng = function (u, title, legend) {
    var src = u.ctx.canvas;
    var pr = src.width / Math.max(1, u.width);
    var pad = 12 * pr;
    var titleH = 30 * pr;
    var rowH = 20 * pr;
    var font = (13 * pr) + 'px system-ui, sans-serif';
    var probe = document.createElement('canvas').getContext('2d');
    probe.font = font;
    var rows = [[]];
    var x = pad;
    legend.forEach(function (item) {
      var w = 22 * pr + probe.measureText(item.label).width + 14 * pr;
      if (x + w > src.width - pad && rows[rows.length - 1].length) { rows.push([]); x = pad; }
      rows[rows.length - 1].push({ item: item, x: x });
      x += w;
    });
    var legendH = legend.length ? rows.length * rowH + pad : 0;
    var c = document.createElement('canvas');
    c.width = src.width;
    c.height = titleH + src.height + legendH;
    var ctx = c.getContext('2d');
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, c.width, c.height);
    ctx.fillStyle = '#111111';
    ctx.font = 'bold ' + (15 * pr) + 'px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    ctx.fillText(title, pad, titleH / 2);
    ctx.drawImage(src, 0, titleH);
    ctx.font = font;
    rows.forEach(function (row, i) {
      var y = titleH + src.height + pad / 2 + i * rowH + rowH / 2;
      row.forEach(function (cell) {
        ctx.fillStyle = cell.item.color;
        ctx.fillRect(cell.x, y - 5 * pr, 16 * pr, 10 * pr);
        ctx.fillStyle = '#111111';
        ctx.fillText(cell.item.label, cell.x + 22 * pr, y);
      });
    });
    return c.toDataURL('image/png');
  };

  DL.mount = function (section, chart) {
    var plot = section.querySelector('.plot');
    var build = DL.builders[chart.kind];
    if (!plot || !build) return null;
    var width = function () { return Math.max(320, Math.floor(plot.clientWidth || 800)); };
    var made = build(chart, plot, width());
    section.querySelector('[data-action=png]').addEventListener('click', function () {
      var m = section.__dl;
      download(chart.id + '.png', DL.toPng(m.u, chart.title, m.legend()));
    });
    section.querySelector('[data-action=csv]').addEventListener('click', function () {
      var m = section.__dl;
      var blob = new Blob([m.csv()], { type: 'text/csv' });
      var url = URL.createObjectURL(blob);
      download(chart.id + '.csv', url);
      setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
    });
    section.__dl = made;
    var last = width();
    window.addEventListener('resize', function () {
      var w = width();
      if (w !== last && section.__dl && section.__dl.u) {
        last = w;
        section.__dl.u.setSize({ width: w, height: section.__dl.u.height });
      }
    });
    return made;
  };
})(window.DL = window.DL || {});
