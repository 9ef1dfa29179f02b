/* Following a background job to its end (GET /api/jobs/{id}), for any page that started one.
 * The job is polled with a growing interval (100 ms, x1.5, at most 2 s); a job waiting for
 * a retry or its time is looked at again then, but at least once a minute. */
(function (tn) {
  "use strict";

  const FINAL_STATES = new Set(["succeeded", "failed", "canceled"]);
  const FIRST_DELAY_MS = 100;
  const GROWTH = 1.5;
  const MAX_DELAY_MS = 2000;
  const MAX_WAIT_MS = 60000;
  const GIVE_UP_MS = 15 * 60 * 1000;

  function nextDelay(delay, job) {
    const grown = Math.min(delay * GROWTH, MAX_DELAY_MS);
    if (job && (job.status === "retrying" || job.status === "scheduled") && job.next_attempt_at) {
      const until = new Date(job.next_attempt_at).getTime() - Date.now();
      if (until > grown) return Math.min(until, MAX_WAIT_MS);
    }
    return grown;
  }

  /* Poll the job until it ends. options.onChange(job) hears of each new status or attempt;
   * options.wanted() returning false stops the polling quietly.
   * Resolves to "ended" (it ended, or is no longer there to read), "stopped" or "gave-up". */
  async function follow(jobId, options) {
    const onChange = options.onChange || (() => {});
    const wanted = options.wanted || (() => true);
    const started = Date.now();
    let delay = FIRST_DELAY_MS;
    let last = null;
    for (;;) {
      await tn.sleep(delay);
      if (!wanted()) return "stopped";
      let job = null;
      try {
        job = await tn.api.get("/api/jobs/" + encodeURIComponent(jobId));
      } catch (error) {
        if (error.status === 404 || error.status === 401) return "ended";
      }
      if (job) {
        if (FINAL_STATES.has(job.status)) return "ended";
        const seen = job.status + ":" + job.attempts;
        if (seen !== last) onChange(job);
        last = seen;
      }
      if (Date.now() - started > GIVE_UP_MS) return "gave-up";
      delay = nextDelay(delay, job);
    }
  }

  tn.jobs = { follow: follow, FINAL_STATES: FINAL_STATES };
})(window.tweetnow);
