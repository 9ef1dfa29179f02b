/* Send a thought: mail it without leaving the page, then watch the mail go out
 * (queued → sending → sent, or failed with the reason) as its job moves. */
(function (tn) {
  "use strict";

  /* A mail's status in words. */
  const WORDS = {
    queued: "Queued",
    sending: "Sending…",
    retrying: "Retrying",
    sent: "Sent",
    failed: "Failed",
  };

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /* A reason from the mailer ("the mail server did not answer in time") ends a sentence. */
  function sentence(text) {
    const trimmed = text.trim();
    return /[.!?)]$/.test(trimmed) ? trimmed : trimmed + ".";
  }

  /* The item's status line: a badge, a time, then the reason if there is one. */
  function renderState(item, status, options) {
    item.dataset.status = status;
    const parts = [element("span", "badge badge-" + status, WORDS[status] || status)];
    if (options.time) parts.push(tn.timeElement(options.time));
    if (options.reason) parts.push(element("p", "reason", options.reason));
    item.querySelector(".tweet-state").replaceChildren(...parts);
  }

  function renderMail(item, mail) {
    if (mail.status === "sent") {
      renderState(item, "sent", { time: mail.sent_at || mail.created_at });
    } else if (mail.status === "failed") {
      renderState(item, "failed", {
        time: mail.created_at,
        reason: "Not sent: " + sentence(mail.error || "the mailer gave up on it"),
      });
    } else {
      renderState(item, mail.status, {
        time: mail.created_at,
        reason: mail.error ? "Trying again: " + sentence(mail.error.replace(/; retrying$/, "")) : "",
      });
    }
  }

  function renderJob(item, job) {
    if (job.status === "running") {
      renderState(item, "sending", {});
    } else if (job.status === "retrying") {
      const attempt = job.attempts ? " (attempt " + job.attempts + " did not go through)" : "";
      renderState(item, "retrying", {
        reason:
          "The mail did not go out yet" +
          (job.error ? ": " + job.error.replace(/; retrying$/, "") : "") +
          attempt +
          ".",
      });
    } else if (job.status === "queued" && item.dataset.status !== "queued") {
      renderState(item, "queued", {});
    }
  }

  function createItem(mail, thought) {
    const item = element("li", "tweet thought");
    item.dataset.mailId = mail.id;
    const text = element("p", "tweet-text", thought);
    text.id = "thought-" + mail.id + "-text";
    const to = element("p", "thought-to", "To " + mail.recipient);
    const state = element("div", "tweet-state");
    state.setAttribute("role", "status");
    item.append(text, to, state);
    renderMail(item, mail);
    return item;
  }

  /* Follow the mail's job until it ends, then show the mail as it ended. */
  async function follow(item, jobId) {
    const end = await tn.jobs.follow(jobId, { onChange: (job) => renderJob(item, job) });
    if (end === "gave-up") {
      renderState(item, item.dataset.status, {
        reason: "Still on its way. It goes out when the mailer can send it.",
      });
      return;
    }
    try {
      renderMail(item, await tn.api.get("/api/mail/" + encodeURIComponent(item.dataset.mailId)));
    } catch (error) {
      renderState(item, item.dataset.status, { reason: error.description });
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    const form = document.getElementById("thought-form");
    if (!form) return;
    const email = form.elements.email;
    const textarea = form.elements.thought;
    const button = form.querySelector("button[type=submit]");
    const count = document.getElementById("thought-count-value");
    const message = document.getElementById("thought-message");
    const sent = document.getElementById("thoughts-sent");
    const list = document.getElementById("thought-list");
    const max = Number(textarea.dataset.max);

    /* Counted as the server counts: characters (code points) once trimmed. */
    function update() {
      const length = Array.from(textarea.value.trim()).length;
      count.textContent = length + " / " + max;
      count.parentElement.classList.toggle("near", length <= max && length > max - 50);
      count.parentElement.classList.toggle("over", length > max);
    }

    function showMessage(text, field) {
      message.textContent = text;
      message.dataset.kind = text ? "error" : "";
      message.hidden = !text;
      email.setAttribute("aria-invalid", field === email ? "true" : "false");
      textarea.setAttribute("aria-invalid", field === textarea ? "true" : "false");
    }

    /* The API names the field it refuses at the start of its message: `email` or `thought`. */
    const FIELD_NAMES = { email: "The email address", thought: "The thought" };

    function fieldOf(error) {
      const named = /^`(email|thought)`/.exec(error.description || "");
      if (error.status !== 422 || !named) return null;
      return named[1] === "email" ? email : textarea;
    }

    /* The API's message, with the field named as the form names it. */
    function inWords(error) {
      return (error.description || "").replace(/^`(email|thought)`/, (_, name) => FIELD_NAMES[name]);
    }

    textarea.addEventListener("input", update);

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (form.dataset.busy) return;
      form.dataset.busy = "1";
      button.textContent = "Sending…";
      const thought = textarea.value;
      try {
        const accepted = await tn.api.post("/api/thoughts", { email: email.value, thought: thought });
        showMessage("", null);
        textarea.value = "";
        update();
        const item = createItem(accepted.mail, thought.trim());
        list.prepend(item);
        sent.hidden = false;
        follow(item, accepted.job.id);
        textarea.focus();
      } catch (error) {
        const field = fieldOf(error);
        showMessage(inWords(error), field);
        if (field) field.focus();
      } finally {
        delete form.dataset.busy;
        button.textContent = "Send";
      }
    });

    update();
  });
})(window.tweetnow);
