// poolfix's hand-written script on every page: the theme toggle (the choice is kept in
// localStorage; the inline script in <head> applies it before the first paint) and the copy
// buttons of the guide's code blocks. The checker itself is the wasm app on check/.
(function () {
  var KEY = "poolfix-theme";
  var root = document.documentElement;
  var toggle = document.querySelector(".theme-toggle");
  function label() {
    var dark = root.getAttribute("data-theme") === "dark";
    toggle.textContent = dark ? "\u2600 Light" : "\u263E Dark";
    toggle.setAttribute("aria-label", dark ? "Switch to light theme" : "Switch to dark theme");
  }
  if (toggle) {
    label();
    toggle.addEventListener("click", function () {
      var next = root.getAttribute("data-theme") === "dark" ? "light" : "dark";
      root.setAttribute("data-theme", next);
      try { localStorage.setItem(KEY, next); } catch (e) { /* private mode: this page only */ }
      label();
    });
  }
  document.addEventListener("click", function (ev) {
    var button = ev.target;
    if (!button.matches || !button.matches(".prose .code-block .copy")) return;
    var code = button.parentElement.querySelector("pre");
    if (!code || !navigator.clipboard) return;
    navigator.clipboard.writeText(code.textContent).then(
      function () { button.textContent = "Copied"; },
      function () { button.textContent = "Copy failed: select the text"; }
    );
  });
})();
