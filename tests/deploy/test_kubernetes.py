"""The kustomize overlays render, validate as Kubernetes objects and stay locked down."""

from __future__ import annotations

import re

import kubernetes_validate
import pytest

from .manifests import (
    K8S,
    KUBERNETES_VERSION,
    OVERLAYS,
    SERVICES,
    by_kind,
    containers,
    one,
    render,
    render_dir,
    workloads,
)

# Custom resources of the operators the platform relies on: not in the Kubernetes schemas,
# their required fields are checked by the dedicated tests below.
CUSTOM_GROUPS = ("kafka.strimzi.io/", "postgresql.cnpg.io/")


@pytest.fixture(scope="module", params=OVERLAYS)
def overlay(request: pytest.FixtureRequest) -> tuple[str, list]:
    return request.param, render(request.param)


@pytest.fixture(scope="module")
def platform() -> list:
    return render_dir(K8S / "platform")


def _schema_errors(docs: list) -> list[str]:
    errors = []
    for doc in docs:
        if doc["apiVersion"].startswith(CUSTOM_GROUPS):
            continue
        try:
            kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            path = "/".join(str(p) for p in exc.path)
            errors.append(f"{doc['kind']}/{doc['metadata']['name']}: {path}: {exc.message}")
        except kubernetes_validate.SchemaNotFoundError as exc:
            errors.append(f"{doc['kind']}/{doc['metadata']['name']}: {exc.message}")
    return errors


def test_every_rendered_document_matches_the_kubernetes_1_30_strict_schema(overlay):
    name, docs = overlay
    assert len(docs) > 40, f"{name} rendered only {len(docs)} documents"
    assert _schema_errors(docs) == []


def test_platform_documents_match_the_kubernetes_schema(platform):
    assert _schema_errors(platform) == []
    assert (
        one(platform, "Namespace", "csa")["metadata"]["labels"]["pod-security.kubernetes.io/warn"]
        == "restricted"
    )


def test_everything_lands_in_namespace_csa(overlay):
    _, docs = overlay
    assert {d["metadata"].get("namespace") for d in docs} == {"csa"}


def test_each_service_has_deployment_service_migration_job_hpa_pdb(overlay):
    _, docs = overlay
    for svc in SERVICES:
        name = f"csa-{svc}"
        deployment = one(docs, "Deployment", name)
        assert deployment["spec"]["template"]["spec"]["containers"][0]["args"] == ["serve", svc]
        service = one(docs, "Service", name)
        assert service["spec"]["selector"] == deployment["spec"]["selector"]["matchLabels"]
        job = one(docs, "Job", f"csa-{svc}-migrate")
        assert job["spec"]["template"]["spec"]["containers"][0]["args"] == ["migrate", svc]
        assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
        hpa = one(docs, "HorizontalPodAutoscaler", name)
        assert hpa["apiVersion"] == "autoscaling/v2"
        assert hpa["spec"]["scaleTargetRef"]["name"] == name
        pdb = one(docs, "PodDisruptionBudget", name)
        assert pdb["spec"]["selector"]["matchLabels"] == service["spec"]["selector"]


def test_every_container_is_non_root_read_only_capability_free_and_sized(overlay):
    _, docs = overlay
    checked = 0
    for doc, spec in workloads(docs):
        where = f"{doc['kind']}/{doc['metadata']['name']}"
        pod_sc = spec.get("securityContext", {})
        assert pod_sc.get("runAsNonRoot") is True, where
        assert pod_sc.get("runAsUser", 0) != 0, where
        assert pod_sc.get("seccompProfile", {}).get("type") == "RuntimeDefault", where
        assert spec.get("automountServiceAccountToken") is False, where
        tmp_volumes = {v["name"] for v in spec.get("volumes", []) if "emptyDir" in v}
        for container in containers(spec):
            sc = container.get("securityContext", {})
            assert sc.get("readOnlyRootFilesystem") is True, where
            assert sc.get("allowPrivilegeEscalation") is False, where
            assert sc.get("capabilities", {}).get("drop") == ["ALL"], where
            assert not sc.get("capabilities", {}).get("add"), where
            assert sc.get("privileged") is not True, where
            resources = container.get("resources", {})
            for bound in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(resources.get(bound, {})), f"{where} {bound}"
            tmp = [m for m in container.get("volumeMounts", []) if m["mountPath"] == "/tmp"]
            assert tmp and tmp[0]["name"] in tmp_volumes, f"{where}: /tmp is not an emptyDir"
            checked += 1
    # 4 deployments + the portal's + 4 migration jobs + 3 cron jobs
    assert checked == 12


