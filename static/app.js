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
    var ours = xhr && xhr.getResponseHeader("Content-Type") && text && text.length < 300 &&
      xhr.responseText.indexOf("error-message") !== -1;
    if (ours) {
      showToast(text);
    } else {
      // Not our answer (a proxy's 502/504, a killed worker): a write may or
      // may not have been saved; only a reload tells.
      showToast(isWrite(event.detail) ? messages().unknown : messages().generic);
    }
    if (xhr && xhr.status === 503 && !isWrite(event.detail)) retryLater(event.detail);
  });
  document.addEventListener("htmx:sendError", function (event) {
    showToast(isWrite(event.detail) ? messages().unknown : messages().network);
  });

  function isWrite(detail) {
    var verb = detail && detail.requestConfig && detail.requestConfig.verb;
    return !!verb && verb.toLowerCase() !== "get";
  }

  // 503: the database is momentarily unavailable. A read is asked again after
  // Retry-After, a few times; a write is left to the user.
  function retryLater(detail) {
    var elt = detail.elt;
    var tries = (elt.comptoirRetries || 0) + 1;
    if (tries > 5 || !window.htmx) return;
    elt.comptoirRetries = tries;
    var seconds = parseInt(detail.xhr.getResponseHeader("Retry-After"), 10) || 5;
    var path = detail.pathInfo && (detail.pathInfo.finalRequestPath || detail.pathInfo.requestPath);
    if (!path) return;
    setTimeout(function () {
      if (document.body.contains(elt)) window.htmx.ajax("GET", path, { source: elt, target: detail.target });
    }, seconds * 1000);
  }
  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful && event.detail.elt) event.detail.elt.comptoirRetries = 0;
  });

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
