"""deploy/k8s: every manifest is valid Kubernetes, and the pieces fit together.

Validation uses the kubernetes_validate package's bundled schemas (offline),
strict, so an unknown or misspelt field fails. The rest checks the wiring that
a schema cannot see: probes, limits, migrations, Services, Secret and ConfigMap
references, the autoscaler and the ingress.
"""

from __future__ import annotations

import copy
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

KUBERNETES_VERSION = "1.30"
NAMESPACE = "culture-ops"
# Not applied by kustomize on purpose: see the comment at the top of the file.
SECRET_EXAMPLE = "secret.example.yaml"


def validate(doc: dict[str, Any]) -> None:
    kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def objects_of(k8s_objects, kind: str) -> dict[str, dict[str, Any]]:
    return {doc["metadata"]["name"]: doc for _, doc in k8s_objects if doc.get("kind") == kind}


def pod_spec(deployment: dict[str, Any]) -> dict[str, Any]:
    return deployment["spec"]["template"]["spec"]


def all_containers(deployment: dict[str, Any]) -> Iterator[dict[str, Any]]:
    spec = pod_spec(deployment)
    yield from spec.get("initContainers", [])
    yield from spec["containers"]


def main_container(deployment: dict[str, Any]) -> dict[str, Any]:
    (container,) = pod_spec(deployment)["containers"]
    return container


def container_port(container: dict[str, Any], port: int | str) -> int:
    for declared in container.get("ports", []):
        if port in (declared["containerPort"], declared.get("name")):
            return declared["containerPort"]
    raise AssertionError(f"port {port!r} is not declared by container {container['name']}")


def env_refs(container: dict[str, Any]) -> dict[str, tuple[str, str, str]]:
    """NAME -> (kind, object name, key) for every env var taken from a ConfigMap or Secret."""
    refs = {}
    for var in container.get("env", []):
        source = var.get("valueFrom", {})
        for kind, field in (
            ("ConfigMap", "configMapKeyRef"),
            ("Secret", "secretKeyRef"),
        ):
            if field in source:
                refs[var["name"]] = (kind, source[field]["name"], source[field]["key"])
    return refs


@pytest.fixture(scope="module")
def kustomization(k8s_dir: Path) -> dict[str, Any]:
    with (k8s_dir / "kustomization.yaml").open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@pytest.fixture(scope="module")
def config_data(k8s_objects) -> dict[str, dict[str, str]]:
    data: dict[str, dict[str, str]] = {}
    for name, doc in objects_of(k8s_objects, "ConfigMap").items():
        data[("ConfigMap", name)] = doc.get("data", {})
    for name, doc in objects_of(k8s_objects, "Secret").items():
        data[("Secret", name)] = {**doc.get("data", {}), **doc.get("stringData", {})}
    return data


# --- schema validation --------------------------------------------------------


def test_manifest_is_valid_kubernetes(k8s_object):
    path, doc = k8s_object
    try:
        validate(doc)
    except kubernetes_validate.SchemaNotFoundError as exc:
        pytest.fail(f"{path.name}: {exc.message}")
    except kubernetes_validate.ValidationError as exc:
        where = ".".join(str(p) for p in exc.path)
        pytest.fail(f"{path.name}: {doc['kind']}/{doc['metadata']['name']}: {where}: {exc.message}")


def _gateway_deployment(k8s_objects) -> dict[str, Any]:
    return copy.deepcopy(objects_of(k8s_objects, "Deployment")["gateway"])


@pytest.mark.parametrize(
    "breakage, error",
    [
        pytest.param(
            lambda d: main_container(d).update(livenesProbe={"httpGet": {"path": "/healthz", "port": 8000}}),
            kubernetes_validate.ValidationError,
            id="misspelt-field",
        ),
        pytest.param(
            lambda d: main_container(d)["ports"][0].update(containerPort="8000"),
            kubernetes_validate.ValidationError,
            id="port-as-string",
        ),
        pytest.param(
            lambda d: d["spec"].pop("selector"),
            kubernetes_validate.ValidationError,
            id="missing-selector",
        ),
        pytest.param(
            lambda d: d.update(apiVersion="extensions/v1beta1"),
            kubernetes_validate.SchemaNotFoundError,
            id="removed-api-version",
        ),
    ],
)
def test_validation_rejects_a_broken_deployment(k8s_objects, breakage, error):
    """The validation above can fail: a good Deployment, broken once, is refused."""
    deployment = _gateway_deployment(k8s_objects)
    validate(deployment)
    breakage(deployment)
    with pytest.raises(error):
        validate(deployment)