def test_every_long_running_container_has_liveness_and_readiness_probes(overlay):
    _, docs = overlay
    for deployment in by_kind(docs, "Deployment"):
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            where = deployment["metadata"]["name"]
            assert container["livenessProbe"]["httpGet"]["path"] == "/healthz", where
            assert container["readinessProbe"]["httpGet"]["path"] == "/readyz", where


def _is_secret_file_path(env: dict) -> bool:
    """``<NAME>_FILE`` pointing into a mounted Secret: a path, not a secret."""
    return env["name"].endswith("_FILE") and env["value"].startswith("/var/run/secrets/csa/")


def test_no_secret_is_committed_only_referenced(overlay):
    name, docs = overlay
    assert by_kind(docs, "Secret") == []
    referenced = set()
    for _, spec in workloads(docs):
        for container in containers(spec):
            for env in container.get("env", []):
                if "value" in env and not _is_secret_file_path(env):
                    assert not re.search(
                        r"(?i)password|secret|token|://[^/@\s]+:[^/@\s]+@", env["value"]
                    )
                ref = env.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    referenced.add(ref["name"])
        referenced |= {v["secret"]["secretName"] for v in spec.get("volumes", []) if "secret" in v}
    expected = {f"csa-{svc}-db-app" for svc in SERVICES} | {"csa-identity-secrets"}
    if name == "prod":  # the KafkaUsers' passwords and the cluster CA, both made by Strimzi
        expected |= {f"csa-{svc}" for svc in SERVICES} | {"csa-kafka-cluster-ca-cert"}
    assert referenced == expected


def _env_of(container: dict, config_maps: dict[str, dict]) -> dict[str, str]:
    """A container's environment as the kubelet assembles it (config maps, then env)."""
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        env.update(config_maps[source["configMapRef"]["name"]])
    env.update({e["name"]: e.get("value", "<from a secret>") for e in container.get("env", [])})
    return env


def _mounted_files(spec: dict, container: dict) -> set[str]:
    """The files a container sees from the Secrets mounted into it."""
    volumes = {v["name"]: v for v in spec.get("volumes", [])}
    found = set()
    for mount in container.get("volumeMounts", []):
        secret = volumes[mount["name"]].get("secret")
        for item in (secret or {}).get("items", []):
            found.add(f"{mount['mountPath']}/{item['path']}")
    return found


def test_identity_reads_every_secret_from_a_mounted_file(overlay):
    _, docs = overlay
    config_maps = {c["metadata"]["name"]: c["data"] for c in by_kind(docs, "ConfigMap")}
    spec = one(docs, "Deployment", "csa-identity")["spec"]["template"]["spec"]
    (container,) = spec["containers"]
    env = _env_of(container, config_maps)
    files = _mounted_files(spec, container)
    for variable in (
        "IDENTITY_SIGNING_KEY_FILE",
        "IDENTITY_CODE_PEPPER_FILE",
        "SMS_GATEWAY_TOKEN_FILE",
    ):
        assert env[variable] in files, variable
    assert env["SMS_GATEWAY_URL"].startswith("https://")


