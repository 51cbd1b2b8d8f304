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
