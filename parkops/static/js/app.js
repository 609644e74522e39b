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
});
