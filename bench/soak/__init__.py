"""``make soak``: a steady mix of traffic against the compose stack for minutes on end
(locust), with queue depths and every container's memory sampled throughout, and a
report that says whether memory kept growing after the warm-up."""
