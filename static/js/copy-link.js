// Progressive enhancement: the "复制链接" button appears only where copying can work;
// without it the link is still there to read, long-press, scan or send.
(function () {
  "use strict";
  var buttons = document.querySelectorAll("button[data-copy-target]");
  if (!buttons.length || !navigator.clipboard || !window.isSecureContext) {
    return;
  }
  Array.prototype.forEach.call(buttons, function (button) {
    var target = document.getElementById(button.getAttribute("data-copy-target"));
    var status = button.parentNode.querySelector(".copy-status");
    if (!target) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(target.href || target.textContent.trim()).then(
        function () { if (status) { status.textContent = button.getAttribute("data-copied-label"); } },
        function () { if (status) { status.textContent = button.getAttribute("data-failed-label"); } }
      );
    });
  });
})();
