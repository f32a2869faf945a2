// custos dashboard: optional enhancements only.  Every page works without
// this file; it shows the copy buttons (hidden by default, since they need
// script) and adds keyboard shortcuts:  "/" focuses the first filter field,
// "g" then "o" / "f" / "t" goes to the overview, findings or trends.
(function () {
  "use strict";

  function announce(text) {
    var live = document.getElementById("live");
    if (live) live.textContent = text;
  }

  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "absolute";
    area.style.left = "-9999px";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok;
  }

  function textFor(button) {
    if (button.hasAttribute("data-copy")) return button.getAttribute("data-copy");
    var box = button.closest(".code");
    var pre = box ? box.querySelector("pre") : null;
    return pre ? pre.textContent.replace(/\n$/, "") : "";
  }

  function done(button, ok) {
    var label = button.getAttribute("data-label") || button.textContent;
    button.setAttribute("data-label", label);
    button.textContent = ok ? "Copied" : "Copy failed";
    announce(ok ? "Copied to the clipboard" : "Could not copy; select the text instead");
    setTimeout(function () { button.textContent = label; }, 1500);
  }

  function onCopy(event) {
    var button = event.currentTarget;
    var text = textFor(button);
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(
        function () { done(button, true); },
        function () { done(button, fallbackCopy(text)); });
    } else {
      done(button, fallbackCopy(text));
    }
  }

  document.querySelectorAll("button.copy").forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", onCopy);
  });

  var pendingG = false;
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable)) return;
    if (e.key === "/") {
      var field = document.querySelector("form.filters input, form.filters select");
      if (field) { e.preventDefault(); field.focus(); }
      return;
    }
    if (pendingG) {
      pendingG = false;
      var to = { o: "/", f: "/findings", t: "/trends" }[e.key];
      if (to) { e.preventDefault(); window.location.href = to; }
      return;
    }
    if (e.key === "g") pendingG = true;
  });
})();
