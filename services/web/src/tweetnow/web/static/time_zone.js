/* The person's time zone: set from the browser on the first visit (while the account has
 * none), and changed on the Account page. */
(function () {
  "use strict";

  function show(zone) {
    document.body.dataset.timeZone = zone;
    for (const node of document.querySelectorAll("[data-time-zone]")) node.dataset.timeZone = zone;
    for (const node of document.querySelectorAll(".zone-name")) node.textContent = zone;
  }

  document.addEventListener("DOMContentLoaded", async () => {
    const tn = window.tweetnow;
    if (!tn || !tn.api) return;
    const form = document.getElementById("time-zone-form");
    if (form) {
      const message = document.getElementById("time-zone-message");
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        try {
          const me = await tn.api.patch("/api/me", { time_zone: form.elements.time_zone.value });
          show(me.time_zone);
          message.textContent = "Saved. Times are written and shown in " + me.time_zone + ".";
          message.dataset.kind = "ok";
        } catch (error) {
          message.textContent = error.description;
          message.dataset.kind = "error";
        }
        message.hidden = false;
      });
    }
    const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (document.body.dataset.timeZone !== "" || !browserZone) return;
    try {
      const me = await tn.api.patch("/api/me", { time_zone: browserZone });
      show(me.time_zone);
      if (form) form.elements.time_zone.value = me.time_zone;
    } catch (e) {
      /* Left unset: times stay in UTC, and the next page tries again. */
    }
  });
})();
