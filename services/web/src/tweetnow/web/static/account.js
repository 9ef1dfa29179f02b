/* Account: connected X accounts (disconnected), the address for notices, and API tokens
 * (created with an expiry, shown once, revoked). */
(function (tn) {
  "use strict";

  function say(node, text, kind) {
    node.textContent = text;
    node.dataset.kind = kind || "";
    node.hidden = !text;
  }

  function setUpEmail() {
    const form = document.getElementById("email-form");
    const input = form.elements.email;
    const message = document.getElementById("email-message");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const value = input.value.trim();
      try {
        const me = await tn.api.patch("/api/me", { email: value || null });
        input.value = me.email || "";
        input.setAttribute("aria-invalid", "false");
        say(message, me.email ? "Saved. Notices go to " + me.email + "." : "Removed: no notices will be mailed.", "ok");
      } catch (error) {
        input.setAttribute("aria-invalid", "true");
        say(message, error.description, "error");
        input.focus();
      }
    });
  }

  function tokenItem(token) {
    const item = document.createElement("li");
    item.className = "token";
    item.dataset.tokenId = token.id;
    const name = document.createElement("span");
    name.className = "token-label";
    name.id = "token-" + token.id + "-label";
    name.textContent = token.label || "(no label)";
    const meta = document.createElement("span");
    meta.className = "token-meta";
    meta.append(token.prefix + "… · created ", tn.timeElement(token.created_at), " · never used · ");
    if (token.expires_at) meta.append("expires ", tn.timeElement(token.expires_at));
    else meta.append("does not expire");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "danger";
    button.dataset.action = "revoke";
    button.textContent = "Revoke";
    button.setAttribute("aria-describedby", name.id);
    item.append(name, meta, button);
    return item;
  }

  function setUpTokens() {
    const form = document.getElementById("token-form");
    const list = document.getElementById("token-list");
    const empty = document.getElementById("token-empty");
    const message = document.getElementById("token-message");
    const issued = document.getElementById("new-token");
    const issuedValue = document.getElementById("new-token-value");
    const copy = document.getElementById("copy-token");

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        const days = form.elements.expires_in_days.value;
        const token = await tn.api.post("/api/tokens", {
          label: form.elements.label.value.trim(),
          expires_in_days: days ? Number(days) : null,
        });
        issuedValue.value = token.token;
        issued.hidden = false;
        list.prepend(tokenItem({ ...token, prefix: token.token.slice(0, 10) }));
        empty.hidden = true;
        form.reset();
        say(message, "", "");
        issuedValue.focus();
        issuedValue.select();
      } catch (error) {
        say(message, error.description, "error");
      }
    });

    copy.addEventListener("click", async () => {
      issuedValue.select();
      try {
        await navigator.clipboard.writeText(issuedValue.value);
        say(message, "Copied the token.", "ok");
      } catch (e) {
        say(message, "Select the token and copy it with your keyboard.", "");
      }
    });

    list.addEventListener("click", async (event) => {
      const button = event.target.closest("[data-action=revoke]");
      if (!button) return;
      const item = button.closest(".token");
      const label = item.querySelector(".token-label").textContent;
      button.disabled = true;
      try {
        await tn.api.delete("/api/tokens/" + item.dataset.tokenId);
        item.remove();
        if (!list.querySelector(".token")) empty.hidden = false;
        say(message, "Revoked " + label + ": it no longer works.", "ok");
        document.getElementById("tokens-heading").focus();
      } catch (error) {
        button.disabled = false;
        say(message, error.description, "error");
      }
    });
  }

  function setUpAccounts() {
    const list = document.getElementById("account-list");
    const message = document.getElementById("account-message");
    list.addEventListener("click", async (event) => {
      const button = event.target.closest("[data-action=disconnect]");
      if (!button) return;
      const item = button.closest(".token");
      const label = item.querySelector(".token-label").textContent;
      button.disabled = true;
      try {
        const account = await tn.api.delete("/api/accounts/" + item.dataset.accountId);
        item.dataset.status = account.status;
        button.remove();
        say(message, "Disconnected " + label + ": " + account.status_reason + "; its pending tweets were canceled.", "ok");
      } catch (error) {
        button.disabled = false;
        say(message, error.description, "error");
      }
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    if (document.getElementById("account-list")) setUpAccounts();
    if (document.getElementById("email-form")) setUpEmail();
    if (document.getElementById("token-form")) setUpTokens();
  });
})(window.tweetnow);
