// The agent workspace's one behaviour: put an AI suggestion into the reply box to edit.
// <button data-insert-from="#source" data-insert-into="#textarea"> copies the source's text.
// Delegated from the document, so it also works for the AI panel htmx loads later.
"use strict";

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-insert-from]");
  if (!button) {
    return;
  }
  const source = document.querySelector(button.dataset.insertFrom);
  const target = document.querySelector(button.dataset.insertInto);
  if (!source || !target) {
    return;
  }
  const text = source.textContent.trim();
  const current = target.value.trim();
  // Never lose what the agent already typed: add the suggestion after it.
  target.value = current ? `${current}\n\n${text}` : text;
  target.dispatchEvent(new Event("input", { bubbles: true }));
  target.focus();
  target.setSelectionRange(target.value.length, target.value.length);
  target.scrollIntoView({ block: "center", behavior: "smooth" });
  target.classList.add("is-inserted");
  window.setTimeout(() => target.classList.remove("is-inserted"), 1200);

  const announcer = document.getElementById("agent-announcer");
  if (announcer) {
    announcer.textContent = "Suggestion inserted into the reply box. Edit it before sending.";
  }
});

// The macro picker: without JavaScript it reloads the page with ?macro=<id> (the server fills
// the reply box). Here it inserts the macro's text, already filled in for this ticket by the
// server (#macro-text-<id>), keeping what the agent typed, and records which macro it was so
// its field actions apply on send.
document.addEventListener("submit", (event) => {
  const picker = event.target.closest("#macro-picker");
  if (!picker) {
    return;
  }
  const choice = picker.querySelector("select[name=macro]").value;
  const source = document.getElementById(`macro-text-${choice}`);
  const target = document.querySelector("#reply-form textarea[name=body]");
  const chosen = document.querySelector("#reply-form input[name=macro]");
  if (!source || !target || !chosen) {
    return; // let the form reload the page instead
  }
  event.preventDefault();
  const text = source.textContent.trim();
  const current = target.value.trim();
  target.value = current ? `${current}\n\n${text}` : text;
  chosen.value = choice;
  const notice = document.getElementById("macro-notice");
  if (notice) {
    notice.hidden = false;
  }
  target.focus();
  target.setSelectionRange(target.value.length, target.value.length);
  const announcer = document.getElementById("agent-announcer");
  if (announcer) {
    announcer.textContent = "Macro inserted into the reply box. Its field changes apply when you send.";
  }
});
