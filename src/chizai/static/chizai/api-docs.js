/* Starts Swagger UI for /api/docs (in place of django-ninja's swagger-ui-init.js).
   deepLinking off: with it on, each operation's path is a link inside the operation's
   toggle button, an interactive element nested in another (axe nested-interactive). */
const csrf = document.body.dataset;
const config = JSON.parse(document.getElementById("swagger-settings").textContent);
config.dom_id = "#swagger-ui";
config.deepLinking = false;
config.presets = [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset];
if (csrf.apiCsrf && csrf.csrfToken) {
  config.requestInterceptor = (req) => {
    req.headers["X-CSRFToken"] = csrf.csrfToken;
    return req;
  };
}
SwaggerUIBundle(config);
