// The loyalty pages' behaviour that htmx attributes cannot express under the
// strict CSP (no inline scripts, no eval, so no hx-trigger filters):
// the in-place name editor, and the member panel's dialog.
(function () {
  "use strict";

  var returnFocusTo = null; // the cell whose name regains focus after a keyboard save/cancel

  function nameForm(el) {
    return el && el.closest ? el.closest(".inline-name-form[data-cancel-url]") : null;
  }

  function cancel(form) {
    form.dataset.state = "cancelled";
    htmx.ajax("GET", form.dataset.cancelUrl, { target: form.closest("td"), swap: "innerHTML" });
  }

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    // Enter on a focused name opens its editor (Space too, as for a button).
    if (target.classList && target.classList.contains("inline-name") && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      returnFocusTo = target.closest("td");
      htmx.trigger(target, "edit");
      return;
    }
    var form = nameForm(target);
    if (!form) return;
    if (event.key === "Escape") {
      event.preventDefault();
      returnFocusTo = form.closest("td");
      cancel(form);
    } else if (event.key === "Enter") {
      returnFocusTo = form.closest("td");
      form.dataset.state = "saving"; // the native submit follows; blur must not send it twice
    }
  });

  // ✕ cancels. Pressed, it keeps the focus in the field (a tablet does not
  // focus a tapped button), so leaving the field does not save first.
  function keepFocus(event) {
    var button = event.target.closest && event.target.closest("[data-name-cancel]");
    if (button && nameForm(button)) event.preventDefault();
  }
  document.addEventListener("pointerdown", keepFocus);
  document.addEventListener("mousedown", keepFocus);
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-name-cancel]");
    var form = button && nameForm(button);
    if (!form || form.dataset.state) return;
    returnFocusTo = form.closest("td");
    cancel(form);
  });

  // Leaving the field saves (unless Escape cancelled or Enter already sent it).
  document.addEventListener("focusout", function (event) {
    var form = nameForm(event.target);
    if (!form || form.dataset.state) return;
    if (event.relatedTarget && form.contains(event.relatedTarget)) return;
    form.dataset.state = "saving";
    form.requestSubmit();
  });

  document.addEventListener("submit", function (event) {
    var form = nameForm(event.target);
    if (form && !form.dataset.state) form.dataset.state = "saving";
  }, true);

  // htmx gives the focus back, right after the swap, to the new element with
  // the focused one's id, but binds the new content only when it settles
  // (20 ms later): an Enter typed in between submitted the form natively,
  // leaving the page. When the new content names its own field to focus
  // (data-focus, below), the old one lets go of the focus first.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var active = document.activeElement;
    var response = event.detail.serverResponse || "";
    if (active && active !== document.body && event.detail.target.contains(active) &&
        response.indexOf("data-focus") !== -1) {
      active.blur();
    }
  });

  // After settling, not swapping: htmx has then bound the new content's
  // attributes, so a field focused here submits through htmx even if Enter
  // comes at once (data-focus rather than autofocus, which htmx applies earlier).
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    var wanted = target.querySelector && target.querySelector("[data-focus]");
    // Not when it already has the focus: the user may be typing or selecting.
    if (wanted && document.activeElement !== wanted) {
      wanted.focus();
      if (wanted.setSelectionRange && wanted.value) wanted.setSelectionRange(wanted.value.length, wanted.value.length);
    }
    if (returnFocusTo && target === returnFocusTo) {
      var name = target.querySelector(".inline-name");
      if (name) name.focus();
      if (name || !target.querySelector(".inline-name-form")) returnFocusTo = null;
    }
    // The panel behind the button beside a name opens as a dialog over the list.
    if (target.id === "member-panel") {
      var dialog = target.closest("dialog");
      if (dialog && !dialog.open) {
        dialog.showModal();
        var title = dialog.querySelector("#panel-title");
        if (title) { title.setAttribute("tabindex", "-1"); title.focus(); }
      }
    }
  });

  // A change in the panel makes the list behind it stale: refresh it on close.
  document.body.addEventListener("loyalty-changed", function () {
    var dialog = document.getElementById("member-dialog");
    if (dialog) dialog.dataset.changed = "1";
  });

  document.addEventListener("click", function (event) {
    var closer = event.target.closest && event.target.closest("[data-close-dialog]");
    if (closer) closer.closest("dialog").close();
  });

  document.addEventListener("close", function (event) {
    var dialog = event.target;
    if (!dialog || dialog.id !== "member-dialog") return;
    document.getElementById("member-panel").innerHTML = "";
    if (dialog.dataset.changed && document.getElementById("results")) {
      delete dialog.dataset.changed;
      htmx.ajax("GET", window.location.pathname + window.location.search, { target: "#results", swap: "innerHTML" });
    }
  }, true);
})();
