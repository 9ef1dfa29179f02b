/* Account: webhooks (added with their events, the signing secret shown once, deleted) and
 * each one's deliveries with every attempt. */
(function (tn) {
  "use strict";

  function say(node, text, kind) {
    node.textContent = text;
    node.dataset.kind = kind || "";
    node.hidden = !text;
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function webhookItem(hook) {
    const item = element("li", "token webhook");
    item.dataset.webhookId = hook.id;
    const url = element("span", "token-label", hook.url);
    url.id = "webhook-" + hook.id + "-url";
    const meta = element("span", "token-meta", hook.events.join(", ") + " · live");
    const deliveries = element("button", "secondary", "Deliveries");
    deliveries.type = "button";
    deliveries.dataset.action = "deliveries";
    deliveries.setAttribute("aria-expanded", "false");
    deliveries.setAttribute("aria-controls", "webhook-" + hook.id + "-deliveries");
    deliveries.setAttribute("aria-describedby", url.id);
    const remove = element("button", "danger", "Delete");
    remove.type = "button";
    remove.dataset.action = "delete";
    remove.setAttribute("aria-describedby", url.id);
    const panel = element("div", "deliveries");
    panel.id = "webhook-" + hook.id + "-deliveries";
    panel.hidden = true;
    item.append(url, meta, deliveries, remove, panel);
    return item;
  }

  function attemptText(attempt) {
    const answer = attempt.status_code === null ? "no answer" : "answered " + attempt.status_code;
    return answer + " in " + attempt.duration_ms + " ms" + (attempt.error ? ": " + attempt.error : "");
  }

  function renderDeliveries(panel, deliveries) {
    panel.replaceChildren();
    if (!deliveries.length) {
      panel.append(element("p", "note", "No deliveries yet."));
      return;
    }
    const list = element("ol", "delivery-list");
    for (const delivery of deliveries) {
      const item = element("li", "delivery");
      item.dataset.status = delivery.status;
      const head = element("p", "delivery-head");
      head.append(
        element("strong", "", delivery.event),
        " · ",
        element("span", "badge badge-" + delivery.status, delivery.status),
        " · ",
        tn.timeElement(delivery.created_at),
        " · ",
        element("code", "", delivery.id),
      );
      item.append(head);
      const attempts = element("ul", "attempts");
      for (const attempt of delivery.attempts) {
        const line = element("li", "attempt");
        line.append(tn.timeElement(attempt.at), " " + attemptText(attempt));
        attempts.append(line);
      }
      if (delivery.next_attempt_at) {
        const next = element("li", "attempt");
        next.append("next attempt ", tn.timeElement(delivery.next_attempt_at));
        attempts.append(next);
      }
      item.append(attempts);
      list.append(item);
    }
    panel.append(list);
  }

  function setUp() {
    const form = document.getElementById("webhook-form");
    const list = document.getElementById("webhook-list");
    const empty = document.getElementById("webhook-empty");
    const message = document.getElementById("webhook-message");
    const issued = document.getElementById("new-webhook-secret");
    const issuedValue = document.getElementById("new-webhook-secret-value");

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const events = [...form.querySelectorAll("input[name=events]:checked")].map((box) => box.value);
      try {
        const created = await tn.api.post("/api/webhooks", { url: form.elements.url.value.trim(), events: events });
        issuedValue.value = created.secret;
        issued.hidden = false;
        list.prepend(webhookItem(created.webhook));
        empty.hidden = true;
        form.elements.url.value = "";
        form.elements.url.setAttribute("aria-invalid", "false");
        say(message, "", "");
        issuedValue.focus();
        issuedValue.select();
      } catch (error) {
        form.elements.url.setAttribute("aria-invalid", "true");
        say(message, error.description, "error");
        form.elements.url.focus();
      }
    });

    list.addEventListener("click", async (event) => {
      const button = event.target.closest("button[data-action]");
      if (!button) return;
      const item = button.closest(".webhook");
      const id = item.dataset.webhookId;
      if (button.dataset.action === "deliveries") {
        const panel = item.querySelector(".deliveries");
        if (!panel.hidden) {
          panel.hidden = true;
          button.setAttribute("aria-expanded", "false");
          return;
        }
        try {
          const answer = await tn.api.get("/api/webhooks/" + id + "/deliveries");
          renderDeliveries(panel, answer.data);
          panel.hidden = false;
          button.setAttribute("aria-expanded", "true");
        } catch (error) {
          say(message, error.description, "error");
        }
        return;
      }
      if (button.dataset.action !== "delete") return;
      const url = item.querySelector(".token-label").textContent;
      button.disabled = true;
      try {
        await tn.api.delete("/api/webhooks/" + id);
        item.remove();
        if (!list.querySelector(".webhook")) empty.hidden = false;
        say(message, "Deleted the webhook for " + url + ".", "ok");
        document.getElementById("webhooks-heading").focus();
      } catch (error) {
        button.disabled = false;
        say(message, error.description, "error");
      }
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    if (document.getElementById("webhook-form")) setUp();
  });
})(window.tweetnow);
