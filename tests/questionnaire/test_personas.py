"""Realistic teams, each answered through the JSON API and through the wizard's forms.

Every persona names the verdict an experienced platform engineer would give, the meshes that
must and must not be in the top 3, and one line of rationale with the source it rests on.
"""

import json
from dataclasses import dataclass, field

import pytest
from django.urls import reverse

API = "/api/recommend"


@dataclass(frozen=True)
class Persona:
    name: str
    answers: dict
    verdict: str
    in_top3: tuple[str, ...]
    not_in_top3: tuple[str, ...]
    rationale: str
    source: str
    excluded: dict[str, str] = field(default_factory=dict)  # slug -> start of its reason


PERSONAS = [
    Persona(
        "8 services, one Java stack, Kafka, no Kubernetes, VMs",
        {
            "services": "few",
            "tech_diversity": "low",
            "communication": "async",
            "kubernetes": False,
            "outside_kubernetes": ["vms_on_prem"],
            "cloud": "on_prem",
        },
        "not_worth_it",
        ("consul", "kuma", "kong-mesh"),
        ("google-cloud-service-mesh", "istio-sidecar", "linkerd"),
        "Without Kubernetes only meshes whose control plane runs on VMs qualify: Consul and Kuma "
        "(Universal mode) and Kong Mesh; Istio and Linkerd need a cluster.",
        "https://kuma.io/docs/latest/introduction/how-kuma-works/",
        {
            "istio-sidecar": "Needs a Kubernetes cluster",
            "linkerd": "Needs a Kubernetes cluster",
            "google-cloud-service-mesh": "Outside Kubernetes it supports only Cloud VMs",
        },
    ),
    Persona(
        "60 services on EKS, small team without Envoy experience, low complexity tolerance",
        {
            "services": "many",
            "tech_diversity": "high",
            "needs": ["mtls"],
            "cloud": "aws",
            "experience": [],
            "complexity_tolerance": "low",
        },
        "worth_it",
        ("linkerd",),
        ("google-cloud-service-mesh", "kuma", "kong-mesh"),
        "Linkerd is the low-operations choice on any Kubernetes: mTLS on by default and the "
        "shortest 90/10 split; Google's managed mesh does not serve EKS clusters.",
        "https://linkerd.io/2-edge/tasks/traffic-shifting/",
        {"google-cloud-service-mesh": "Works only with Google Cloud, and you run on AWS."},
    ),
    Persona(
        "200 services on GKE plus on-premises VMs",
        {
            "services": "many",
            "needs": ["mtls", "tracing"],
            "outside_kubernetes": ["vms_on_prem"],
            "cloud": "gcp",
            "experience": ["istio", "envoy"],
            "support": "required",
        },
        "worth_it",
        ("istio-sidecar",),
        ("google-cloud-service-mesh", "istio-ambient", "cilium"),
        "Istio's VM expansion brings on-premises VMs into a cluster-run mesh; Cloud Service Mesh "
        "supports only Compute Engine VMs, ambient mode has no VM support.",
        "https://istio.io/latest/docs/ops/deployment/vm-architecture/",
        {
            "google-cloud-service-mesh": "Outside Kubernetes it supports only Cloud VMs",
            "istio-ambient": "Runs only on Kubernetes",
        },
    ),
    Persona(
        "25 services on AKS, open source and CNCF graduated only",
        {
            "services": "many",
            "needs": ["mtls"],
            "cloud": "azure",
            "open_source_only": True,
            "cncf_graduated_only": True,
        },
        "worth_it",
        ("istio-sidecar", "linkerd"),
        ("google-cloud-service-mesh", "consul", "kuma", "kong-mesh", "solo-enterprise-for-istio"),
        "Only Istio, Linkerd and Cilium are CNCF graduated; AKS offers Istio as a managed "
        "add-on, so it leads on Azure.",
        "https://learn.microsoft.com/en-us/azure/aks/istio-about",
        {
            "consul": "Licence BUSL-1.1 is not OSI open source",
            "kuma": "CNCF sandbox",
            "google-cloud-service-mesh": "Works only with Google Cloud",
        },
    ),
    Persona(
        "15 services on ECS Fargate, no Kubernetes, one stack",
        {
            "services": "many",
            "tech_diversity": "low",
            "kubernetes": False,
            "needs": ["mtls"],
            "outside_kubernetes": ["ecs"],
            "cloud": "aws",
        },
        "consider",
        ("consul", "kong-mesh"),
        ("kuma", "istio-sidecar", "aws-app-mesh"),
        "On ECS only Consul and Kong Mesh run a mesh (App Mesh reached end of life); ECS "
        "Service Connect is the AWS-native alternative.",
        "https://developer.hashicorp.com/consul/docs/ecs/tech-specs",
        {
            "kuma": "Outside Kubernetes it supports only",
            "aws-app-mesh": "Discontinued (End of life 2026-09-30)",
        },
    ),
    Persona(
        "150 services on GKE, Istio know-how, support welcome",
        {
            "services": "many",
            "needs": ["mtls", "routing"],
            "cloud": "gcp",
            "experience": ["istio"],
            "complexity_tolerance": "high",
        },
        "worth_it",
        ("google-cloud-service-mesh", "istio-sidecar"),
        ("aws-app-mesh", "open-service-mesh"),
        "On GKE, Cloud Service Mesh is Google-managed Istio: the team's Istio skills carry over "
        "and Google runs the control plane.",
        "https://cloud.google.com/service-mesh/docs/managed/provision-managed-anthos-service-mesh",
    ),
    Persona(
        "40 services on Nomad in our own data centre",
        {
            "services": "many",
            "kubernetes": False,
            "outside_kubernetes": ["nomad"],
            "cloud": "on_prem",
            "experience": ["consul"],
        },
        "consider",
        ("consul",),
        ("kuma", "kong-mesh", "istio-sidecar"),
        "Nomad integrates natively with Consul's service mesh; no other mesh supports Nomad.",
        "https://developer.hashicorp.com/nomad/docs/job-declare/consul-service-mesh",
        {"kuma": "Outside Kubernetes it supports only", "kong-mesh": "Outside Kubernetes"},
    ),
    Persona(
        "80 latency-sensitive services on bare-metal Kubernetes, Cilium as CNI",
        {
            "services": "many",
            "needs": ["mtls"],
            "partial_ok": True,
            "cloud": "on_prem",
            "experience": ["cilium"],
            "latency_sensitive": True,
            "open_source_only": True,
        },
        "worth_it",
        ("cilium", "istio-ambient"),
        ("consul", "kong-mesh", "solo-enterprise-for-istio"),
        "Per-node data planes (Cilium's eBPF + Envoy, Istio ambient's ztunnel) avoid a sidecar "
        "hop per pod; the team already runs Cilium.",
        "https://docs.cilium.io/en/stable/network/servicemesh/l7-traffic-management/",
    ),
    Persona(
        "5 services, one language, one Kubernetes cluster, rare releases",
        {
            "services": "few",
            "tech_diversity": "low",
            "change_frequency": "rarely",
            "cloud": "on_prem",
        },
        "not_worth_it",
        (),
        ("aws-app-mesh", "open-service-mesh", "traefik-mesh", "nginx-service-mesh"),
        "Few, rarely changing services in one stack are served by libraries, cert-manager and "
        "NetworkPolicies; a mesh adds more operations than it saves.",
        "https://kubernetes.io/docs/concepts/services-networking/network-policies/",
    ),
    Persona(
        "50 services on-premises Kubernetes, open source only, no paid support",
        {
            "services": "many",
            "needs": ["mtls", "tracing"],
            "cloud": "on_prem",
            "open_source_only": True,
            "support": "not_wanted",
        },
        "worth_it",
        ("istio-sidecar", "istio-ambient"),
        ("consul", "kong-mesh", "solo-enterprise-for-istio"),
        "Linkerd's open-source project publishes only edge releases; stable releases come from "
        "a vendor, so for a team that won't pay Istio's free stable releases rank first.",
        "https://linkerd.io/releases/",
        {"consul": "Licence BUSL-1.1 is not OSI open source"},
    ),
    Persona(
        "300 services on EKS and ECS, enterprise support required",
        {
            "services": "many",
            "needs": ["mtls", "tracing"],
            "outside_kubernetes": ["ecs"],
            "cloud": "aws",
            "support": "required",
            "experience": ["envoy"],
        },
        "worth_it",
        ("consul", "kong-mesh"),
        ("istio-sidecar", "linkerd", "google-cloud-service-mesh", "aws-app-mesh"),
        "A mesh spanning EKS and ECS needs ECS support: Consul, Kong Mesh and Solo's Istio "
        "distribution (ECS in alpha) have it, upstream Istio and Linkerd do not.",
        "https://developer.konghq.com/mesh/ecs/",
        {"istio-sidecar": "Outside Kubernetes it supports only", "linkerd": "Outside Kubernetes"},
    ),
    Persona(
        "120 services on AKS, Istio experience, support required",
        {
            "services": "many",
            "needs": ["mtls", "rollouts"],
            "cloud": "azure",
            "experience": ["istio"],
            "support": "required",
        },
        "worth_it",
        ("aks-istio-addon", "istio-sidecar"),
        ("google-cloud-service-mesh", "aws-app-mesh", "openshift-service-mesh"),
        "Microsoft supports the Istio add-on for AKS, so Istio with Azure's support is the "
        "natural fit; Google's product is bound to Google Cloud, Red Hat's to OpenShift.",
        "https://learn.microsoft.com/en-us/azure/aks/istio-about",
        {
            "google-cloud-service-mesh": "Works only with Google Cloud, and you run on Azure.",
            "openshift-service-mesh": "Runs only on Red Hat OpenShift",
        },
    ),
    Persona(
        "60 services on OpenShift on-premises, support required",
        {
            "services": "many",
            "needs": ["mtls", "tracing"],
            "cloud": "on_prem",
            "openshift": True,
            "support": "required",
        },
        "worth_it",
        ("openshift-service-mesh",),
        ("aks-istio-addon", "google-cloud-service-mesh"),
        "Red Hat ships and supports Istio for OpenShift as OpenShift Service Mesh, installed "
        "by its operator on the platforms the team already runs.",
        "https://github.com/openshift/openshift-docs/blob/11bfcba59c4de28bd44df5b64cfd483cf0535d7f/modules/ossm-supported-platforms.adoc",
        {"aks-istio-addon": "Works only with Azure, and you run on On-premises."},
    ),
    Persona(
        "30 services on Kubernetes talking mostly through Kafka",
        {
            "services": "many",
            "communication": "async",
            "tech_diversity": "high",
            "cloud": "multi",
        },
        "consider",
        (),
        ("google-cloud-service-mesh", "open-service-mesh"),
        "A mesh sees little of Kafka traffic; Kafka's own TLS and ACLs secure messaging first. "
        "A product bound to one cloud is penalised for a multi-cloud team.",
        "https://kafka.apache.org/documentation/#security",
    ),
    Persona(
        "20 services on Compute Engine VMs, no Kubernetes",
        {
            "services": "many",
            "kubernetes": False,
            "outside_kubernetes": ["cloud_vms"],
            "cloud": "gcp",
            "support": "required",
        },
        "consider",
        ("google-cloud-service-mesh", "consul"),
        ("istio-sidecar", "linkerd", "cilium"),
        "Cloud Service Mesh configures Envoy on Compute Engine VMs with Google's control plane, "
        "no cluster needed; Consul runs on VMs too.",
        "https://cloud.google.com/service-mesh/docs/service-routing/features",
    ),
]
IDS = [p.name for p in PERSONAS]


