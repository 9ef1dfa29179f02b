/* Compose: a live count by X's rules, and posting without leaving the page. */
(function (tn) {
  "use strict";

  document.addEventListener("DOMContentLoaded", () => {
    const form = document.getElementById("compose-form");
    if (!form) return;
    const textarea = form.elements.text;
    const button = form.querySelector("button[type=submit]");
    const counter = document.getElementById("char-count");
    const counterNote = document.getElementById("char-note");
    const message = document.getElementById("compose-message");
    const posted = document.getElementById("posted");
    const postedList = document.getElementById("posted-list");
    const NEAR = 20;
    let lastNote = "";

    function problem(result, text) {
      if (!text.trim()) return "Write something first: the tweet is empty.";
      if (result.remaining < 0) {
        const over = -result.remaining;
        return (
          "Too long to post: " + result.weightedLength + " characters by X's count (a link counts 23, " +
          "an emoji 2); the limit is " + result.max + ". Remove " + over +
          (over === 1 ? " character." : " characters.")
        );
      }
      if (result.invalidCharacters) return "The tweet has characters X does not accept.";
      return null;
    }

    function update() {
      const result = tn.parseTweet(textarea.value);
      counter.textContent = result.weightedLength + " / " + result.max;
      const box = counter.parentElement;
      box.classList.toggle("near", result.remaining >= 0 && result.remaining <= NEAR);
      box.classList.toggle("over", result.remaining < 0);
      let note = "";
      if (result.remaining < 0) note = "(" + -result.remaining + " over the limit)";
      else if (result.remaining <= NEAR) note = "(" + result.remaining + " left)";
      counterNote.textContent = note;
      /* Announce only when the situation changes, not on every key. */
      const state = result.remaining < 0 ? "over" : result.remaining <= NEAR ? "near" : "";
      if (state !== lastNote) {
        document.getElementById("char-announce").textContent =
          state === "over" ? "Over the 280 character limit." : state === "near" ? "Fewer than 20 characters left." : "";
        lastNote = state;
      }
      const refusal = problem(result, textarea.value);
      /* The button stays operable: pressed, it says why it will not post. */
      button.dataset.refuses = refusal ? "true" : "false";
      if (!refusal && message.dataset.kind === "refusal") showMessage("", "");
      return refusal;
    }

    function showMessage(text, kind) {
      message.textContent = text;
      message.dataset.kind = kind;
      message.hidden = !text;
      textarea.setAttribute("aria-invalid", kind ? "true" : "false");
    }

    textarea.addEventListener("input", update);
    textarea.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        form.requestSubmit();
      }
    });

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (form.dataset.busy) return;
      const refusal = update();
      if (refusal) {
        showMessage(refusal, "refusal");
        textarea.focus();
        return;
      }
      form.dataset.busy = "1";
      button.textContent = "Posting…";
      /* Other parts of the form (thread parts, images) add to the body, or refuse. */
      const extensions = tn.composeExtensions || [];
      try {
        const body = { text: textarea.value };
        for (const extension of extensions) {
          const refused = await extension.build(body);
          if (refused) {
            showMessage(refused, "refusal");
            textarea.setAttribute("aria-invalid", "false"); /* the refusal is about another field */
            return;
          }
        }
        const accepted = await tn.api.post("/api/tweets", body);
        showMessage("", "");
        textarea.value = "";
        for (const extension of extensions) extension.reset();
        update();
        const item = tn.tweets.createItem(accepted.tweet);
        postedList.prepend(item);
        posted.hidden = false;
        tn.tweets.follow(item, accepted.job.id);
        textarea.focus();
      } catch (error) {
        showMessage(error.description, "error");
      } finally {
        delete form.dataset.busy;
        button.textContent = "Post";
      }
    });

    tn.tweets.watchList(postedList);
    update();
  });
})(window.tweetnow);
