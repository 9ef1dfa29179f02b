/* Talking to tweetnow's JSON API from the pages: the session cookie goes along, and every
 * state-changing request carries the csrf_token cookie's value in X-CSRF-Token. */
(function (tn) {
  "use strict";

  class ApiError extends Error {
    constructor(status, title, description) {
      super(description);
      this.status = status;
      this.title = title;
      this.description = description;
    }
  }

  function csrfToken() {
    const found = document.cookie.match(/(?:^|;\s*)csrf_token=([^;]*)/);
    return found ? decodeURIComponent(found[1]) : "";
  }

  async function request(method, url, body) {
    const headers = { Accept: "application/json" };
    if (method !== "GET") headers["X-CSRF-Token"] = csrfToken();
    const form = body instanceof FormData;
    if (body !== undefined && !form) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(url, {
        method: method,
        headers: headers,
        body: body === undefined || form ? body : JSON.stringify(body),
        credentials: "same-origin",
      });
    } catch (e) {
      throw new ApiError(0, "No connection", "Could not reach tweetnow. Check the connection and try again.");
    }
    if (response.status === 204) return null;
    let data = null;
    try {
      data = await response.json();
    } catch (e) {
      data = null;
    }
    if (!response.ok) {
      if (response.status === 401) {
        throw new ApiError(401, "Signed out", "You are signed out. Reload the page and sign in again.");
      }
      const description = (data && (data.description || data.title)) || "The server answered " + response.status + ".";
      throw new ApiError(response.status, data && data.title, description);
    }
    return data;
  }

  tn.ApiError = ApiError;
  tn.api = {
    get: (url) => request("GET", url),
    post: (url, body) => request("POST", url, body),
    patch: (url, body) => request("PATCH", url, body),
    delete: (url) => request("DELETE", url),
    /* A multipart form (FormData), e.g. an image for /api/media. */
    upload: (url, formData) => request("POST", url, formData),
  };

  tn.sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

  /* A <time> element for an ISO 8601 instant, in the reader's own time zone. */
  tn.timeElement = function (iso) {
    const time = document.createElement("time");
    time.dateTime = iso;
    time.textContent = timeFormat.format(new Date(iso));
    return time;
  };

  /* Server-rendered times are in UTC: show them in the reader's time zone. */
  tn.localizeTimes = function (root) {
    for (const time of root.querySelectorAll("time[datetime]")) {
      const when = new Date(time.dateTime);
      if (!Number.isNaN(when.getTime())) time.textContent = timeFormat.format(when);
    }
  };

  document.addEventListener("DOMContentLoaded", () => tn.localizeTimes(document));
})((window.tweetnow = window.tweetnow || {}));
