// Billing run page: poll the run's JSON status and move the progress bar until it is finished.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const box = document.querySelector("[data-status-url]");
  if (!box || box.dataset.state !== "running") return;
  const field = (name) => box.querySelector(`[data-field="${name}"]`);
  const money = (fen) =>
    (fen / 100).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const poll = async () => {
    let status;
    try {
      const response = await fetch(box.dataset.statusUrl, {
        headers: { accept: "application/json" },
        credentials: "same-origin",
      });
      if (!response.ok) throw new Error(String(response.status));
      status = await response.json();
    } catch (error) {
      window.setTimeout(poll, 3000);
      return;
    }
    field("progress").value = status.percent;
    field("progress").textContent = `${status.percent}%`;
    field("percent").textContent = status.percent;
    field("contracts_done").textContent = status.contracts_done;
    field("contracts_total").textContent = status.contracts_total;
    field("bills_created").textContent = status.bills_created;
    field("lines_created").textContent = status.lines_created;
    field("total").textContent = money(status.total_fen);
    if (status.finished) {
      // The page shows the final state (and its translated labels) when reloaded.
      window.location.reload();
      return;
    }
    window.setTimeout(poll, 1000);
  };
  window.setTimeout(poll, 500);
});
