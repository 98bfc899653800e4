"""CloudNativePG backups of the production platform and the point-in-time recovery example."""

from __future__ import annotations

import pytest
import yaml

from .manifests import K8S, SERVICES, by_kind, one, render_dir


@pytest.fixture(scope="module")
def platform_prod() -> list:
    return render_dir(K8S / "platform-prod")


def test_every_database_archives_wal_and_base_backups_kept_thirty_days(platform_prod) -> None:
    clusters = by_kind(platform_prod, "Cluster")
    assert sorted(c["metadata"]["name"] for c in clusters) == sorted(
        f"csa-{s}-db" for s in SERVICES
    )
    for cluster in clusters:
        backup = cluster["spec"]["backup"]
        assert backup["retentionPolicy"] == "30d"
        store = backup["barmanObjectStore"]
        assert store["destinationPath"].startswith("s3://")
        credentials = store["s3Credentials"]
        assert {credentials[k]["name"] for k in ("accessKeyId", "secretAccessKey")} == {
            "csa-backup-s3"
        }
    assert by_kind(platform_prod, "Secret") == []  # credentials are created, never committed


def test_each_cluster_gets_a_nightly_base_backup(platform_prod) -> None:
    for service in SERVICES:
        scheduled = one(platform_prod, "ScheduledBackup", f"csa-{service}-db-daily")
        assert scheduled["apiVersion"] == "postgresql.cnpg.io/v1"
        assert scheduled["spec"]["cluster"]["name"] == f"csa-{service}-db"
        seconds, _minute, hour, *rest = scheduled["spec"]["schedule"].split()
        assert (seconds, hour, rest) == ("0", "2", ["*", "*", "*"])  # six fields, daily
        assert scheduled["metadata"]["namespace"] == "csa"


def test_the_plain_platform_stays_without_backups_for_development() -> None:
    for cluster in by_kind(render_dir(K8S / "platform"), "Cluster"):
        assert "backup" not in cluster["spec"]


def test_the_recovery_example_replays_the_backed_up_cluster_to_a_point_in_time(
    platform_prod,
) -> None:
    (recovery,) = yaml.safe_load_all((K8S / "platform" / "recovery-example.yaml").read_text())
    spec = recovery["spec"]
    source = spec["bootstrap"]["recovery"]["source"]
    assert spec["bootstrap"]["recovery"]["recoveryTarget"]["targetTime"]
    (external,) = [c for c in spec["externalClusters"] if c["name"] == source]
    original = one(platform_prod, "Cluster", source)["spec"]
    archived = original["backup"]["barmanObjectStore"]
    assert external["barmanObjectStore"]["destinationPath"] == archived["destinationPath"]
    assert external["barmanObjectStore"]["serverName"] == source
    assert spec["bootstrap"]["recovery"]["database"] == original["bootstrap"]["initdb"]["database"]
    assert recovery["metadata"]["name"] != source  # a new cluster, the damaged one untouched
