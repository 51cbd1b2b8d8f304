// Keyboard shortcuts for the agents' queue and ticket workspace (listed on the "?" overlay,
// templates/partials/shortcuts_help.html). Keys do nothing while the agent types in a field.
//   Queue:     j/k move the highlight, o/Enter open it, x ticks it for a bulk action.
//   Workspace: j/k next/previous ticket, r reply, n note, e send-and-resolve-then-next.
// Elements opt in with data-shortcut="<key>": links and buttons are clicked, fields focused.
"use strict";

(() => {
  const help = document.getElementById("shortcuts-help");

  const isTyping = (target) =>
    target instanceof HTMLElement &&
    (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));

  const rows = () => Array.from(document.querySelectorAll("#queue-table tbody tr"));

  let current = -1;

  const highlight = (index) => {
    const all = rows();
    if (!all.length) {
      return;
    }
    current = Math.max(0, Math.min(index, all.length - 1));
    all.forEach((row, i) => row.classList.toggle("is-current", i === current));
    const link = all[current].querySelector(".queue-table__title");
    if (link) {
      link.focus();
    }
  };

  // The list is re-rendered by the poll: keep the highlight on the same ticket.
  document.body.addEventListener("htmx:afterSwap", () => {
    if (current >= 0) {
      highlight(current);
    }
  });

  const byShortcut = (key) => document.querySelector(`[data-shortcut~="${key}"]`);

  const act = (element) => {
    if (["TEXTAREA", "INPUT", "SELECT"].includes(element.tagName)) {
      element.focus();
      element.scrollIntoView({ block: "center" });
    } else {
      element.click();
    }
  };

  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && isTyping(event.target)) {
      event.target.blur();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) {
      return;
    }
    if (event.key === "?") {
      if (help && !help.open) {
        help.showModal();
      }
      event.preventDefault();
      return;
    }
    if (help && help.open) {
      return;
    }
    const inQueue = rows().length > 0;
    if (inQueue && (event.key === "j" || event.key === "k")) {
      highlight(current + (event.key === "j" ? 1 : -1));
      event.preventDefault();
      return;
    }
    if (inQueue && current >= 0 && (event.key === "o" || event.key === "Enter")) {
      window.location.assign(rows()[current].dataset.ticketUrl);
      event.preventDefault();
      return;
    }
    if (inQueue && current >= 0 && event.key === "x") {
      const box = rows()[current].querySelector("input[type=checkbox]");
      if (box) {
        box.click();
      }
      event.preventDefault();
      return;
    }
    const target = byShortcut(event.key);
    if (target) {
      const announcer = document.getElementById("agent-announcer");
      if (announcer && (event.key === "n" || event.key === "r")) {
        announcer.textContent =
          event.key === "n"
            ? "Write the note, then press Add internal note."
            : "Write the reply, then press Send reply.";
      }
      event.preventDefault();
      act(target);
    }
  });
})();