# --- kustomize ----------------------------------------------------------------


def test_kustomization_applies_every_manifest_but_the_secret_example(kustomization, k8s_dir):
    assert kustomization["apiVersion"] == "kustomize.config.k8s.io/v1beta1"
    assert kustomization["kind"] == "Kustomization"
    assert kustomization["namespace"] == NAMESPACE
    listed = kustomization["resources"]
    assert len(listed) == len(set(listed)), "a resource is listed twice"
    for resource in listed:
        assert (k8s_dir / resource).is_file(), f"{resource} is listed but missing"
    on_disk = {
        p.relative_to(k8s_dir).as_posix()
        for p in k8s_dir.rglob("*")
        if p.suffix in {".yaml", ".yml"} and p.name != "kustomization.yaml"
    }
    assert set(listed) == on_disk - {SECRET_EXAMPLE}
    assert SECRET_EXAMPLE in on_disk


def test_kustomization_images_are_the_images_deployed(kustomization, k8s_objects):
    deployed = {
        container["image"].rsplit(":", 1)[0]
        for deployment in objects_of(k8s_objects, "Deployment").values()
        for container in all_containers(deployment)
        if container["image"].startswith("culture-ops/")
    }
    assert {image["name"] for image in kustomization["images"]} == deployed


def test_every_object_is_in_the_namespace(k8s_objects):
    for path, doc in k8s_objects:
        if doc["kind"] in {"Namespace", "Kustomization"}:
            continue
        assert doc["metadata"].get("namespace") == NAMESPACE, f"{path.name}: {doc['kind']}/{doc['metadata']['name']}"
    (namespace,) = objects_of(k8s_objects, "Namespace").values()
    assert namespace["metadata"]["name"] == NAMESPACE
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"