def test_prod_services_log_in_to_kafka_with_scram_over_tls_as_their_own_kafka_user():
    docs = render("prod")
    config_maps = {c["metadata"]["name"]: c["data"] for c in by_kind(docs, "ConfigMap")}
    users = {u["metadata"]["name"]: u for u in by_kind(docs, "KafkaUser")}
    assert set(users) == {f"csa-{svc}" for svc in SERVICES}
    for user in users.values():
        assert user["apiVersion"] == "kafka.strimzi.io/v1beta2"
        assert user["metadata"]["labels"]["strimzi.io/cluster"] == "csa-kafka"
        assert user["spec"]["authentication"] == {"type": "scram-sha-512"}
    checked = 0
    for doc, spec in workloads(docs):
        for container in spec["containers"]:
            env = _env_of(container, config_maps)
            if doc["kind"] == "Job":  # migrations reach no broker
                continue
            service = doc["metadata"]["labels"]["app.kubernetes.io/name"].removeprefix("csa-")
            if service == "portal":  # calls the services' HTTP APIs only, never the broker
                continue
            assert env["KAFKA_BOOTSTRAP_SERVERS"].endswith(":9093")
            assert env["KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"
            assert env["KAFKA_SASL_MECHANISM"] == "SCRAM-SHA-512"
            assert env["KAFKA_SASL_USERNAME"] == f"csa-{service}"
            volumes = {v["name"]: v for v in spec["volumes"]}
            assert volumes["kafka-user"]["secret"]["secretName"] == f"csa-{service}"
            files = _mounted_files(spec, container)
            assert {env["KAFKA_SASL_PASSWORD_FILE"], env["KAFKA_SSL_CA_FILE"]} <= files
            checked += 1
    assert checked == 7  # 4 deployments + 3 cron jobs


def test_dev_services_use_the_plain_listener_without_credentials():
    docs = render("dev")
    config_maps = {c["metadata"]["name"]: c["data"] for c in by_kind(docs, "ConfigMap")}
    assert by_kind(docs, "KafkaUser") == []
    for _, spec in workloads(docs):
        env = _env_of(spec["containers"][0], config_maps)
        assert env["KAFKA_BOOTSTRAP_SERVERS"].endswith(":9092")
        assert "KAFKA_SECURITY_PROTOCOL" not in env and "KAFKA_SASL_USERNAME" not in env
    for config_map in by_kind(docs, "ConfigMap"):
        for key, value in config_map.get("data", {}).items():
            assert not re.search(r"(?i)password|secret|token", key), key
            assert "PRIVATE KEY" not in value and not re.search(r"://[^/@\s]+:[^/@\s]+@", value)


def test_each_service_reads_its_own_database_url_from_its_own_secret(overlay):
    _, docs = overlay
    for svc in SERVICES:
        container = one(docs, "Deployment", f"csa-{svc}")["spec"]["template"]["spec"]["containers"][
            0
        ]
        env = {e["name"]: e for e in container["env"]}
        ref = env[f"{svc.upper()}_DATABASE_URL"]["valueFrom"]["secretKeyRef"]
        assert ref == {"name": f"csa-{svc}-db-app", "key": "uri"}


def test_config_maps_carry_the_documented_settings(overlay):
    _, docs = overlay
    data = {}
    for config_map in by_kind(docs, "ConfigMap"):
        data.update(config_map["data"])
    for key in (
        "KAFKA_BOOTSTRAP_SERVERS",
        "KAFKA_ENABLE_IDEMPOTENCE",
        "IDENTITY_URL",
        "CSA_HTTP_PORT",
        "CSA_LOG_LEVEL",
        "IDENTITY_SIGNING_KEY_FILE",
        "SMS_GATEWAY_URL",
        "BILLING_CLOSE_GRACE_DAYS",
    ):
        assert key in data, key
    assert data["KAFKA_ENABLE_IDEMPOTENCE"] == "true"
    assert data["CSA_HTTP_PORT"] == "8000"


def test_cron_jobs_close_billing_monthly_and_expire_contracts_daily(overlay):
    _, docs = overlay
    close = one(docs, "CronJob", "csa-billing-close")
    expire = one(docs, "CronJob", "csa-membership-expire")
    for cron, args in (
        (close, ["billing", "close", "--previous-month"]),
        (expire, ["membership", "expire"]),
    ):
        spec = cron["spec"]
        assert spec["concurrencyPolicy"] == "Forbid"
        assert spec["timeZone"] == "Europe/Luxembourg"
        assert spec["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["args"] == args
    assert close["spec"]["schedule"].split()[2:] == ["6", "*", "*"]
    assert expire["spec"]["schedule"].split()[2:] == ["*", "*", "*"]


def test_billing_reads_school_years_loaded_after_the_image_from_an_optional_config_map(overlay):
    _, docs = overlay
    close = one(docs, "CronJob", "csa-billing-close")["spec"]["jobTemplate"]["spec"]["template"]
    served = one(docs, "Deployment", "csa-billing")["spec"]["template"]
    settings = next(
        d
        for d in docs
        if d["kind"] == "ConfigMap" and d["metadata"]["name"].startswith("csa-billing")
    )
    where = settings["data"]["CSA_CALENDAR_DIR"]
    for pod in (close["spec"], served["spec"]):
        [volume] = [v for v in pod["volumes"] if v["name"] == "school-calendars"]
        assert volume["configMap"] == {"name": "csa-school-calendars", "optional": True}
        mounts = pod["containers"][0]["volumeMounts"]
        assert {"name": "school-calendars", "mountPath": where, "readOnly": True} in mounts


def test_network_policies_deny_by_default_and_open_only_the_needed_flows(overlay):
    _, docs = overlay
    deny = one(docs, "NetworkPolicy", "csa-default-deny")
    assert set(deny["spec"]["policyTypes"]) == {"Ingress", "Egress"}
    assert "ingress" not in deny["spec"] and "egress" not in deny["spec"]
    dns = one(docs, "NetworkPolicy", "csa-allow-dns")
    assert {p["port"] for p in dns["spec"]["egress"][0]["ports"]} == {53}
    nginx = one(docs, "NetworkPolicy", "csa-allow-ingress-controller")
    assert nginx["spec"]["ingress"][0]["ports"] == [{"protocol": "TCP", "port": 8000}]
    for svc in SERVICES:
        egress = one(docs, "NetworkPolicy", f"csa-{svc}-egress")["spec"]["egress"]
        peers = [
            peer.get("podSelector", {}).get("matchLabels", {})
            for rule in egress
            for peer in rule["to"]
        ]
        assert {"cnpg.io/cluster": f"csa-{svc}-db"} in peers
        # no service may reach another service's database
        assert not [
            p for p in peers if p.get("cnpg.io/cluster", f"csa-{svc}-db") != f"csa-{svc}-db"
        ]
        assert any(p.get("strimzi.io/cluster") == "csa-kafka" for p in peers)
        if svc != "identity":
            assert any(p.get("app.kubernetes.io/name") == "csa-identity" for p in peers)
    jwks = one(docs, "NetworkPolicy", "csa-identity-from-services")
    sources = {
        p["podSelector"]["matchLabels"]["app.kubernetes.io/name"]
        for p in jwks["spec"]["ingress"][0]["from"]
    }
    assert sources == {"csa-membership", "csa-attendance", "csa-billing"}


def test_identity_ingress_requests_luxtrust_client_certificates_and_passes_them_on(overlay):
    _, docs = overlay
    ingress = one(docs, "Ingress", "csa-identity")
    annotations = ingress["metadata"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/auth-tls-verify-client"] == "optional"
    assert annotations["nginx.ingress.kubernetes.io/auth-tls-secret"] == "csa/csa-luxtrust-ca"
    assert (
        annotations["nginx.ingress.kubernetes.io/auth-tls-pass-certificate-to-upstream"] == "true"
    )
    # ingress-nginx itself sets ssl-client-cert / ssl-client-verify (proxy_set_header, which
    # replaces a client's copy) once verify-client is not "off": no snippet may set them again.
    snippets = " ".join(v for k, v in annotations.items() if k.endswith("-snippet"))
    assert "ssl-client" not in snippets
    identity = one(docs, "Deployment", "csa-identity")
    env = {
        e["name"]: e.get("value")
        for c in identity["spec"]["template"]["spec"]["containers"]
        for e in c.get("env", [])
    }
    assert env.get("IDENTITY_CLIENT_CERT_HEADER", "ssl-client-cert") == "ssl-client-cert"
    assert env.get("IDENTITY_CLIENT_VERIFY_HEADER", "ssl-client-verify") == "ssl-client-verify"
    assert ingress["spec"]["tls"][0]["hosts"] == [ingress["spec"]["rules"][0]["host"]]
    backends = {
        path["backend"]["service"]["name"]
        for ingress in by_kind(docs, "Ingress")
        for rule in ingress["spec"]["rules"]
        for path in rule["http"]["paths"]
    }
    assert backends == {f"csa-{svc}" for svc in SERVICES} | {"csa-portal"}
    api = one(docs, "Ingress", "csa-api")
    assert not any("auth-tls" in key for key in api["metadata"].get("annotations", {}))
    assert all(i["spec"].get("tls") for i in by_kind(docs, "Ingress"))


def test_the_portal_reaches_only_the_four_apis_and_is_served_under_portal(overlay):
    _, docs = overlay
    portal = one(docs, "Deployment", "csa-portal")
    container = portal["spec"]["template"]["spec"]["containers"][0]
    assert container["command"] == ["python", "-m", "csa_portal"]
    assert "env" not in container  # no secret: the parent's tokens are its only credentials
    egress = one(docs, "NetworkPolicy", "csa-portal-egress")["spec"]["egress"]
    assert [rule["ports"] for rule in egress] == [[{"protocol": "TCP", "port": 8000}]]
    assert {p["podSelector"]["matchLabels"]["app.kubernetes.io/name"] for p in egress[0]["to"]} == {
        f"csa-{svc}" for svc in SERVICES
    }
    config = next(
        c["data"] for c in by_kind(docs, "ConfigMap") if "PORTAL_BILLING_URL" in c["data"]
    )
    assert config["PORTAL_COOKIE_SECURE"] == "true"
    ingress = one(docs, "Ingress", "csa-portal")
    assert ingress["spec"]["rules"][0]["http"]["paths"][0]["path"] == "/portal"
    for kind in ("Service", "HorizontalPodAutoscaler", "PodDisruptionBudget"):
        assert one(docs, kind, "csa-portal")


def test_the_portal_keeps_each_visitor_on_the_replica_holding_its_session(overlay):
    """Sessions live in each replica's memory (csa_portal.sessions): with two or more
    replicas, a login's SMS step must reach the replica that started it."""
    _, docs = overlay
    annotations = one(docs, "Ingress", "csa-portal")["metadata"]["annotations"]
    nginx = "nginx.ingress.kubernetes.io/"
    assert annotations[nginx + "affinity"] == "cookie"
    assert annotations[nginx + "affinity-mode"] == "persistent"
    assert annotations[nginx + "session-cookie-secure"] == "true"
    assert annotations[nginx + "session-cookie-path"] == "/portal"
    # the LuxTrust certificate, verified and passed on as on identity's host
    assert annotations[nginx + "auth-tls-verify-client"] == "optional"
    assert annotations[nginx + "auth-tls-pass-certificate-to-upstream"] == "true"
    config = next(
        c["data"] for c in by_kind(docs, "ConfigMap") if "PORTAL_BILLING_URL" in c["data"]
    )
    assert config["PORTAL_TRUST_CLIENT_CERTIFICATE"] == "true"


def test_kafka_topics_have_the_fields_strimzi_requires(overlay):
    name, docs = overlay
    topics = by_kind(docs, "KafkaTopic")
    assert sorted(t["spec"]["topicName"] for t in topics) == sorted(
        f"csa.{svc}.events" for svc in SERVICES
    )
    replicas = 3 if name == "prod" else 1
    for topic in topics:
        assert topic["apiVersion"] == "kafka.strimzi.io/v1beta2"
        assert topic["metadata"]["labels"]["strimzi.io/cluster"] == "csa-kafka"
        assert re.fullmatch(r"[a-z0-9]([-a-z0-9.]*[a-z0-9])?", topic["metadata"]["name"])
        spec = topic["spec"]
        assert isinstance(spec["partitions"], int) and spec["partitions"] >= 1
        assert spec["replicas"] == replicas
        assert spec["config"]["min.insync.replicas"] == max(1, replicas - 1)
        assert spec["config"]["min.insync.replicas"] <= spec["replicas"]
    if name == "prod":
        assert {t["spec"]["partitions"] for t in topics} == {12}


def test_prod_runs_three_replicas_with_pdb_min_available_two_and_the_release_tag():
    docs = render("prod")
    for svc in SERVICES:
        assert "replicas" not in one(docs, "Deployment", f"csa-{svc}")["spec"]  # the HPA's
        assert one(docs, "HorizontalPodAutoscaler", f"csa-{svc}")["spec"]["minReplicas"] == 3
        pdb = one(docs, "PodDisruptionBudget", f"csa-{svc}")["spec"]
        assert pdb["minAvailable"] == 2 and "maxUnavailable" not in pdb
    images = {c["image"] for _, spec in workloads(docs) for c in containers(spec)}
    assert len(images) == 1 and re.fullmatch(
        r"ghcr\.io/staark-kanner/csa:\d+\.\d+\.\d+", images.pop()
    )


def test_dev_runs_one_small_replica_with_the_dev_tag():
    docs = render("dev")
    for svc in SERVICES:
        deployment = one(docs, "Deployment", f"csa-{svc}")
        assert "replicas" not in deployment["spec"]  # the HPA's minReplicas: 1
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        assert container["image"] == "ghcr.io/staark-kanner/csa:dev"
        assert container["resources"]["requests"]["memory"] == "128Mi"
        assert one(docs, "HorizontalPodAutoscaler", f"csa-{svc}")["spec"]["minReplicas"] == 1


def test_platform_kafka_is_kraft_with_three_nodes_and_one_postgres_cluster_per_service(platform):
    kafka = one(platform, "Kafka", "csa-kafka")
    assert kafka["apiVersion"] == "kafka.strimzi.io/v1beta2"
    assert kafka["metadata"]["annotations"]["strimzi.io/kraft"] == "enabled"
    assert kafka["metadata"]["annotations"]["strimzi.io/node-pools"] == "enabled"
    listeners = kafka["spec"]["kafka"]["listeners"]
    assert all({"name", "port", "type", "tls"} <= set(listener) for listener in listeners)
    assert listeners[0]["port"] == 9092
    scram = next(listener for listener in listeners if listener["port"] == 9093)
    assert scram["tls"] is True and scram["authentication"] == {"type": "scram-sha-512"}
    assert "userOperator" in kafka["spec"]["entityOperator"]
    pool = by_kind(platform, "KafkaNodePool")[0]
    assert pool["metadata"]["labels"]["strimzi.io/cluster"] == "csa-kafka"
    assert pool["spec"]["replicas"] == 3 and set(pool["spec"]["roles"]) == {"broker", "controller"}
    assert pool["spec"]["storage"]["type"] in ("jbod", "persistent-claim")
    clusters = by_kind(platform, "Cluster")
    assert sorted(c["metadata"]["name"] for c in clusters) == sorted(
        f"csa-{s}-db" for s in SERVICES
    )
    for cluster in clusters:
        assert cluster["apiVersion"] == "postgresql.cnpg.io/v1"
        svc = cluster["metadata"]["name"].removeprefix("csa-").removesuffix("-db")
        assert cluster["spec"]["instances"] >= 1
        assert cluster["spec"]["storage"]["size"]
        assert cluster["spec"]["bootstrap"]["initdb"] == {"database": svc, "owner": svc}


def test_no_deployment_fixes_a_replica_count_beside_its_autoscaler(overlay):
    _, docs = overlay
    scaled = {h["spec"]["scaleTargetRef"]["name"] for h in by_kind(docs, "HorizontalPodAutoscaler")}
    for deployment in by_kind(docs, "Deployment"):
        assert deployment["metadata"]["name"] in scaled
        assert "replicas" not in deployment["spec"], deployment["metadata"]["name"]


def test_the_public_ingress_routes_only_the_api_not_metrics_docs_or_probes(overlay):
    _, docs = overlay
    routed = {
        (rule["host"].split(".")[0], path["path"], path["pathType"])
        for ingress in by_kind(docs, "Ingress")
        for rule in ingress["spec"]["rules"]
        for path in rule["http"]["paths"]
    }
    assert routed == {
        ("identity", "/v1", "Prefix"),
        ("identity", "/.well-known", "Prefix"),
        *((svc, "/v1", "Prefix") for svc in ("membership", "attendance", "billing")),
        ("portal", "/portal", "Prefix"),  # the parents' site itself, its probes not under it
    }


def test_agents_close_requests_run_in_a_job_not_in_an_api_pod(overlay):
    _, docs = overlay
    billing_config = one(docs, "Deployment", "csa-billing")["spec"]["template"]["spec"]
    config_maps = {c["metadata"]["name"]: c["data"] for c in by_kind(docs, "ConfigMap")}
    env = _env_of(billing_config["containers"][0], config_maps)
    assert env["BILLING_CLOSE_RUNNER"] == "job"
    pending = one(docs, "CronJob", "csa-billing-close-pending")["spec"]
    assert pending["concurrencyPolicy"] == "Forbid"
    assert pending["schedule"] == "*/5 * * * *"
    container = pending["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]
    assert container["args"] == ["billing", "close", "--pending"]
