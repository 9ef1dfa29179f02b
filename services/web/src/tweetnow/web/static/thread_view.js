/* A thread's parts in a tweet item, kept up to date with the tweet: the same markup as
 * templates/_thread_parts.html. */
(function (tn) {
  "use strict";

  function render(item, tweet) {
    let view = item.querySelector(".thread-view");
    if (!tweet.parts) {
      if (view) view.remove();
      return;
    }
    if (!view) {
      view = document.createElement("ol");
      view.className = "thread-view";
      item.querySelector(".tweet-text").after(view);
    }
    item.querySelector(".tweet-text").textContent = "A thread of " + tweet.parts.length + " parts";
    view.setAttribute("aria-label", "The thread's " + tweet.parts.length + " parts");
    const words = (tn.tweets && tn.tweets.WORDS) || {};
    view.replaceChildren(
      ...tweet.parts.map((part, index) => {
        const li = document.createElement("li");
        li.className = "thread-view-part";
        li.dataset.status = part.status;
        const text = document.createElement("span");
        text.className = "part-text";
        text.textContent = part.text;
        const badge = document.createElement("span");
        badge.className = "badge badge-" + part.status;
        badge.textContent = words[part.status] || part.status;
        li.append(text, " ", badge);
        if (part.url) {
          const link = document.createElement("a");
          link.className = "tweet-link";
          link.href = part.url;
          link.textContent = "View part " + (index + 1) + " on X";
          li.append(" ", link);
        }
        if (part.media_ids.length) {
          const note = document.createElement("span");
          note.className = "note";
          note.textContent = " " + part.media_ids.length + (part.media_ids.length > 1 ? " images" : " image");
          li.append(note);
        }
        return li;
      })
    );
  }

  tn.threadView = { render: render };
})(window.tweetnow);
