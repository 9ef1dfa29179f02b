/* A tweet on the page: its status in words, kept up to date while it moves.
 * A moving tweet's job is followed (job_progress.js) until it ends; then the tweet is read
 * once for its link or its reason. */
(function (tn) {
  "use strict";

  /* The same words as the server-rendered pages (pages/tweet_words.py). */
  const WORDS = {
    scheduled: "Scheduled",
    queued: "Queued",
    sending: "Sending to X…",
    sent: "Sent",
    failed: "Failed",
    canceled: "Canceled",
  };

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /* Fill the item's status line: a badge, a time, then the link or the reason. */
  function renderState(item, status, options) {
    item.dataset.status = status;
    const state = item.querySelector(".tweet-state");
    const parts = [element("span", "badge badge-" + status, options.word || WORDS[status])];
    if (options.time) parts.push(tn.timeElement(options.time));
    if (options.url) {
      const link = element("a", "tweet-link", "View on X");
      link.href = options.url;
      parts.push(link);
    }
    if (options.reason) parts.push(element("p", "reason", options.reason));
    state.replaceChildren(...parts);
    const actions = item.querySelector(".tweet-actions");
    if (status === "failed") {
      if (!actions.querySelector("[data-action=retry]")) {
        const button = element("button", "retry", "Retry");
        button.type = "button";
        button.dataset.action = "retry";
        button.setAttribute("aria-describedby", item.querySelector(".tweet-text").id);
        actions.replaceChildren(button);
      }
    } else {
      actions.replaceChildren();
    }
  }

  function renderTweet(item, tweet) {
    item.dataset.jobId = tweet.job_id;
    let time = tweet.created_at;
    let reason = tweet.error;
    if (tweet.status === "sent") time = tweet.sent_at || time;
    if (tweet.status === "scheduled") time = tweet.send_at || time;
    if (tweet.status === "queued" && reason) reason = "Trying again: " + reason;
    renderState(item, tweet.status, { time: time, url: tweet.url, reason: reason });
    if (tn.threadView) tn.threadView.render(item, tweet);
  }

  /* Where a job is, in the tweet's words. */
  function renderJob(item, job) {
    if (job.status === "running") {
      renderState(item, "sending", {});
    } else if (job.status === "retrying") {
      const attempt = job.attempts ? " (attempt " + job.attempts + " did not go through)" : "";
      renderState(item, "queued", {
        word: "Retrying",
        reason: (job.error ? "X did not take it yet: " + job.error : "X did not take it yet") + attempt + ".",
      });
    } else if ((job.status === "queued" || job.status === "scheduled") && item.dataset.status !== job.status) {
      renderState(item, job.status, { time: job.next_attempt_at || undefined });
    }
  }

  /* Follow the tweet's job until it ends, then show the tweet as it ended. */
  async function follow(item, jobId) {
    if (item.dataset.following === jobId) return;
    item.dataset.following = jobId;
    const end = await tn.jobs.follow(jobId, {
      wanted: () => item.dataset.following === jobId,
      onChange: (job) => renderJob(item, job),
    });
    if (end === "stopped") return;
    delete item.dataset.following;
    if (end === "gave-up") {
      renderState(item, item.dataset.status, {
        reason: "Still on its way. Reload this page later to see where it is.",
      });
      return;
    }
    try {
      renderTweet(item, await tn.api.get("/api/tweets/" + item.dataset.tweetId));
    } catch (error) {
      renderState(item, item.dataset.status, { reason: error.description });
    }
  }

  async function retry(item, button) {
    button.disabled = true;
    button.textContent = "Retrying…";
    try {
      const accepted = await tn.api.post("/api/tweets/" + item.dataset.tweetId + "/retry");
      renderTweet(item, accepted.tweet);
      /* The button is gone: keep the keyboard on this tweet, not at the top of the page. */
      item.tabIndex = -1;
      item.focus();
      follow(item, accepted.job.id);
    } catch (error) {
      button.disabled = false;
      button.textContent = "Retry";
      renderState(item, item.dataset.status, { reason: error.description });
    }
  }

  /* A new list item for a tweet posted from this page. */
  function createItem(tweet) {
    const item = element("li", "tweet");
    item.dataset.tweetId = tweet.id;
    const text = element("p", "tweet-text", tweet.text);
    text.id = "tweet-" + tweet.id + "-text";
    const state = element("div", "tweet-state");
    state.setAttribute("role", "status");
    item.append(text, state, element("div", "tweet-actions"));
    renderTweet(item, tweet);
    return item;
  }

  /* Retry buttons in a list, and its moving tweets followed. */
  function watchList(list) {
    list.addEventListener("click", (event) => {
      const button = event.target.closest("[data-action=retry]");
      if (button && list.contains(button)) retry(button.closest(".tweet"), button);
    });
    for (const item of list.querySelectorAll(".tweet")) {
      const status = item.dataset.status;
      if (status === "queued" || status === "sending") {
        follow(item, item.dataset.jobId);
      } else if (status === "scheduled") {
        const time = item.querySelector("time");
        const due = time ? new Date(time.dateTime).getTime() - Date.now() : Infinity;
        if (due < 2 * 60 * 1000) setTimeout(() => follow(item, item.dataset.jobId), Math.max(due, 0));
      }
    }
  }

  tn.tweets = { createItem: createItem, follow: follow, watchList: watchList, WORDS: WORDS };
})(window.tweetnow);