@pytest.mark.skipif(
    not (shutil.which("kustomize") or shutil.which("kubectl")),
    reason="neither kustomize nor kubectl installed",
)
def test_kustomize_build_renders_valid_objects(k8s_dir):
    command = ["kustomize", "build"] if shutil.which("kustomize") else ["kubectl", "kustomize"]
    result = subprocess.run(
        [*command, str(k8s_dir)],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    rendered = [doc for doc in yaml.safe_load_all(result.stdout) if doc]
    assert {doc["kind"] for doc in rendered} >= {
        "Deployment",
        "Service",
        "HorizontalPodAutoscaler",
        "Ingress",
    }
    for doc in rendered:
        validate(doc)
        assert doc["metadata"]["labels"]["app.kubernetes.io/part-of"] == "culture-ops"


# --- Secret and ConfigMap -----------------------------------------------------


def test_secret_values_are_only_placeholders(k8s_objects):
    secrets = objects_of(k8s_objects, "Secret")
    assert secrets
    for name, secret in secrets.items():
        assert "data" not in secret, "use stringData so placeholders stay readable"
        for key, value in secret["stringData"].items():
            assert "REPLACE_ME" in value, f"Secret {name} key {key} holds something that is not a placeholder"


def test_every_env_reference_names_an_existing_key(k8s_objects, config_data):
    for name, deployment in objects_of(k8s_objects, "Deployment").items():
        for container in all_containers(deployment):
            for var, (kind, obj, key) in env_refs(container).items():
                assert (kind, obj) in config_data, f"{name}/{container['name']} {var}: no {kind} {obj}"
                assert key in config_data[(kind, obj)], f"{name}/{container['name']} {var}: {kind} {obj} has no {key}"


def test_config_urls_point_at_services_and_their_ports(k8s_objects):
    services = objects_of(k8s_objects, "Service")
    (config,) = objects_of(k8s_objects, "ConfigMap").values()
    urls = {k: v for k, v in config["data"].items() if k.endswith("-url")}
    assert urls
    for key, url in urls.items():
        match = re.fullmatch(r"(?P<scheme>https?|redis)://(?P<host>[a-z0-9-]+):(?P<port>\d+)(/\d*)?", url)
        assert match, f"{key}: {url}"
        service = services.get(match["host"])
        assert service, f"{key}: no Service {match['host']}"
        assert int(match["port"]) in [p["port"] for p in service["spec"]["ports"]], f"{key}: {url}"


# --- Deployments --------------------------------------------------------------


def test_every_deployment_has_readiness_liveness_and_resource_limits(k8s_objects):
    deployments = objects_of(k8s_objects, "Deployment")
    assert deployments
    for name, deployment in deployments.items():
        for container in pod_spec(deployment)["containers"]:
            assert "readinessProbe" in container, f"{name}/{container['name']} has no readinessProbe"
            assert "livenessProbe" in container, f"{name}/{container['name']} has no livenessProbe"
        for container in all_containers(deployment):
            resources = container.get("resources", {})
            for section in ("requests", "limits"):
                for resource in ("cpu", "memory"):
                    assert resource in resources.get(section, {}), (
                        f"{name}/{container['name']} has no {section}.{resource}"
                    )


def test_component_probes_ask_readyz_and_healthz_on_the_served_port(component, k8s_objects):
    deployment = objects_of(k8s_objects, "Deployment")[component.name]
    container = main_container(deployment)
    assert container["command"] == [
        "python",
        "-m",
        component.module,
        "serve",
        "--host",
        "0.0.0.0",
        "--port",
        str(component.port),
    ]
    for probe, path in (
        ("readinessProbe", "/readyz"),
        ("livenessProbe", "/healthz"),
        ("startupProbe", "/healthz"),
    ):
        http_get = container[probe]["httpGet"]
        assert http_get["path"] == path, probe
        assert container_port(container, http_get["port"]) == component.port, probe
    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/path"] == "/metrics"
    assert int(annotations["prometheus.io/port"]) == component.port


def test_component_migrates_in_an_init_container_before_serving(component, k8s_objects):
    deployment = objects_of(k8s_objects, "Deployment")[component.name]
    (migrate,) = pod_spec(deployment)["initContainers"]
    server = main_container(deployment)
    assert migrate["command"] == ["python", "-m", component.module, "migrate"]
    assert migrate["image"] == server["image"], "migrations must come from the image that serves"
    assert migrate["env"] == server["env"], "migrations must see the same settings"


def test_component_settings_use_its_prefix_and_the_shared_jwt_secret(component, k8s_objects):
    container = main_container(objects_of(k8s_objects, "Deployment")[component.name])
    refs = env_refs(container)
    for var in (v["name"] for v in container["env"]):
        assert var.startswith(f"{component.prefix}_"), var
    assert refs[f"{component.prefix}_JWT_SECRET"] == (
        "Secret",
        "culture-ops-secrets",
        "jwt-secret",
    )
    assert refs[f"{component.prefix}_DATABASE_URL"] == (
        "Secret",
        "culture-ops-secrets",
        f"{component.database}-database-url",
    )
    for setting in ("ENVIRONMENT", "LOG_LEVEL"):
        assert refs[f"{component.prefix}_{setting}"][0] == "ConfigMap"
    for callee in component.calls:
        assert refs[f"{component.prefix}_{callee}_URL"] == (
            "ConfigMap",
            "culture-ops-config",
            f"{callee.lower()}-url",
        )


def test_database_url_placeholders_name_the_right_database_and_role(component, config_data):
    url = config_data[("Secret", "culture-ops-secrets")][f"{component.database}-database-url"]
    match = re.fullmatch(r"postgresql\+asyncpg://(?P<user>\w+):[^@]+@[^/]+:5432/(?P<database>\w+)", url)
    assert match, url
    assert match["user"] == match["database"] == component.database


def test_component_has_a_service_on_its_port(component, k8s_objects):
    deployment = objects_of(k8s_objects, "Deployment")[component.name]
    service = objects_of(k8s_objects, "Service")[component.name]
    (port,) = service["spec"]["ports"]
    assert port["port"] == component.port
    assert container_port(main_container(deployment), port["targetPort"]) == component.port


def test_every_service_selects_exactly_one_deployment(k8s_objects):
    deployments = objects_of(k8s_objects, "Deployment")
    for name, service in objects_of(k8s_objects, "Service").items():
        selector = service["spec"]["selector"].items()
        matching = [d for d in deployments.values() if selector <= d["spec"]["template"]["metadata"]["labels"].items()]
        assert len(matching) == 1, f"Service {name} selects {len(matching)} Deployments"
        for port in service["spec"]["ports"]:
            container_port(main_container(matching[0]), port["targetPort"])


def test_deployment_selector_matches_its_pods(k8s_objects):
    for name, deployment in objects_of(k8s_objects, "Deployment").items():
        selector = deployment["spec"]["selector"]["matchLabels"].items()
        assert selector <= deployment["spec"]["template"]["metadata"]["labels"].items(), name


def test_pods_meet_the_restricted_pod_security_standard(k8s_objects):
    for name, deployment in objects_of(k8s_objects, "Deployment").items():
        spec = pod_spec(deployment)
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        assert spec["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault", name
        # Service links inject <SERVICE>_PORT=tcp://... variables that collide
        # with the FACILITIES_/GATEWAY_ settings prefixes.
        assert spec["enableServiceLinks"] is False, name
        assert spec["automountServiceAccountToken"] is False, name
        for container in all_containers(deployment):
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False, f"{name}/{container['name']}"
            assert context["capabilities"]["drop"] == ["ALL"], f"{name}/{container['name']}"
            assert context["readOnlyRootFilesystem"] is True, f"{name}/{container['name']}"


# --- the gateway: replicas, autoscaling, ingress ------------------------------


def test_gateway_runs_at_least_two_replicas_under_its_autoscaler(k8s_objects):
    deployment = objects_of(k8s_objects, "Deployment")["gateway"]
    hpa = objects_of(k8s_objects, "HorizontalPodAutoscaler")["gateway"]
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "gateway",
    }
    assert hpa["spec"]["minReplicas"] == 2
    assert hpa["spec"]["maxReplicas"] > hpa["spec"]["minReplicas"]
    # The autoscaler owns the count; a spec.replicas here would be re-applied
    # on every deploy and scale a busy gateway back down.
    assert "replicas" not in deployment["spec"]
    (metric,) = hpa["spec"]["metrics"]
    assert metric["resource"]["name"] == "cpu"
    assert "cpu" in main_container(deployment)["resources"]["requests"], "CPU utilisation needs a CPU request"
    pdb = objects_of(k8s_objects, "PodDisruptionBudget")["gateway"]
    assert pdb["spec"]["minAvailable"] == 1


def test_gateway_behind_the_ingress_takes_client_addresses_from_it(k8s_objects, config_data):
    refs = env_refs(main_container(objects_of(k8s_objects, "Deployment")["gateway"]))
    kind, name, key = refs["GATEWAY_TRUST_FORWARDED"]
    assert config_data[(kind, name)][key] == "true", "rate limits would count the ingress, not clients"


def test_jwt_secret_placeholder_is_refused_in_production(config_data):
    from pydantic import ValidationError

    from service_kit.settings import BaseServiceSettings

    placeholder = config_data[("Secret", "culture-ops-secrets")]["jwt-secret"]
    with pytest.raises(ValidationError, match="JWT secret"):
        BaseServiceSettings(
            environment="production",
            jwt_secret=placeholder,
            database_url="postgresql+asyncpg://u:p@db:5432/d",
        )


def test_gateway_reaches_redis_for_shared_rate_limits(k8s_objects, config_data):
    refs = env_refs(main_container(objects_of(k8s_objects, "Deployment")["gateway"]))
    kind, name, key = refs["GATEWAY_REDIS_URL"]
    assert config_data[(kind, name)][key].startswith("redis://")
    policy = objects_of(k8s_objects, "NetworkPolicy")["redis"]
    (rule,) = policy["spec"]["ingress"]
    assert rule["from"] == [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "gateway"}}}]


