# Kubernetes verbs, included by the Makefile. The manifests are deploy/k8s
# (a kustomize base and overlays); deploy/README.md says how to apply them.
KUBECTL ?= kubectl

.PHONY: k8s-render test-k8s

k8s-render: ## Print the manifests of one overlay: make k8s-render overlay=dev (or production)
	@test -n "$(overlay)" || { echo "usage: make k8s-render overlay=dev|production" >&2; exit 2; }
	$(KUBECTL) kustomize deploy/k8s/overlays/$(overlay)

test-k8s: venv ## Render every deploy/k8s overlay and validate it (Kubernetes schemas, KEDA schema, our rules); no cluster needed
	@command -v $(KUBECTL) >/dev/null || { echo "test-k8s needs kubectl (for kubectl kustomize)" >&2; exit 1; }
	TWEETNOW_TEST_K8S=1 $(VENV)/bin/pytest tests/k8s -p no:cacheprovider
