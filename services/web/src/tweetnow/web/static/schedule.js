/* Scheduling from the pages: the compose page's "At a time" (a date and a time in the
 * person's time zone), and My tweets' Cancel and Reschedule of scheduled tweets. */
(function (tn) {
  "use strict";

  const PARTS = {
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  };

  /* The wall clock of `zone` at instant `ms`, as numbers. */
  function wallClock(ms, zone) {
    const parts = new Intl.DateTimeFormat("en-US", { timeZone: zone, ...PARTS }).formatToParts(new Date(ms));
    const get = (type) => Number(parts.find((p) => p.type === type).value);
    return {
      year: get("year"),
      month: get("month"),
      day: get("day"),
      hour: get("hour"),
      minute: get("minute"),
      second: get("second"),
    };
  }

  /* How far `zone` is ahead of UTC at instant `ms`, in milliseconds. */
  function offsetAt(ms, zone) {
    const w = wallClock(ms, zone);
    return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(ms / 1000) * 1000;
  }

  /* The instant that a date ("2026-11-24") and a time ("09:30") on the clocks of `zone` name. */
  tn.instantIn = function (date, time, zone) {
    const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date || "");
    const t = /^(\d{2}):(\d{2})/.exec(time || "");
    if (!d || !t) return null;
    const wall = Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]), Number(t[1]), Number(t[2]));
    const first = wall - offsetAt(wall, zone);
    return new Date(wall - offsetAt(first, zone)); /* again: the offset may differ across a DST change */
  };

  /* `{date, time}` input values for instant `ms` on the clocks of `zone`. */
  function inputValues(ms, zone) {
    const w = wallClock(ms, zone);
    const two = (n) => String(n).padStart(2, "0");
    return { date: w.year + "-" + two(w.month) + "-" + two(w.day), time: two(w.hour) + ":" + two(w.minute) };
  }

  /* An instant as My tweets shows it in `zone`: "Tue, 24 Nov 2026, 09:00 CET". */
  function inZone(iso, zone) {
    return new Intl.DateTimeFormat("en-GB", {
      timeZone: zone,
      weekday: "short",
      day: "numeric",
      month: "short",
      year: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
      timeZoneName: "short",
    }).format(new Date(iso));
  }

  function zoneOf(node) {
    return (
      (node && node.dataset.timeZone) ||
      document.body.dataset.timeZone ||
      Intl.DateTimeFormat().resolvedOptions().timeZone ||
      "UTC"
    );
  }

  function chosenInstant(date, time, zone) {
    if (!date || !time) {
      throw new tn.ApiError(422, "No time", "Choose both the date and the time to post at.");
    }
    const at = tn.instantIn(date, time, zone);
    if (!at || Number.isNaN(at.getTime())) {
      throw new tn.ApiError(422, "No time", "That date or time cannot be read: use the pickers.");
    }
    if (at.getTime() <= Date.now()) {
      throw new tn.ApiError(422, "In the past", "That time has passed in " + zone + ": choose a later one.");
    }
    return at;
  }

  tn.schedule = {
    /* What the compose form adds to the tweet: nothing to post now, {send_at} for later.
     * A time that cannot be used throws an ApiError saying why. */
    fields() {
      const box = document.getElementById("schedule");
      if (!box) return {};
      const when = box.querySelector("input[name=when]:checked");
      if (!when || when.value !== "later") return {};
      const date = box.querySelector("#schedule-date").value;
      const time = box.querySelector("#schedule-time").value;
      return { send_at: chosenInstant(date, time, zoneOf(box)).toISOString() };
    },
  };

  /* Also as a compose extension (a compose page that asks each extension to add to the
   * tweet's body, or to say why it refuses): the chosen time, or why it cannot be used. */
  (tn.composeExtensions = tn.composeExtensions || []).push({
    build(body) {
      try {
        Object.assign(body, tn.schedule.fields());
      } catch (error) {
        return error.description;
      }
      return null;
    },
    reset() {},
  });

  function setUpCompose(box) {
    const at = document.getElementById("schedule-at");
    const dateInput = document.getElementById("schedule-date");
    const timeInput = document.getElementById("schedule-time");
    for (const radio of box.querySelectorAll("input[name=when]")) {
      radio.addEventListener("change", () => {
        const later = box.querySelector("input[name=when]:checked").value === "later";
        at.hidden = !later;
        if (later && !dateInput.value) {
          /* An hour from now, on the hour, as a starting point. */
          const start = inputValues(Date.now() + 3600 * 1000, zoneOf(box));
          dateInput.value = start.date;
          timeInput.value = start.time.slice(0, 2) + ":00";
        }
        if (later) dateInput.focus();
      });
    }
  }

  function say(item, text, kind) {
    const message = item.querySelector(".scheduled-message");
    message.textContent = text;
    message.dataset.kind = kind || "";
    message.hidden = !text;
  }

  function setUpScheduledList(section) {
    const list = document.getElementById("scheduled-list");
    const zone = zoneOf(section);

    list.addEventListener("click", async (event) => {
      const button = event.target.closest("button[data-action]");
      if (!button) return;
      const item = button.closest(".scheduled-tweet");
      const form = item.querySelector(".reschedule-form");
      if (button.dataset.action === "reschedule") {
        const open = form.hidden;
        form.hidden = !open;
        button.setAttribute("aria-expanded", open ? "true" : "false");
        if (open) form.elements.send_date.focus();
        return;
      }
      if (button.dataset.action !== "cancel") return;
      button.disabled = true;
      try {
        const tweet = await tn.api.delete("/api/tweets/" + item.dataset.tweetId);
        item.dataset.status = tweet.status;
        const badge = item.querySelector(".badge");
        badge.className = "badge badge-" + tweet.status;
        badge.textContent = "Canceled";
        item.querySelector(".tweet-actions").replaceChildren();
        form.remove();
        say(item, "Canceled: it will not be posted.", "ok");
      } catch (error) {
        button.disabled = false;
        say(item, error.description, "error");
      }
    });

    list.addEventListener("submit", async (event) => {
      event.preventDefault();
      const form = event.target;
      const item = form.closest(".scheduled-tweet");
      let at;
      try {
        at = chosenInstant(form.elements.send_date.value, form.elements.send_time.value, zone);
      } catch (error) {
        say(item, error.description, "error");
        return;
      }
      const save = form.querySelector("button[type=submit]");
      save.disabled = true;
      try {
        const tweet = await tn.api.patch("/api/tweets/" + item.dataset.tweetId, { send_at: at.toISOString() });
        const time = item.querySelector(".tweet-state time");
        time.dateTime = tweet.send_at;
        time.textContent = inZone(tweet.send_at, zone);
        form.hidden = true;
        item.querySelector("[data-action=reschedule]").setAttribute("aria-expanded", "false");
        say(item, "Rescheduled for " + time.textContent + ".", "ok");
      } catch (error) {
        say(item, error.description, "error");
      } finally {
        save.disabled = false;
      }
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    const box = document.getElementById("schedule");
    if (box) setUpCompose(box);
    const section = document.getElementById("scheduled");
    if (section) setUpScheduledList(section);
  });
})(window.tweetnow);