def test_ingress_sends_everything_to_the_gateway_service(k8s_objects):
    (ingress,) = objects_of(k8s_objects, "Ingress").values()
    service = objects_of(k8s_objects, "Service")["gateway"]
    port_names = {p.get("name") for p in service["spec"]["ports"]} | {p["port"] for p in service["spec"]["ports"]}
    (rule,) = ingress["spec"]["rules"]
    (path,) = rule["http"]["paths"]
    assert path["path"] == "/" and path["pathType"] == "Prefix"
    backend = path["backend"]["service"]
    assert backend["name"] == "gateway"
    assert backend["port"].get("name", backend["port"].get("number")) in port_names
    assert ingress["spec"]["tls"][0]["hosts"] == [rule["host"]]


def test_api_services_keep_two_replicas_and_a_disruption_budget(components, k8s_objects):
    # The gateway's count belongs to its autoscaler (test above).
    for component in components:
        deployment = objects_of(k8s_objects, "Deployment")[component.name]
        assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0, component.name
        assert objects_of(k8s_objects, "PodDisruptionBudget")[component.name]["spec"]["minAvailable"] == 1
        # Every component's count belongs to its autoscaler: a spec.replicas would be re-applied on
        # every deploy and scale a busy service back down.
        assert "replicas" not in deployment["spec"], component.name
        hpa = objects_of(k8s_objects, "HorizontalPodAutoscaler")[component.name]
        assert hpa["spec"]["scaleTargetRef"]["name"] == component.name
        assert hpa["spec"]["minReplicas"] >= 2, component.name
        assert hpa["spec"]["maxReplicas"] > hpa["spec"]["minReplicas"], component.name
        assert "cpu" in main_container(deployment)["resources"]["requests"], component.name


