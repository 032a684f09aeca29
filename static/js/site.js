// Progressive enhancement only: every page works without this file.

// Read-aloud: "朗读本页" in the menu and "读这一段" beside each long text. Shown only
// where the browser can speak; each text is read with a voice of its own language (the
// lang attribute of the element read), so Chinese is never read by an English voice.
(function () {
  "use strict";
  var pageButton = document.getElementById("read-aloud");
  if (!pageButton || !("speechSynthesis" in window) || typeof SpeechSynthesisUtterance === "undefined") {
    return;
  }
  var synth = window.speechSynthesis;
  var startLabel = pageButton.textContent;
  var stopLabel = pageButton.getAttribute("data-stop-label") || startLabel;
  var paragraphLabel = pageButton.getAttribute("data-paragraph-label") || startLabel;
  var speakingButton = null;
  var LONG_TEXT = 200;

  function languageOf(element) {
    var holder = element.closest("[lang]");
    var lang = (holder && holder.getAttribute("lang")) || document.documentElement.lang || "zh";
    return lang.toLowerCase();
  }

  function voiceFor(lang) {
    var prefix = lang.split("-")[0];
    var voices = synth.getVoices() || [];
    var exact = null;
    var sameLanguage = null;
    for (var i = 0; i < voices.length; i++) {
      var voiceLang = (voices[i].lang || "").toLowerCase().replace("_", "-");
      if (prefix === "zh" && (voiceLang === "zh-cn" || voiceLang.indexOf("zh-hans") === 0)) {
        exact = exact || voices[i];
      }
      if (voiceLang.split("-")[0] === prefix) {
        sameLanguage = sameLanguage || voices[i];
      }
    }
    return exact || sameLanguage;
  }

  // What is on screen, without the "读这一段" buttons' own labels.
  function readableText(element) {
    var buttons = element.querySelectorAll(".read-this");
    for (var i = 0; i < buttons.length; i++) { buttons[i].hidden = true; }
    var text = element.innerText || element.textContent;
    for (var j = 0; j < buttons.length; j++) { buttons[j].hidden = false; }
    return text;
  }

  function reset() {
    if (speakingButton) {
      speakingButton.textContent = speakingButton.getAttribute("data-start-label");
      speakingButton.setAttribute("aria-pressed", "false");
    }
    speakingButton = null;
  }

  function speak(element, button) {
    var wasThisButton = speakingButton === button;
    synth.cancel();
    reset();
    if (wasThisButton) { return; }  // a second press stops the reading
    var lang = languageOf(element);
    var utterance = new SpeechSynthesisUtterance(readableText(element));
    utterance.lang = lang.indexOf("en") === 0 ? "en-GB" : "zh-CN";
    var voice = voiceFor(lang);
    if (voice) { utterance.voice = voice; }
    utterance.rate = 0.9;
    utterance.onend = function () { if (speakingButton === button) { reset(); } };
    speakingButton = button;
    button.textContent = stopLabel;
    button.setAttribute("aria-pressed", "true");
    synth.speak(utterance);
  }

  // Voices load asynchronously in Chrome; asking once starts the loading.
  synth.getVoices();

  pageButton.setAttribute("data-start-label", startLabel);
  pageButton.hidden = false;
  pageButton.addEventListener("click", function () {
    speak(document.getElementById("main") || document.body, pageButton);
  });

  var main = document.getElementById("main");
  if (!main) { return; }
  var candidates = main.querySelectorAll("[data-read-aloud], article p, .prose p");
  for (var i = 0; i < candidates.length; i++) {
    var element = candidates[i];
    var marked = element.hasAttribute("data-read-aloud");
    if (!marked && (element.textContent || "").trim().length < LONG_TEXT) { continue; }
    if (!marked && element.parentElement && element.parentElement.closest("[data-read-aloud]")) { continue; }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-plain read-this";
    button.textContent = paragraphLabel;
    button.setAttribute("data-start-label", paragraphLabel);
    button.setAttribute("aria-pressed", "false");
    button.setAttribute("lang", document.documentElement.lang);
    (function (target, control) {
      control.addEventListener("click", function () { speak(target, control); });
    })(element, button);
    element.insertAdjacentElement("afterend", button);
  }
})();

// The menu is a <details> disclosure and works without this; with it, Escape closes the
// open menu and gives focus back to its button, as a menu button does.
(function () {
  "use strict";
  var menu = document.getElementById("site-menu");
  if (!menu) { return; }
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || !menu.open) { return; }
    menu.open = false;
    var summary = menu.querySelector("summary");
    if (summary) { summary.focus(); }
  });
})();

// After a submission the page opens at #outcome (the form posts to "…#outcome"): the
// browser scrolls there by itself; focus it too, so that a screen reader starts there. A
// page without an outcome but with a message ("验证码已发送") starts at the message, as
// does one opened at #messages; a message just above the outcome is kept in view.
(function () {
  "use strict";
  var hash = window.location.hash;
  var outcome = document.getElementById("outcome");
  var messages = document.getElementById("messages");
  var target = null;
  if (hash === "#outcome" && outcome) {
    target = outcome;
  } else if (hash === "" || hash === "#outcome" || hash === "#messages") {
    target = messages;
  }
  if (!target) { return; }
  if (!target.hasAttribute("tabindex")) { target.setAttribute("tabindex", "-1"); }
  if (target === outcome && messages) {
    var messagesTop = messages.getBoundingClientRect().top + window.pageYOffset;
    var outcomeTop = outcome.getBoundingClientRect().top + window.pageYOffset;
    if (outcomeTop - messagesTop < window.innerHeight * 0.6) {
      window.scrollTo(0, Math.max(0, messagesTop - 8));
      target.focus({preventScroll: true});
      return;
    }
  }
  target.focus();
})();
