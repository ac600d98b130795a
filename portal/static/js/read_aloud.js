/* Read aloud: a "Read aloud" button beside each health check question speaks its text with the browser's own
   speech (no outside service). Progressive enhancement: the buttons stay hidden unless the browser can speak and
   has a voice for the page's language; without JavaScript the page works as before. */
(function () {
  "use strict";
  var buttons = document.querySelectorAll("button[data-read-aloud]");
  var speech = window.speechSynthesis;
  if (!buttons.length || !speech || !window.SpeechSynthesisUtterance) { return; }
  var lang = (document.documentElement.getAttribute("lang") || "").toLowerCase();
  var shown = false;

  function voiceFor(language) {
    var voices = speech.getVoices() || [];
    for (var i = 0; i < voices.length; i++) {
      var voiceLang = (voices[i].lang || "").toLowerCase().replace("_", "-");
      if (voiceLang === language || voiceLang.split("-")[0] === language.split("-")[0]) { return voices[i]; }
    }
    return null;
  }

  function speak(event) {
    var target = document.getElementById(event.currentTarget.getAttribute("data-read-aloud"));
    if (!target) { return; }
    var utterance = new window.SpeechSynthesisUtterance(target.textContent.replace(/\s+/g, " ").trim());
    utterance.lang = lang;
    var voice = voiceFor(lang);
    if (voice) { utterance.voice = voice; }
    speech.cancel();
    speech.speak(utterance);
  }

  function show() {
    if (shown || !lang || !voiceFor(lang)) { return; }
    shown = true;
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].addEventListener("click", speak);
      buttons[i].hidden = false;
    }
  }

  show();
  if (shown) { return; }
  if (speech.addEventListener) { speech.addEventListener("voiceschanged", show); } else { speech.onvoiceschanged = show; }
})();