# --- database connections ------------------------------------------------------

# PostgreSQL's default max_connections (the four databases share one server), and what the pods may
# not take of it: its superuser_reserved_connections (3), one migrator per component (its init
# container holds one connection, with the advisory lock), and a few for an operator's psql, backups
# and monitoring.
POSTGRES_MAX_CONNECTIONS = 100
KEPT_FOR_OTHERS = 3 + 4 + 5


def test_every_pod_at_full_scale_fits_the_connection_budget(components, k8s_objects):
    """Pods × (pool + overflow), with the autoscaler at its maximum and a rollout's surge pod, fits
    PostgreSQL's max_connections with room for migrations and administration."""
    from service_kit.settings import BaseServiceSettings

    defaults = BaseServiceSettings.model_fields
    autoscaled = {
        hpa["spec"]["scaleTargetRef"]["name"]: hpa
        for hpa in objects_of(k8s_objects, "HorizontalPodAutoscaler").values()
    }
    total = 0
    for component in components:
        deployment = objects_of(k8s_objects, "Deployment")[component.name]
        env = {var["name"]: var.get("value") for var in main_container(deployment)["env"]}
        pool = int(env.get(f"{component.prefix}_DB_POOL_SIZE") or defaults["db_pool_size"].default)
        overflow = int(env.get(f"{component.prefix}_DB_MAX_OVERFLOW") or defaults["db_max_overflow"].default)
        hpa = autoscaled.get(component.name)
        replicas = hpa["spec"]["maxReplicas"] if hpa else deployment["spec"]["replicas"]
        pods = replicas + int(deployment["spec"]["strategy"]["rollingUpdate"]["maxSurge"])
        total += pods * (pool + overflow)
    assert total + KEPT_FOR_OTHERS <= POSTGRES_MAX_CONNECTIONS, total


# --- network policies ------------------------------------------------------------

PRIVATE_RANGES = {"10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16"}


