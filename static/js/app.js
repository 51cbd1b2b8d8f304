// SupportDesk's only page script. No inline scripts anywhere (a strict CSP is coming):
// behaviour is declared with htmx attributes or data-* attributes handled here.
"use strict";

// <form data-submit-once>: a second click while the first post is on its way does nothing,
// and the button says what is happening.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-submit-once")) {
    return;
  }
  if (form.dataset.submitting === "true") {
    event.preventDefault();
    return;
  }
  form.dataset.submitting = "true";
  const button = event.submitter || form.querySelector("[type=submit]");
  if (button && button.dataset.busyLabel) {
    button.textContent = button.dataset.busyLabel;
  }
  if (button) {
    button.setAttribute("aria-disabled", "true");
  }
});

// Back/forward cache restores a page with the flag still set; clear it.
window.addEventListener("pageshow", () => {
  document.querySelectorAll("form[data-submitting]").forEach((form) => {
    delete form.dataset.submitting;
    form.querySelectorAll("[aria-disabled=true]").forEach((b) => b.removeAttribute("aria-disabled"));
  });
});
