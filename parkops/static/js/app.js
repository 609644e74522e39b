// ParkOps progressive enhancement. Loaded as a file because the CSP forbids inline scripts.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // Destructive actions ask first: <form data-confirm="Really?">.
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
  // The navigation collapses behind a button on narrow screens.
  document.querySelectorAll("[data-toggle]").forEach((button) => {
    button.addEventListener("click", () => {
      const target = document.getElementById(button.dataset.toggle);
      if (target) target.classList.toggle("open");
    });
  });
  // On phones each table row is a card: every cell is labelled with its column header.
  document.querySelectorAll("table.table:not(.grid)").forEach((table) => {
    const heads = [...table.querySelectorAll(":scope > thead th")].map((th) => th.textContent.trim());
    if (!heads.length) return;
    table.querySelectorAll(":scope > tbody > tr, :scope > tfoot > tr").forEach((row) => {
      let column = 0;
      [...row.children].forEach((cell) => {
        const label = heads[column];
        if (label && !cell.hasAttribute("data-label")) cell.dataset.label = label;
        column += cell.colSpan || 1;
      });
    });
  });
  // Menus in the bar: one open at a time, closed by a click elsewhere or Escape.
  const groups = [...document.querySelectorAll("details.navgroup")];
  const closeAll = (except) => groups.forEach((g) => { if (g !== except) g.open = false; });
  groups.forEach((g) => g.addEventListener("toggle", () => { if (g.open) closeAll(g); }));
  document.addEventListener("click", (event) => {
    if (!event.target.closest("details.navgroup")) closeAll(null);
  });
  document.addEventListener("keydown", (event) => { if (event.key === "Escape") closeAll(null); });
});
