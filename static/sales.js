// The sale screen's keyboard: Enter never charges by accident. Inside a zone
// marked data-enter-clicks, Enter presses that zone's button (add the item,
// save the name, add the customer); elsewhere in the sale form it does nothing.
// Escape presses the zone's data-escape-clicks button (cancel).
(function () {
  "use strict";

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (!target || !target.closest || target.tagName !== "INPUT") return;
    var form = target.closest("form.sale-form");
    if (event.key === "Enter") {
      var zone = target.closest("[data-enter-clicks]");
      if (!zone && !form) return;
      event.preventDefault();
      if (target.type === "search" && !zone) return;
      var button = zone && zone.querySelector(zone.dataset.enterClicks);
      if (button && !button.disabled) button.click();
    } else if (event.key === "Escape") {
      var cancelZone = target.closest("[data-escape-clicks]");
      var cancel = cancelZone && cancelZone.querySelector(cancelZone.dataset.escapeClicks);
      if (cancel) { event.preventDefault(); cancel.click(); }
    }
  });

  // A refused sale (422) comes back with its messages: bring the first one into view.
  document.addEventListener("htmx:afterSettle", function (event) {
    var xhr = event.detail.xhr;
    if (!xhr || xhr.status !== 422) return;
    var form = document.getElementById("sale-form");
    var invalid = form && form.querySelector("[aria-invalid=true], .error-message, small.error");
    if (invalid) {
      invalid.scrollIntoView({ block: "center" });
      if (invalid.focus && invalid.matches("input, select")) invalid.focus({ preventScroll: true });
    }
  });

  // A field swapped in by htmx (inline name edit, new customer) gets the focus
  // and its text selected, ready to be typed over.
  document.addEventListener("htmx:afterSettle", function (event) {
    var field = event.detail.elt && event.detail.elt.querySelector &&
      event.detail.elt.querySelector(".name-edit input, .customer-add input");
    if (field && document.activeElement !== field) { field.focus(); }
    if (field && field.select) field.select();
  });
})();
