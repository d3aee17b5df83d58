/**
 * The report's own browser code: one uPlot per chart from the embedded JSON, timeline actions as
 * dashed vertical lines (a draw hook), and the event-log filter. Plain ES2017 without template
 * literals, kept as a string so the report carries it inline and renders the same bytes from the
 * sources and from dist/.
 *
 * Time on the x axis is seconds since midnight of the scenario's day (start + t). uPlot computes
 * its time ticks in the zone `tzDate` gives it; UTC makes those ticks the simulated wall clock
 * whatever zone the reader's browser is in. Labels are formatted here, 24-hour, like the logs.
 */
export const PAGE_SCRIPT = `(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var DAY = 86400;
  var HEIGHT = 260;

  function pad2(n) { return n < 10 ? '0' + n : String(n); }
  function clock(x, withSeconds) {
    var s = Math.floor(((x % DAY) + DAY) % DAY);
    var text = pad2(Math.floor(s / 3600)) + ':' + pad2(Math.floor((s % 3600) / 60));
    return withSeconds ? text + ':' + pad2(s % 60) : text;
  }
  function formatNumber(v) {
    if (v === null || v === undefined) return '\\u2013';
    if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
    return String(Math.round(v * 1000) / 1000);
  }

  var xs = data.t.map(function (t) { return data.startSeconds + t; });
  // Orchestrator steps (a gate's timeout, a forced SIGTERM) are drawn apart from the scenario's
  // own actions; long log lines are cut, the event log below has them whole. A chart may carry its
  // own marks (the side-by-side page: each run has its own story).
  function toMarks(list) {
    return list.map(function (m) {
      var text = m.label.length > 60 ? m.label.slice(0, 59) + '\u2026' : m.label;
      return { x: data.startSeconds + m.t, label: m.clock + ' ' + text, step: m.from === 'orchestrator' };
    });
  }
  var marks = toMarks(data.marks);

  // Action labels sit in a gutter above the plot, on up to three rows so that actions close
  // together do not overwrite each other and no label hides the data.
  var LABEL_ROW = 15;
  var labelRows = Math.min(3, marks.length);

  function marksPlugin(marks, labelRows) {
    return { hooks: { draw: [function (u) {
      var ctx = u.ctx;
      var px = uPlot.pxRatio;
      var box = u.bbox;
      ctx.save();
      ctx.font = Math.round(11 * px) + 'px system-ui, sans-serif';
      // uPlot leaves its axis text settings on the context.
      ctx.textAlign = 'left';
      ctx.textBaseline = 'bottom';
      marks.forEach(function (m, i) {
        var x = Math.round(u.valToPos(m.x, 'x', true));
        if (x < box.left || x > box.left + box.width) return;
        ctx.strokeStyle = m.step ? '#7c3aed' : '#b45309';
        ctx.lineWidth = Math.max(1, px);
        ctx.setLineDash(m.step ? [2 * px, 3 * px] : [5 * px, 4 * px]);
        var row = labelRows - (i % labelRows);
        var labelBottom = box.top - (row - 1) * LABEL_ROW * px - 2 * px;
        ctx.beginPath();
        ctx.moveTo(x, labelBottom - 10 * px);
        ctx.lineTo(x, box.top + box.height);
        ctx.stroke();
        var w = ctx.measureText(m.label).width;
        var gap = 4 * px;
        var tx = x + gap;
        if (tx + w > box.left + box.width) tx = Math.max(0, x - gap - w);
        ctx.fillStyle = m.step ? '#5b21b6' : '#92400e';
        ctx.fillText(m.label, tx, labelBottom);
      });
      ctx.restore();
    }] } };
  }

  function yRange(u, min, max) { return uPlot.rangeNum(Math.min(0, min), max > 0 ? max : 1, 0.1, true); }

  function makeChart(chart, el) {
    var states = chart.states;
    var n = chart.series.length;
    // Backends in the same state would hide each other: draw each a little apart.
    function offset(i) { return states ? (i - (n - 1) / 2) * 0.08 : 0; }
    var series = [{ label: 'time', value: function (u, v) { return v === null || v === undefined ? '' : clock(v, true); } }];
    chart.series.forEach(function (s, i) {
      var opt = {
        label: s.label,
        stroke: s.color,
        width: 1.5,
        scale: s.axis === 'right' ? 'right' : 'y',
        value: function (u, v) {
          if (v === null || v === undefined) return '\\u2013';
          return states ? (states[Math.round(v - offset(i))] || String(v)) : formatNumber(v);
        }
      };
      if (states) opt.paths = uPlot.paths.stepped({ align: 1 });
      series.push(opt);
    });
    var xAxis = {
      // HH:MM:SS labels are wide; the default spacing would let them run into each other.
      space: 90,
      values: function (u, splits) {
        var withSeconds = splits.some(function (v) { return v % 60 !== 0; });
        return splits.map(function (v) { return clock(v, withSeconds); });
      }
    };
    var yAxis = { scale: 'y', label: chart.unit, size: 70, values: function (u, splits) { return splits.map(formatNumber); } };
    var scales = { x: { time: true }, y: { range: yRange }, right: { range: yRange } };
    if (states) {
      yAxis.label = '';
      yAxis.size = 90;
      yAxis.splits = function () { return states.map(function (_, i) { return i; }); };
      yAxis.values = function (u, splits) { return splits.map(function (v) { return states[v] || ''; }); };
      scales.y = { range: [-0.5, states.length - 0.5] };
    }
    var axes = [xAxis, yAxis];
    if (chart.rightUnit) axes.push({ scale: 'right', side: 1, label: chart.rightUnit, size: 70, grid: { show: false }, values: function (u, splits) { return splits.map(formatNumber); } });
    var own = chart.marks ? toMarks(chart.marks) : marks;
    var ownRows = chart.marks ? Math.min(3, own.length) : labelRows;
    if (chart.yMax && !states) {
      // Both sides of a pair on one scale: the same height means the same value.
      var top = chart.yMax;
      scales.y = { range: function (u, min, max) { return yRange(u, min, Math.max(max, top)); } };
    }
    var opts = {
      width: el.clientWidth || 900,
      height: HEIGHT,
      tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'); },
      scales: scales,
      series: series,
      axes: axes,
      padding: [ownRows === 0 ? null : 6 + ownRows * LABEL_ROW, 40, null, null],
      cursor: { sync: { key: 'drainsim' } },
      plugins: [marksPlugin(own, ownRows)]
    };
    var columns = chart.series.map(function (s, i) {
      return s.values.map(function (v) { return v === null ? null : v + offset(i); });
    });
    return new uPlot(opts, [xs].concat(columns), el);
  }

  var charts = [];
  data.charts.forEach(function (chart) {
    var el = document.querySelector('.plot[data-chart="' + chart.id + '"]');
    if (el) charts.push({ id: chart.id, el: el, plot: makeChart(chart, el) });
  });
  // For the browser test and for curious readers in the devtools console.
  window.drainsimCharts = charts;
  window.addEventListener('resize', function () {
    charts.forEach(function (c) { c.plot.setSize({ width: c.el.clientWidth || 900, height: HEIGHT }); });
  });

  var filter = document.getElementById('log-filter');
  if (filter) {
    var rows = Array.prototype.slice.call(document.querySelectorAll('#event-log tbody tr'));
    var texts = rows.map(function (r) { return r.textContent.toLowerCase(); });
    var boxes = Array.prototype.slice.call(document.querySelectorAll('#log-sources input[type=checkbox]'));
    var count = document.getElementById('log-count');
    var apply = function () {
      var q = filter.value.trim().toLowerCase();
      var on = {};
      boxes.forEach(function (b) { on[b.value] = b.checked; });
      var shown = 0;
      rows.forEach(function (r, i) {
        var show = on[r.getAttribute('data-source')] === true && (q === '' || texts[i].indexOf(q) >= 0);
        r.hidden = !show;
        if (show) shown++;
      });
      count.textContent = shown.toLocaleString('en-US') + ' of ' + rows.length.toLocaleString('en-US') + ' lines';
    };
    filter.addEventListener('input', apply);
    boxes.forEach(function (b) { b.addEventListener('change', apply); });
    apply();
  }
})();
`;
