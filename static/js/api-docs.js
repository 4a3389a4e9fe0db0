// The API documentation page (/api/v1/docs): Swagger UI on the OpenAPI document.
(function () {
  "use strict";
  const box = document.getElementById("swagger-ui-container");
  window.ui = SwaggerUIBundle({
    url: box.dataset.specUrl,
    dom_id: "#swagger-ui-container",
    // The online validator's badge would be an image from validator.swagger.io.
    validatorUrl: null,
    ...JSON.parse(box.dataset.config || "{}"),
  });
})();
