// Netra review: keyboard shortcuts and small helpers. No inline scripts anywhere (the CSP forbids them).
//
// Every choice in a form marked data-keys carries its key in data-key; pressing the key picks it.
// Enter submits, Escape leaves a text field, Ctrl/Cmd+Enter submits from inside one, "?" opens help.
(function () {
  "use strict";

  function activeForm() {
    return document.querySelector("form[data-keys]");
  }

  function isTyping(el) {
    if (!el) return false;
    if (el.isContentEditable) return true;
    var tag = el.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") return true;
    if (tag !== "INPUT") return false;
    var type = (el.type || "text").toLowerCase();
    return ["radio", "checkbox", "button", "submit", "reset", "hidden"].indexOf(type) === -1;
  }

  function submit(form) {
    var primary = form.querySelector("button[type=submit].primary");
    if (form.requestSubmit) form.requestSubmit(primary || undefined);
    else form.submit();
  }

  document.addEventListener("keydown", function (e) {
    var form = activeForm();
    if (!form) return;
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      submit(form);
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (isTyping(e.target)) {
      if (e.key === "Escape") e.target.blur();
      return;
    }
    if (e.key === "Enter") {
      if (e.target && e.target.tagName === "BUTTON") return; // the focused button does its own thing
      e.preventDefault();
      submit(form);
      return;
    }
    if (e.key === "?") {
      var help = document.getElementById("help");
      if (help) help.open = !help.open;
      e.preventDefault();
      return;
    }
    var key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    var el = form.querySelector('[data-key="' + (window.CSS && CSS.escape ? CSS.escape(key) : key) + '"]');
    if (!el) return;
    e.preventDefault();
    if (el.type === "radio" || el.type === "checkbox") {
      el.checked = true;
      el.dispatchEvent(new Event("change", { bubbles: true }));
    } else if (el.tagName === "INPUT" || el.tagName === "TEXTAREA") {
      el.focus();
      if (el.select) el.select();
    } else {
      el.click();
    }
  });

  // Adjudication: "take this reviewer's labels" fills the lead's form with one decision.
  document.addEventListener("click", function (e) {
    var btn = e.target.closest ? e.target.closest("button[data-take]") : null;
    if (!btn) return;
    var form = document.getElementById(btn.getAttribute("data-take"));
    if (!form) return;
    ["stance", "asn_verdict", "violation", "outcome"].forEach(function (field) {
      var value = btn.getAttribute("data-" + field);
      var input = form.querySelector('input[name="' + field + '"][value="' + value + '"]');
      if (input) input.checked = true;
    });
    var target = form.querySelector('input[name="target"]');
    if (target) target.value = btn.getAttribute("data-target") || "";
    btn.blur(); // keys go on working on the form (Enter submits it rather than pressing this button again)
  });

  // After htmx swaps in a new page (boosted navigation), start at the top with nothing focused,
  // so the first key press is a shortcut and not typing into a leftover field.
  document.addEventListener("htmx:afterSettle", function () {
    if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur();
    var err = document.getElementById("error");
    if (err) err.scrollIntoView({ block: "center" });
  });
})();
