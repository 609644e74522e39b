// Lease forms: show the length of the term while the dates are typed ("3 years 0 months"), and
// the confirmation a term that is not a whole number of months needs. The server computes the
// same when it renders the form (parkops.leases.terms.term_length) and refuses such a term
// without the confirmation, so this is only a convenience. Months count as the rent schedule
// counts them: the same day n months after the start, clamped to the month's last day.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const DAY = 86400000;
  const parse = (text) => {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text || "");
    return m ? { y: +m[1], m: +m[2] - 1, d: +m[3] } : null;
  };
  const utc = (x) => Date.UTC(x.y, x.m, x.d);
  const addMonths = (x, n) => {
    const index = x.y * 12 + x.m + n;
    const y = Math.floor(index / 12);
    const m = index - y * 12;
    const last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
    return Date.UTC(y, m, Math.min(x.d, last));
  };
  // Whole months from the start to the end (the day after the last day), and the days left:
  // the month difference is at most one too many (the start's day is later than the end's).
  const termLength = (start, lastDay) => {
    const end = utc(lastDay) + DAY;
    if (end <= utc(start)) return null;
    const e = new Date(end);
    let months = Math.max(0, (e.getUTCFullYear() - start.y) * 12 + e.getUTCMonth() - start.m);
    if (months && addMonths(start, months) > end) months -= 1;
    return { months, days: Math.round((end - addMonths(start, months)) / DAY) };
  };

  document.querySelectorAll("[data-term-length]").forEach((box) => {
    const startInput = box.dataset.start && document.getElementById(box.dataset.start);
    const lastInput = document.getElementById(box.dataset.last);
    const output = box.querySelector("[data-term-text]");
    const partial = box.querySelector("[data-partial]");
    if (!lastInput || !output) return;
    const count = (n, one, many) => (n === 1 ? box.dataset[one] : box.dataset[many].replace("%(n)s", n));
    const text = ({ months, days }) => {
      const years = Math.floor(months / 12);
      const rest = months % 12;
      const parts = years ? [count(years, "year", "years")] : [];
      if (years || rest || !days) parts.push(count(rest, "month", "months"));
      if (days) parts.push(count(days, "day", "days"));
      return parts.join(" ");
    };
    const update = () => {
      const start = parse(startInput ? startInput.value : box.dataset.startDate);
      const lastDay = parse(lastInput.value);
      const length = start && lastDay ? termLength(start, lastDay) : null;
      output.textContent = length ? text(length) : "–";
      if (partial) partial.hidden = !length || length.days === 0;
    };
    [startInput, lastInput].forEach((input) => {
      if (input) {
        input.addEventListener("input", update);
        input.addEventListener("change", update);
      }
    });
    update();
  });
});
