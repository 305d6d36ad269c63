// Loaded synchronously at the top of <body> so GOV.UK Frontend's JS-only styles apply before
// first paint. A file rather than an inline script, so a strict Content-Security-Policy holds.
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
