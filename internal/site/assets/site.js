// pricechecker site: sortable, filterable tables and line timelines. No
// requests: the data of an offer page comes in data.js, loaded by a script
// tag, which works from file:// as from a web server.
(function () {
  "use strict";

  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function num(s) { var v = parseFloat(s); return isNaN(v) ? -Infinity : v; }

  // Sort buttons in the headers of a table; sortRows(col, dir) does the work.
  function sortHeaders(table, sortRows) {
    var ths = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(ths, function (th, col) {
      if (th.textContent === "Trend") return;
      var b = document.createElement("button");
      b.type = "button";
      b.textContent = th.textContent;
      b.setAttribute("aria-label", "sort by " + th.textContent);
      th.textContent = "";
      th.appendChild(b);
      b.addEventListener("click", function () {
        var dir = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
        Array.prototype.forEach.call(ths, function (o) { o.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", dir);
        sortRows(col, dir === "ascending" ? 1 : -1, th.dataset.type === "num");
      });
    });
  }

  // Tables rendered on the server: sort and filter their rows in place.
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    sortHeaders(table, function (col, dir, numeric) {
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[col].textContent, y = b.cells[col].textContent;
        if (numeric) return dir * (num(x) - num(y));
        return dir * (x < y ? -1 : x > y ? 1 : 0);
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll("input.filter"), function (input) {
    var table = document.getElementById(input.dataset.table);
    input.addEventListener("input", function () {
      var terms = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      Array.prototype.forEach.call(table.tBodies[0].rows, function (r) {
        var text = r.textContent.toLowerCase();
        r.hidden = !terms.every(function (t) { return text.indexOf(t) >= 0; });
      });
    });
  });

  var data = window.PRICE_DATA;
  var table = document.getElementById("lines");
  if (!data || !table) return;

  // Rows drawn at once: a screen or two. Drawing more costs layout time on
  // every keystroke (25,000 rows would take seconds); "Show more" adds more.
  var LIMIT = 100;
  var lines = data.lines;
  var nattr = data.attrs.length;
  // Column values, in the order of the table's columns.
  function cols(l) {
    return [l.l].concat(l.a, [l.t, l.u, l.p, l.d, l.x, "", l.r]);
  }
  var hay = lines.map(function (l) { return cols(l).join("\u0000").toLowerCase(); });
  var order = lines.map(function (_, i) { return i; });
  var shown = order;
  var limit = LIMIT;
  var body = table.tBodies[0];
  var count = document.getElementById("line-count");
  var more = document.getElementById("show-more");
  var filter = document.getElementById("line-filter");

  function spark(h) {
    var pts = h.filter(function (p) { return p[3] !== null; });
    if (pts.length < 2) return "";
    var vals = pts.map(function (p) { return num(p[3]); });
    var lo = Math.min.apply(null, vals), hi = Math.max.apply(null, vals);
    var span = hi - lo || 1;
    var xy = vals.map(function (v, i) {
      return (i * 78 / (vals.length - 1) + 1).toFixed(1) + "," + (18 - (v - lo) * 16 / span).toFixed(1);
    });
    return '<svg class="spark" viewBox="0 0 80 20" role="img" aria-label="trend"><polyline points="' + xy.join(" ") + '"/></svg>';
  }
  function changeClass(x) { return x.charAt(0) === "+" ? "up" : x.charAt(0) === "-" ? "down" : ""; }

  function render() {
    var html = [];
    var n = Math.min(shown.length, limit);
    for (var k = 0; k < n; k++) {
      var i = shown[k], l = lines[i];
      var row = '<tr data-i="' + i + '"><td><button type="button" class="open" title="' + esc(l.r) + '">' + esc(l.l) + "</button></td>";
      for (var a = 0; a < nattr; a++) row += "<td>" + esc(l.a[a]) + "</td>";
      row += "<td>" + esc(l.t) + "</td><td>" + esc(l.u) + '</td><td class="num">' + esc(l.p) + " " + esc(l.c) +
        "</td><td>" + esc(l.d) + '</td><td class="' + changeClass(l.x) + '">' + esc(l.x) + "</td><td>" + spark(l.h) +
        "</td><td><code>" + esc(l.r) + "</code></td></tr>";
      html.push(row);
    }
    body.innerHTML = html.join("");
    count.textContent = shown.length + " of " + lines.length + " lines" + (shown.length > n ? ", showing the first " + n : "");
    more.hidden = shown.length <= n;
    more.textContent = "Show " + Math.min(shown.length - n, 500) + " more";
  }

  function applyFilter() {
    var terms = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    if (!terms.length) { shown = order; } else {
      shown = [];
      for (var k = 0; k < order.length; k++) {
        var h = hay[order[k]], ok = true;
        for (var t = 0; t < terms.length; t++) if (h.indexOf(terms[t]) < 0) { ok = false; break; }
        if (ok) shown.push(order[k]);
      }
    }
    limit = LIMIT;
    render();
  }
  filter.addEventListener("input", applyFilter);
  more.addEventListener("click", function () { limit += 500; render(); });

  sortHeaders(table, function (col, dir, numeric) {
    var keys = lines.map(function (l) { var v = cols(l)[col]; return numeric ? num(v) : v; });
    order = order.slice().sort(function (a, b) {
      var x = keys[a], y = keys[b];
      return dir * (x < y ? -1 : x > y ? 1 : a - b);
    });
    applyFilter();
  });

  // The timeline: a step chart of every version where the price moved.
  var panel = document.getElementById("timeline");
  function openTimeline(i) {
    var l = lines[i];
    document.getElementById("timeline-h").textContent = l.l + " (" + l.r + ")";
    var pts = l.h;
    var t0 = Date.parse(pts[0][0]), t1 = Math.max(Date.parse(pts[pts.length - 1][0]), Date.parse(data.recorded));
    var priced = pts.filter(function (p) { return p[3] !== null; }).map(function (p) { return num(p[3]); });
    var lo = Math.min.apply(null, priced.concat([0])), hi = Math.max.apply(null, priced);
    var span = hi - lo || 1, tspan = t1 - t0 || 1;
    var W = 600, H = 220, L = 60, B = 30;
    function x(t) { return (L + (t - t0) * (W - L - 10) / tspan).toFixed(1); }
    function y(v) { return (H - B - (v - lo) * (H - B - 10) / span).toFixed(1); }
    var svg = '<svg class="chart" viewBox="0 0 ' + W + " " + H + '" role="img" aria-label="price over time of ' + esc(l.l) + '">' +
      '<line class="axis" x1="' + L + '" y1="' + (H - B) + '" x2="' + W + '" y2="' + (H - B) + '"/>' +
      '<line class="axis" x1="' + L + '" y1="0" x2="' + L + '" y2="' + (H - B) + '"/>' +
      '<text x="2" y="' + y(hi) + '">' + esc(hi) + '</text><text x="2" y="' + y(lo) + '">' + esc(lo) + "</text>" +
      '<text x="' + L + '" y="' + (H - 8) + '">' + esc(pts[0][0].slice(0, 10)) + '</text><text x="' + (W - 80) + '" y="' + (H - 8) + '">' + esc(new Date(t1).toISOString().slice(0, 10)) + "</text>";
    var path = "", rows = "";
    for (var k = 0; k < pts.length; k++) {
      var p = pts[k], t = Date.parse(p[0]), next = k + 1 < pts.length ? Date.parse(pts[k + 1][0]) : t1;
      if (p[3] !== null) {
        path += "M" + x(t) + "," + y(num(p[3])) + "H" + x(next);
        svg += '<circle class="pt" r="3" cx="' + x(t) + '" cy="' + y(num(p[3])) + '" data-date="' + esc(p[0]) + '" data-price="' + esc(p[3]) + '"><title>' + esc(p[0].slice(0, 10) + ": " + p[3] + " " + l.c) + "</title></circle>";
      }
      rows += "<tr><td>" + esc(p[0].slice(0, 10)) + "</td><td>" + esc(p[1]) + "</td><td>" + esc(p[2]) + '</td><td class="num">' + (p[3] === null ? "removed" : esc(p[3]) + " " + esc(l.c) + "/" + esc(l.u)) + "</td></tr>";
    }
    svg += '<path class="step" d="' + path + '"/></svg>';
    document.getElementById("timeline-chart").innerHTML = svg;
    document.querySelector("#timeline-points tbody").innerHTML = rows;
    panel.hidden = false;
    panel.setAttribute("tabindex", "-1");
    panel.focus();
  }
  body.addEventListener("click", function (e) {
    var b = e.target.closest("button.open");
    if (!b) return;
    var i = +b.closest("tr").dataset.i;
    history.replaceState(null, "", "#line=" + encodeURIComponent(lines[i].r));
    openTimeline(i);
  });
  document.getElementById("timeline-close").addEventListener("click", function () {
    panel.hidden = true;
    history.replaceState(null, "", location.pathname + location.search);
  });

  // For the benchmark: filter and lay out, timed inside the browser.
  window.pcFilterBench = function (q) {
    var t = performance.now();
    filter.value = q;
    applyFilter();
    void body.offsetHeight;
    return performance.now() - t;
  };

  render();
  var m = /^#line=(.+)$/.exec(location.hash);
  if (m) {
    var rate = decodeURIComponent(m[1]);
    for (var k = 0; k < lines.length; k++) if (lines[k].r === rate) { openTimeline(k); break; }
  }
})();