def recommend(client, body: dict):
    response = client.post(API, json.dumps(body), content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.parametrize("persona", PERSONAS, ids=IDS)
def test_persona_through_the_api(client, db, persona):
    from comparison.models import Mesh

    result = recommend(client, persona.answers)
    assert result["verdict"] == persona.verdict
    # The first three ranks: products tied with the third stay in (a tie is not an order).
    top3 = [entry["slug"] for entry in result["shortlist"] if entry["rank"] <= 3]
    for slug in persona.in_top3:
        assert slug in top3, (persona.name, top3)
    for slug in persona.not_in_top3:
        assert slug not in top3, (persona.name, top3)
    excluded = {item["slug"]: item["reason"] for item in result["excluded"]}
    for slug, reason in persona.excluded.items():
        assert excluded[slug].startswith(reason), (slug, excluded[slug])
    meshes = {m.slug: m for m in Mesh.objects.all()}
    if not persona.answers.get("kubernetes", True):
        # No team without Kubernetes is offered a mesh that needs Kubernetes.
        assert all(meshes[e["slug"]].runs_without_kubernetes for e in result["shortlist"])
    if result["shortlist"]:
        # No product tied to another cloud ranks first.
        first = meshes[result["shortlist"][0]["slug"]]
        assert first.bound_to_cloud in ("", persona.answers.get("cloud", "on_prem"))
    assert persona.rationale and persona.source.startswith("https://")
    # Determinism: the same answers give the same output.
    assert recommend(client, persona.answers) == result


@pytest.mark.parametrize("persona", PERSONAS, ids=IDS)
def test_persona_through_the_wizard_gives_the_api_result(client, db, wizard, persona):
    from questionnaire.answers import to_decision
    from questionnaire.models import Questionnaire

    through_forms = wizard.answer_like_the_api(persona.answers)
    stored_by_api = recommend(client, {**persona.answers, "store": True})
    public_id = stored_by_api["permalink"].rstrip("/").split("/")[-1]
    by_api = Questionnaire.objects.get(public_id=public_id)
    # Identical stored answers on the same data are one stored result, whichever way they came.
    assert (by_api.pk == through_forms.pk) == (by_api.answers == through_forms.answers)
    assert to_decision(through_forms.current_answers) == to_decision(by_api.current_answers)
    assert through_forms.verdict == by_api.verdict == persona.verdict
    assert through_forms.shortlist == by_api.shortlist
    # Both result pages show the same ranking, reasons and exclusions.
    pages = [client.get(q.get_absolute_url()).context["result"] for q in (through_forms, by_api)]
    assert pages[0] == pages[1]
    del stored_by_api["permalink"]
    assert recommend(client, persona.answers) == stored_by_api


def test_the_edit_button_of_an_api_result_prefills_the_wizard(client, db):
    persona = PERSONAS[0]
    permalink = recommend(client, {**persona.answers, "store": True})["permalink"]
    public_id = permalink.rstrip("/").split("/")[-1]
    response = client.post(reverse("questionnaire:edit", args=[public_id]))
    assert response.status_code == 302
    environment = client.get(reverse("questionnaire:start") + "?step=1").context["form"]
    assert environment["outside_kubernetes"].value() == ["vms_on_prem"]
    assert environment["cloud"].value() == "on_prem"
