/* Compose: "Post as", shown when several X accounts are connected; the tweet goes out as
 * the one chosen (account_id). */
(function (tn) {
  "use strict";

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
})(window.tweetnow);
