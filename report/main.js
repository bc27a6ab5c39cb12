// Entry point: reads the embedded chart data and mounts every chart into its section.
(function (DL) {
  'use strict';
  var node = document.getElementById('report-data');
  var data = JSON.parse(node.textContent || '{}');
  var byId = {};
  (data.charts || []).forEach(function (c) { byId[c.id] = c; });
  var sections = document.querySelectorAll('section.chart[data-chart-id]');
  for (var i = 0; i < sections.length; i++) {
    var section = sections[i];
    var chart = byId[section.getAttribute('data-chart-id')];
    if (!chart || chart.kind === 'missing') continue;
    try {
      DL.mount(section, chart);
    } catch (e) {
      var msg = document.createElement('p');
      msg.className = 'chart-error';
      msg.textContent = 'This chart could not be drawn: ' + (e && e.message ? e.message : String(e));
      section.appendChild(msg);
      if (window.console) console.error(e);
    }
  }
  document.documentElement.setAttribute('data-charts-ready', 'true');
})(window.DL = window.DL || {});
