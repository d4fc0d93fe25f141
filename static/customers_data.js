// The directory's Exporter link follows the search as it changes: htmx pushes
// every query into the address bar, so the export takes the address bar's query.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-export-current-query]");
    if (!link || window.location.pathname !== link.dataset.listPath) return;
    var params = new URLSearchParams(window.location.search);
    params.delete("page");
    var url = new URL(link.href, window.location.href);
    var format = url.searchParams.get("format");  // the link's own CSV form stays
    if (format) params.set("format", format);
    url.search = params.toString();
    link.href = url.toString();
  });
})();
