// The queue's bulk bar: counts the ticked rows, shows the value field the chosen action needs,
// and holds the 10-second refresh while rows are ticked (a refresh would untick them).
// The save-view and bulk forms take the address bar's query, which htmx keeps current.
"use strict";

(() => {
  const bulk = document.getElementById("queue-bulk");
  if (!bulk) {
    return;
  }
  const action = bulk.querySelector("[name=action]");
  const count = document.getElementById("queue-bulk-count");
  const ticked = () => document.querySelectorAll("input[name=tickets][form=queue-bulk]:checked");
  const VALUE_FIELD = { assign: "agent", team: "team", tag: "tag", priority: "priority" };

  const showValueField = () => {
    bulk.querySelectorAll(".queue-bulk__value").forEach((field) => {
      const input = field.querySelector("input, select");
      field.hidden = !input || input.name !== VALUE_FIELD[action.value];
    });
  };

  const updateCount = () => {
    const n = ticked().length;
    count.textContent = n ? `${n} selected` : "No tickets selected";
    bulk.classList.toggle("queue-bulk--active", n > 0);
  };

  action.addEventListener("change", showValueField);
  showValueField();
  updateCount();

  document.addEventListener("change", (event) => {
    if (event.target.id === "queue-select-all") {
      document
        .querySelectorAll("input[name=tickets][form=queue-bulk]")
        .forEach((box) => (box.checked = event.target.checked));
    }
    if (event.target.matches("input[type=checkbox]")) {
      updateCount();
    }
  });

  document.body.addEventListener("htmx:afterSwap", updateCount);

  // Hold the poll (not a filter change or a page link) while the agent has rows ticked.
  document.body.addEventListener("htmx:beforeRequest", (event) => {
    if (event.detail.elt.id === "queue-poller" && ticked().length > 0) {
      event.preventDefault();
    }
  });

  bulk.addEventListener("submit", () => {
    document.getElementById("queue-bulk-next").value = location.pathname + location.search;
  });
  const save = document.getElementById("queue-save-query");
  if (save) {
    save.form.addEventListener("submit", () => {
      const params = new URLSearchParams(location.search);
      params.delete("cursor");
      save.value = params.toString();
    });
  }
})();
