// Comptoir's only script: htmx does the rest. Kept small and CSP-friendly
// (no inline handlers).
(function () {
  "use strict";

  function showToast(message) {
    var toast = document.getElementById("toast");
    if (!toast) return;
    document.getElementById("toast-text").textContent = message;
    toast.hidden = false;
    clearTimeout(showToast.timer);
    showToast.timer = setTimeout(function () { toast.hidden = true; }, 8000);
  }

  function messages() {
    var t = document.getElementById("i18n-errors");
    return t ? t.dataset : { network: "Network error", generic: "Error" };
  }

  function textOf(html) {
    var doc = new DOMParser().parseFromString(html || "", "text/html");
    return (doc.body.textContent || "").trim();
  }

  // A 4xx/5xx answer to an htmx request is never a silent nothing: the
  // server's message (errors/_message.html) or a generic one is shown.
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var text = textOf(xhr && xhr.responseText);
    showToast(text && text.length < 300 ? text : messages().generic);
  });
  document.addEventListener("htmx:sendError", function () { showToast(messages().network); });

  // A signed-out session answers htmx with 401 and HX-Redirect; htmx follows it.

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target.closest && target.closest("[data-toast-close]")) {
      document.getElementById("toast").hidden = true;
    }
    // <button data-confirm="..."> on a plain (non-htmx) form asks first.
    var confirmer = target.closest && target.closest("[data-confirm]");
    if (confirmer && !confirmer.hasAttribute("hx-confirm")) {
      if (!window.confirm(confirmer.dataset.confirm)) event.preventDefault();
    }
  });

  // <select data-autosubmit> / <input data-autosubmit> in plain forms submit on change.
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("[data-autosubmit]") && el.form && !el.form.hasAttribute("hx-post")) {
      el.form.requestSubmit();
    }
  });

  window.Comptoir = { showToast: showToast };
})();
