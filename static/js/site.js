// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  var button = document.getElementById("read-aloud");
  if (!button || !("speechSynthesis" in window) || typeof SpeechSynthesisUtterance === "undefined") {
    return;
  }
  var startLabel = button.textContent;
  var stopLabel = button.getAttribute("data-stop-label") || startLabel;
  button.hidden = false;
  button.addEventListener("click", function () {
    if (window.speechSynthesis.speaking) {
      window.speechSynthesis.cancel();
      button.textContent = startLabel;
      return;
    }
    var main = document.getElementById("main");
    var utterance = new SpeechSynthesisUtterance(main ? main.innerText : document.body.innerText);
    utterance.lang = document.documentElement.lang === "en" ? "en-US" : "zh-CN";
    utterance.rate = 0.9;
    utterance.onend = function () { button.textContent = startLabel; };
    button.textContent = stopLabel;
    window.speechSynthesis.speak(utterance);
  });
})();

// After a submission the page opens at #outcome (the form posts to "…#outcome"): the
// browser scrolls there by itself; focus it too, so that a screen reader starts there.
(function () {
  "use strict";
  if (window.location.hash !== "#outcome") { return; }
  var outcome = document.getElementById("outcome");
  if (!outcome) { return; }
  if (!outcome.hasAttribute("tabindex")) { outcome.setAttribute("tabindex", "-1"); }
  outcome.focus();
})();
