# Docker Swarm verbs, included by the Makefile. The stack is
# deploy/swarm/stack.yml (deploy/README.md says how to deploy it).

# test-swarm uses a stack, secrets, volumes and an image tag of its own, and
# ports apart from test-compose's, so it touches nothing else on the engine.
SWARM_TEST_ENV := \
  SWARM_TEST_STACK=tweetnow-swarm-test \
  TWEETNOW_IMAGE_TAG=swarm-test \
  TWEETNOW_TEST_SWARM=1 \
  TWEETNOW_TEST_WEB_PORT=18200 \
  TWEETNOW_TEST_SANDBOX_PORT=18281 \
  TWEETNOW_TEST_PROMETHEUS_PORT=18290

.PHONY: test-swarm

test-swarm: venv ## Build the images, deploy the Swarm stack with 3 tweeters and Prometheus (single-node swarm if none), 3 tweeter targets up, 60 tweets through a rolling restart and a scale to 5
	@set -euo pipefail; export $(SWARM_TEST_ENV); \
	t=$$SECONDS; $(COMPOSE) build web tweeter mailer x-sandbox; \
	echo "test-swarm: images built in $$((SECONDS - t)) s"; \
	PYTHON=$(PY) tests/swarm/run.sh
