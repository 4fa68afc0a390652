"""The 90/10 traffic split as a Gateway API HTTPRoute for mesh traffic (GAMMA): one resource that
every mesh supporting GAMMA accepts, so a team that chose the standard writes the same lines
whichever of them it runs. Read in Istio's traffic-shifting task (its Gateway API tab)."""

from __future__ import annotations

TRAFFIC_SPLIT_HTTPROUTE = """\
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: reviews
spec:
  parentRefs:
  - group: ""
    kind: Service
    name: reviews
    port: 9080
  rules:
  - backendRefs:
    - name: reviews-v1
      port: 9080
      weight: 90
    - name: reviews-v2
      port: 9080
      weight: 10
"""
TRAFFIC_SPLIT_HTTPROUTE_SOURCE = (
    "https://istio.io/latest/docs/tasks/traffic-management/traffic-shifting/"
)


def config_lines(yaml: str) -> int:
    """Non-empty, non-comment lines: what an operator actually has to write."""
    return sum(
        1
        for line in yaml.splitlines()
        if line.strip() and not line.strip().startswith("#") and line.strip() != "---"
    )


TRAFFIC_SPLIT_HTTPROUTE_LINES = config_lines(TRAFFIC_SPLIT_HTTPROUTE)
