/* My tweets: moving statuses update in place; a failed tweet can be retried. */
(function (tn) {
  "use strict";

  document.addEventListener("DOMContentLoaded", () => {
    const list = document.getElementById("tweet-list");
    if (list) tn.tweets.watchList(list);
  });
})(window.tweetnow);
