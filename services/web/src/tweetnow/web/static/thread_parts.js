/* Compose: "Add to thread" adds a part with its own live count by X's rules; on Post the
 * first part (the main text) and these go as one thread. */
(function (tn) {
  "use strict";

  const MAX_PARTS = 25;
  const NEAR = 20;

  document.addEventListener("DOMContentLoaded", () => {
    const holder = document.getElementById("thread-parts");
    const add = document.getElementById("add-part");
    if (!holder || !add) return;
    let made = 0;

    const parts = () => Array.from(holder.querySelectorAll(".thread-part"));
    const message = document.getElementById("compose-message");
    const main = document.getElementById("tweet-text");

    /* A refusal about a part goes once the part is edited. */
    function clearRefusal(textarea) {
      textarea.setAttribute("aria-invalid", "false");
      if (message && message.dataset.kind === "refusal" && message.dataset.part) {
        message.textContent = "";
        message.dataset.kind = "";
        delete message.dataset.part;
        message.hidden = true;
        if (main) main.setAttribute("aria-invalid", "false");
      }
    }

    function refuse(part, words) {
      const textarea = part.querySelector("textarea");
      textarea.setAttribute("aria-invalid", "true");
      textarea.focus();
      if (message) message.dataset.part = textarea.id;
      return words;
    }

    function count(part) {
      const result = tn.parseTweet(part.querySelector("textarea").value);
      const counter = part.querySelector(".counter");
      counter.querySelector(".part-count").textContent = result.weightedLength + " / " + result.max;
      counter.classList.toggle("near", result.remaining >= 0 && result.remaining <= NEAR);
      counter.classList.toggle("over", result.remaining < 0);
      counter.querySelector(".part-note").textContent =
        result.remaining < 0 ? "(" + -result.remaining + " over the limit)" :
        result.remaining <= NEAR ? "(" + result.remaining + " left)" : "";
    }

    function renumber() {
      parts().forEach((part, index) => {
        const number = index + 2;
        part.querySelector("label").textContent = "Part " + number + " of the thread";
        part.querySelector("button").textContent = "Remove part " + number;
      });
      add.disabled = parts().length + 1 >= MAX_PARTS;
    }

    function addPart() {
      made += 1;
      const id = "thread-part-" + made;
      const part = document.createElement("li");
      part.className = "thread-part";
      const label = document.createElement("label");
      label.htmlFor = id;
      const textarea = document.createElement("textarea");
      textarea.id = id;
      textarea.rows = 3;
      textarea.setAttribute("aria-describedby", id + "-count");
      const row = document.createElement("div");
      row.className = "form-row";
      const counter = document.createElement("p");
      counter.className = "counter";
      counter.id = id + "-count";
      const number = document.createElement("span");
      number.className = "part-count";
      const note = document.createElement("span");
      note.className = "part-note";
      counter.append(number, " ", note);
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "secondary";
      remove.addEventListener("click", () => {
        part.remove();
        renumber();
        add.focus();
      });
      row.append(counter, remove);
      part.append(label, textarea, row);
      holder.append(part);
      textarea.addEventListener("input", () => {
        count(part);
        clearRefusal(textarea);
      });
      count(part);
      renumber();
      textarea.focus();
    }

    add.addEventListener("click", addPart);

    tn.composeExtensions = tn.composeExtensions || [];
    tn.composeExtensions.push({
      /* A thread instead of one text, once parts were added; or why it cannot go. */
      build(body) {
        const list = parts();
        const texts = list.map((part) => part.querySelector("textarea").value);
        if (!texts.length) return null;
        for (let i = 0; i < texts.length; i += 1) {
          const number = i + 2;
          if (!texts[i].trim()) return refuse(list[i], "Part " + number + " is empty: write it or remove it.");
          const result = tn.parseTweet(texts[i]);
          if (result.remaining < 0) {
            return refuse(list[i], "Part " + number + " is too long: " + result.weightedLength +
              " characters by X's count; the limit is " + result.max + ".");
          }
        }
        body.thread = [body.text, ...texts];
        delete body.text;
        return null;
      },
      reset() {
        holder.replaceChildren();
        renumber();
      },
    });
  });
})(window.tweetnow);
