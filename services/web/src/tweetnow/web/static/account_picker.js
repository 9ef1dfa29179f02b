/* The compose page's "Post as" choice: the tweet goes out as the chosen X account. */
(function () {
  "use strict";
  const tn = (window.tn = window.tn || {});
  const picker = document.getElementById("account-picker");
  if (!picker) return;
  tn.composeExtensions = tn.composeExtensions || [];
  tn.composeExtensions.push({
    async build(body) {
      if (picker.value) body.account_id = Number(picker.value);
      return null;
    },
    reset() {
      /* The account chosen stays chosen for the next tweet. */
    },
  });
})();
