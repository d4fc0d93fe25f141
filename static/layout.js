// Layout help that CSS alone cannot give (issue 14), under the strict CSP:
// on a phone a wide table shows each row as a card, and each cell needs its
// column's name beside it. The names are copied from the table's header into
// data-label, read by counter.css; without this script the cards show the
// values alone, which still read (the header is only visually hidden).
(function () {
  "use strict";

  function headerNames(table) {
    var row = table.tHead && table.tHead.rows[0];
    if (!row) return null;
    var names = [];
    for (var i = 0; i < row.cells.length; i++) {
      var cell = row.cells[i];
      var text = (cell.textContent || "").replace(/[↑↓]/g, "").replace(/\s+/g, " ").trim();
      for (var span = 0; span < (cell.colSpan || 1); span++) names.push(text);
    }
    return names;
  }

  function label(root) {
    var tables = (root || document).querySelectorAll("table");
    for (var t = 0; t < tables.length; t++) {
      var table = tables[t];
      var names = headerNames(table);
      if (!names) continue;
      for (var b = 0; b < table.tBodies.length; b++) {
        var rows = table.tBodies[b].rows;
        for (var r = 0; r < rows.length; r++) {
          var cells = rows[r].cells, column = 0;
          for (var c = 0; c < cells.length; c++) {
            var name = names[column];
            if (name && cells[c].tagName === "TD" && !cells[c].hasAttribute("data-label") && cells[c].colSpan === 1) {
              cells[c].setAttribute("data-label", name);
              // Nothing in it (a paid invoice has no action): no card line with a bare label.
              if (!cells[c].textContent.trim() && !cells[c].querySelector("input, button, select, img, svg")) {
                cells[c].classList.add("empty-cell");
              }
            }
            column += cells[c].colSpan || 1;
          }
        }
      }
    }
  }

  document.addEventListener("DOMContentLoaded", function () { label(document); });
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail && event.detail.elt;
    label(target && target.closest ? (target.closest("table") || target).parentNode || document : document);
  });

  // An open menu of the top bar closes when the user taps elsewhere.
  document.addEventListener("click", function (event) {
    var menus = document.querySelectorAll(".topbar details.menu[open]");
    for (var i = 0; i < menus.length; i++) {
      if (!menus[i].contains(event.target)) menus[i].open = false;
    }
  });
})();
