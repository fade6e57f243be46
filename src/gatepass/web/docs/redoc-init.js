// Starts ReDoc on the page's #redoc element (a file, not an inline script, so
// the page's CSP can say script-src 'self').
"use strict";
(function () {
  const root = document.getElementById("redoc");
  Redoc.init(root.dataset.specUrl, { hideDownloadButton: false }, root);
})();
