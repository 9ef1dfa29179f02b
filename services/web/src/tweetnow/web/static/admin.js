/* Admin dashboard: ask before an action that cannot be undone. */
(function () {
  "use strict";

  document.addEventListener("submit", (event) => {
    const form = event.target;
    const question = form.dataset && form.dataset.confirm;
    if (question && !window.confirm(question)) event.preventDefault();
  });
})();
