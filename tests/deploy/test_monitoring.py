"""The optional monitoring kustomization: a PodMonitor and the alert rules, whose every metric
and label exists in the services' metrics (a renamed metric would silence an alert)."""

from __future__ import annotations

import re

import pytest
from prometheus_client.metrics import MetricWrapperBase

from csa_shared.observability import metrics

from .manifests import K8S, by_kind, one, render_dir

SUFFIXES = ("_total", "_bucket", "_count", "_sum")


@pytest.fixture(scope="module")
def monitoring() -> list:
    return render_dir(K8S / "monitoring")


def _labels_by_metric() -> dict[str, set[str]]:
    """Every csa_* metric of the services, as PromQL names it, with its label names."""
    known: dict[str, set[str]] = {}
    for value in vars(metrics).values():
        if isinstance(value, MetricWrapperBase):
            labels = set(value._labelnames)
            known[value._name] = labels
            for suffix in SUFFIXES:
                known[value._name + suffix] = labels | ({"le"} if suffix == "_bucket" else set())
    return known


def _rules(monitoring: list) -> list[dict]:
    rule = one(monitoring, "PrometheusRule", "csa-alerts")
    return [r for group in rule["spec"]["groups"] for r in group["rules"]]


def test_every_alert_names_metrics_and_labels_the_services_export(monitoring) -> None:
    known = _labels_by_metric()
    rules = _rules(monitoring)
    assert len(rules) >= 8
    for rule in rules:
        expr = rule["expr"]
        used = set(re.findall(r"\bcsa_[a-z_]+\b", expr))
        assert used, rule["alert"]
        unknown = used - known.keys()
        assert not unknown, f"{rule['alert']}: no such metric {unknown}"
        available = set.union(*(known[name] for name in used))
        for grouping in re.findall(r"\bby \(([^)]*)\)", expr):
            labels = {label.strip() for label in grouping.split(",")}
            assert labels <= available, f"{rule['alert']}: {labels - available} not labels"
        for label in re.findall(r"\{\{ \$labels\.(\w+) \}\}", str(rule["annotations"])):
            assert label in available, f"{rule['alert']}: annotation uses {label}"


def test_the_issue_s_signals_each_have_an_alert_with_severity_and_summary(monitoring) -> None:
    rules = _rules(monitoring)
    exprs = " ".join(rule["expr"] for rule in rules)
    for signal in (
        "csa_consumer_lag_messages",
        "csa_outbox_backlog_events",
        "csa_outbox_oldest_age_seconds",
        "csa_billing_close_seconds",
        "csa_db_pool_connections_in_use",
        "csa_notification_failures_total",
    ):
        assert signal in exprs, signal
    for rule in rules:
        assert rule["alert"].startswith("Csa")
        assert rule["labels"]["severity"] in ("warning", "critical")
        assert rule["annotations"]["summary"]


def test_the_pod_monitor_scrapes_the_api_pods_port_the_prometheus_policy_opens(monitoring):
    (monitor,) = by_kind(monitoring, "PodMonitor")
    assert monitor["metadata"]["namespace"] == "csa"
    assert monitor["spec"]["selector"]["matchLabels"]["app.kubernetes.io/component"] == "api"
    (endpoint,) = monitor["spec"]["podMetricsEndpoints"]
    assert (endpoint["port"], endpoint["path"]) == ("http", "/metrics")
