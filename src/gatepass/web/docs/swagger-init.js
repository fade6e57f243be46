// Starts Swagger UI on the page's #swagger-ui element (a file, not an inline
// script, so the page's CSP can say script-src 'self').
"use strict";
(function () {
  const root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.specUrl,
    domNode: root,
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
    layout: "BaseLayout",
    // Nothing leaves this origin: no validator badge, no remote spec URLs.
    validatorUrl: null,
    queryConfigEnabled: false,
  });
})();
