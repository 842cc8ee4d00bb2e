/* Embedded videos load nothing from their site until the reader asks: without this script
   the reader has a link to the original; with it, a button that swaps the link for the
   player. Only the players the site's Content-Security-Policy allows (frame-src). */
(function () {
  "use strict";
  var PLAYERS = ["https://www.youtube-nocookie.com/embed/", "https://player.vimeo.com/video/"];

  function allowed(src) {
    return PLAYERS.some(function (prefix) { return src.indexOf(prefix) === 0; });
  }

  document.querySelectorAll(".embed[data-embed-src]").forEach(function (figure) {
    var button = figure.querySelector(".embed-load");
    var src = figure.getAttribute("data-embed-src") || "";
    if (!button || !allowed(src)) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var frame = document.createElement("iframe");
      frame.src = src;
      frame.title = figure.getAttribute("data-embed-title") || "Video";
      frame.width = "560";
      frame.height = "315";
      frame.setAttribute("allow", "autoplay; encrypted-media; fullscreen; picture-in-picture");
      frame.setAttribute("allowfullscreen", "");
      frame.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
      frame.className = "embed-frame";
      button.replaceWith(frame);
      frame.focus();
    });
  });
})();
