/* Embedded videos and posts load nothing from their site until the reader asks: without this
   script the reader has a link to the original; with it, a button that loads the video or post
   in a frame. Only addresses of the shapes articles/body.py builds, from the hosts the site's
   Content-Security-Policy allows (frame-src; Mastodon: the instances it names). */
(function () {
  "use strict";
  var FRAMES = [
    /^https:\/\/www\.youtube-nocookie\.com\/embed\/[\w-]+$/,
    /^https:\/\/player\.vimeo\.com\/video\/\d+$/,
    /^https:\/\/platform\.twitter\.com\/embed\/Tweet\.html\?id=\d+$/,
    /^https:\/\/embed\.bsky\.app\/embed\/did:[a-z]+:[a-z0-9.:-]+\/app\.bsky\.feed\.post\/[a-z2-7]+$/,
    /^https:\/\/www\.instagram\.com\/(p|reel|tv)\/[\w-]+\/embed\/$/,
    /^https:\/\/[a-z0-9.-]+\/@[\w.-]+\/\d+\/embed$/
  ];

  function allowed(src) {
    return FRAMES.some(function (shape) { return shape.test(src); });
  }

  document.querySelectorAll(".embed[data-embed-src]").forEach(function (figure) {
    var button = figure.querySelector(".embed-load");
    var src = figure.getAttribute("data-embed-src") || "";
    if (!button || !allowed(src)) return;
    var video = figure.classList.contains("embed-video");
    button.hidden = false;
    button.addEventListener("click", function () {
      var frame = document.createElement("iframe");
      frame.src = src;
      frame.title = figure.getAttribute("data-embed-title") || "Embedded post";
      if (video) {
        frame.setAttribute("allow", "autoplay; encrypted-media; fullscreen; picture-in-picture");
        frame.setAttribute("allowfullscreen", "");
      } else {
        // A post's page runs its own scripts and opens links in new tabs, never this page's.
        frame.setAttribute("sandbox", "allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox");
      }
      frame.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
      frame.className = video ? "embed-frame" : "embed-frame embed-frame-post";
      button.replaceWith(frame);
      frame.focus({ preventScroll: true });
    });
  });
})();
