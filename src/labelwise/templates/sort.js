(function () {
  "use strict";
  function keyOf(row, col) {
    if (col === 0) { return row.getAttribute("data-label") || ""; }
    var cell = row.cells[col];
    var v = cell ? cell.getAttribute("data-v") : null;
    if (v === null || v === "") { return null; }
    var x = parseFloat(v);
    return isNaN(x) ? null : x;
  }
  function sortBy(table, th, col) {
    var text = th.getAttribute("data-kind") === "text";
    var now = th.getAttribute("aria-sort");
    var ascending = now ? now !== "ascending" : text;
    var body = table.tBodies[0];
    var keyed = Array.prototype.map.call(body.rows, function (row, i) {
      return [keyOf(row, col), i, row];
    });
    keyed.sort(function (a, b) {
      if (a[0] === null || b[0] === null) {
        return (a[0] === null) - (b[0] === null) || a[1] - b[1];
      }
      var d = text ? a[0].localeCompare(b[0], undefined, { numeric: true }) : a[0] - b[0];
      return (ascending ? d : -d) || a[1] - b[1];
    });
    keyed.forEach(function (k) { body.appendChild(k[2]); });
    Array.prototype.forEach.call(th.parentNode.cells, function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }
  var tables = document.querySelectorAll("table.lw-sortable:not([data-lw-ready])");
  Array.prototype.forEach.call(tables, function (table) {
    table.setAttribute("data-lw-ready", "");
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, col) {
      var button = th.querySelector("button");
      if (button) { button.addEventListener("click", function () { sortBy(table, th, col); }); }
    });
  });
})();
