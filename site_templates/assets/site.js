// Enhancements for every page: URLs shown absolute (for pasting into QGIS or Python) and copy buttons.
(function () {
  "use strict";

  function isAbsolute(text) {
    return /^[a-z][a-z0-9+.-]*:/i.test(text);
  }

  function showAbsoluteUrls() {
    document.querySelectorAll("span.url[data-href]").forEach(function (element) {
      if (!isAbsolute(element.textContent)) element.textContent = new URL(element.dataset.href, document.baseURI).href;
    });
    document.querySelectorAll("input.url[data-href]").forEach(function (input) {
      if (!isAbsolute(input.value)) input.value = new URL(input.dataset.href, document.baseURI).href;
    });
  }

  function copyText(button) {
    var source = document.getElementById(button.dataset.copy);
    if (!source) return;
    var text = source.value !== undefined ? source.value : source.textContent;
    var done = function () { button.textContent = "Copied"; setTimeout(function () { button.textContent = "Copy"; }, 2000); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { selectText(source, button); });
    } else {
      selectText(source, button);
    }
  }

  function selectText(source, button) {
    if (source.select) source.select();
    else window.getSelection().selectAllChildren(source);
    button.textContent = "Press Ctrl+C";
  }

  document.addEventListener("DOMContentLoaded", function () {
    showAbsoluteUrls();
    document.querySelectorAll("button.copy[data-copy]").forEach(function (button) {
      button.addEventListener("click", function () { copyText(button); });
    });
  });
})();