def _pod_names(peers: list[dict[str, Any]]) -> set[str]:
    return {
        peer["podSelector"]["matchLabels"]["app.kubernetes.io/name"]
        for peer in peers
        if "podSelector" in peer and "namespaceSelector" not in peer
    }


def _calls_by_settings(component, k8s_objects, config_data) -> dict[str, int]:
    """The components this one's *_URL settings name, with the container port each call reaches."""
    deployments = objects_of(k8s_objects, "Deployment")
    services = objects_of(k8s_objects, "Service")
    calls = {}
    for var, (kind, obj, key) in env_refs(main_container(deployments[component.name])).items():
        url = config_data[(kind, obj)][key]
        match = re.fullmatch(r"https?://(?P<host>[a-z0-9-]+):(?P<port>\d+)(/.*)?", url)
        if not var.endswith("_URL") or not match or match["host"] not in deployments:
            continue
        (port,) = [p for p in services[match["host"]]["spec"]["ports"] if p["port"] == int(match["port"])]
        calls[match["host"]] = container_port(main_container(deployments[match["host"]]), port["targetPort"])
    return calls


def test_every_pod_is_denied_everything_by_default(k8s_objects):
    deny = [
        p
        for p in objects_of(k8s_objects, "NetworkPolicy").values()
        if p["spec"]["podSelector"] == {} and set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"}
    ]
    assert len(deny) == 1
    assert "ingress" not in deny[0]["spec"] and "egress" not in deny[0]["spec"]


def test_no_policy_lets_anyone_in(k8s_objects):
    """An ingress rule without `from` would let every pod of the cluster in."""
    for name, policy in objects_of(k8s_objects, "NetworkPolicy").items():
        for rule in policy["spec"].get("ingress", []):
            assert rule.get("from"), name


def test_each_call_the_settings_make_is_allowed_at_both_ends_and_no_other(components, k8s_objects, config_data):
    policies = objects_of(k8s_objects, "NetworkPolicy")
    for component in components:
        calls = _calls_by_settings(component, k8s_objects, config_data)
        assert calls, component.name
        policy = policies[component.name]
        assert policy["spec"]["podSelector"] == {"matchLabels": {"app.kubernetes.io/name": component.name}}
        allowed_out = {
            (target, port["port"])
            for rule in policy["spec"]["egress"]
            for target in _pod_names(rule.get("to", []))
            for port in rule["ports"]
        }
        in_namespace = {target for target, _ in allowed_out} - {"redis", "otel-collector"}
        assert in_namespace == set(calls), component.name  # exactly the calls the settings make
        for target, port in calls.items():
            assert (target, port) in allowed_out, f"{component.name} -> {target}:{port}"
            allowed_in = {
                (source, p["port"])
                for rule in policies[target]["spec"]["ingress"]
                for source in _pod_names(rule["from"])
                for p in rule["ports"]
            }
            assert (component.name, port) in allowed_in, f"{target} does not let {component.name} in"


def test_only_the_ingress_controller_reaches_the_gateway_from_outside(k8s_objects):
    outside = {
        peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]
        for name, policy in objects_of(k8s_objects, "NetworkPolicy").items()
        for rule in policy["spec"].get("ingress", [])
        for peer in rule["from"]
        if "namespaceSelector" in peer and name != "gateway"
    }
    assert outside <= {"monitoring"}  # services are scraped, never called, from outside the namespace
    gateway = objects_of(k8s_objects, "NetworkPolicy")["gateway"]
    assert any(
        peer.get("namespaceSelector", {}).get("matchLabels", {}).get("kubernetes.io/metadata.name") == "ingress-nginx"
        for rule in gateway["spec"]["ingress"]
        for peer in rule["from"]
    )


def test_webhook_deliveries_may_leave_for_public_addresses_only(components, k8s_objects):
    for component in components:
        policy = objects_of(k8s_objects, "NetworkPolicy")[component.name]
        blocks = [
            peer["ipBlock"] for rule in policy["spec"]["egress"] for peer in rule.get("to", []) if "ipBlock" in peer
        ]
        assert blocks, component.name
        for block in blocks:
            assert PRIVATE_RANGES <= set(block.get("except", [])), component.name
