"""Every fixed list of values, defined once.

Models, filters, forms, charts, exports and the questionnaire's decision logic all import these.
Nothing here touches the database, so plain-Python modules (questionnaire.decision) can use them.
"""

from __future__ import annotations

from django.db.models.enums import TextChoices
from django.utils.translation import gettext_lazy as _

# Feature slugs of the four parts of the (archived) Service Mesh Interface share this prefix.
SMI_FEATURE_PREFIX = "smi-"
# The feature row for the Kubernetes Gateway API's mesh support (GAMMA).
GATEWAY_API_MESH_FEATURE = "gateway-api-mesh"


class Level(TextChoices):
    YES = "yes", _("Yes")
    PARTIAL = "partial", _("Partial")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("Unknown")


class Stage(TextChoices):
    """How mature a mesh's support of a feature is, in the project's own words.

    Maturity is not level: beta support of the whole feature is level "yes" with stage "beta";
    "partial" means a part of the feature is missing. Empty when the project does not say.
    """

    STABLE = "stable", _("Stable")
    BETA = "beta", _("Beta")
    ALPHA = "alpha", _("Alpha / experimental")
    PREVIEW = "preview", _("Preview")
    DEPRECATED = "deprecated", _("Deprecated")


# Stages that a production choice can lean on; alpha, preview and deprecated support is a risk.
PRODUCTION_STAGES = frozenset({"", Stage.STABLE, Stage.BETA})


class MeshKind(TextChoices):
    """What a catalogue entry is: a service mesh, or a platform's own networking service that
    covers part of a mesh's job (e.g. Amazon VPC Lattice)."""

    SERVICE_MESH = "service_mesh", _("Service mesh")
    PLATFORM_NETWORKING = "platform_networking", _("Platform networking")


class GammaLevel(TextChoices):
    """How far a mesh supports the Gateway API for mesh traffic (GAMMA), by its own evidence."""

    CONFORMANT = "conformant", _("Conformance report submitted")
    IMPLEMENTS = "implements", _("Documented, no conformance report")
    EXPERIMENTAL = "experimental", _("Experimental only")
    NONE = "none", _("Not supported")
    UNKNOWN = "unknown", _("Unknown")


class OverheadKind(TextChoices):
    """Who published an overhead figure: the project, the product's vendor, or a third party."""

    PROJECT = "project", _("Published by the project")
    VENDOR = "vendor", _("Published by the vendor")
    THIRD_PARTY = "third_party", _("Third-party benchmark")


class ResourceScope(TextChoices):
    """What an overhead figure's CPU and memory were measured for."""

    PER_PROXY = "per proxy", _("per proxy")
    PER_ZTUNNEL = "per ztunnel", _("per ztunnel")
    PER_WAYPOINT = "per waypoint", _("per waypoint")
    PER_NODE = "per node", _("per node")
    CONTROL_PLANE = "control plane", _("control plane")


class DataPlane(TextChoices):
    SIDECAR = "sidecar", _("Sidecar proxy per pod")
    PER_NODE = "per_node", _("Proxy per node")
    SIDECARLESS = "sidecarless", _("Sidecarless")
    MIXED = "mixed", _("Sidecar or sidecarless (both modes)")


class Platforms(TextChoices):
    KUBERNETES_ONLY = "kubernetes_only", _("Kubernetes only")
    BEYOND_KUBERNETES = "beyond_kubernetes", _("Kubernetes and beyond (VMs or other orchestrators)")
    # A platform's own service for workloads outside Kubernetes (Amazon ECS Service Connect):
    # Kubernetes workloads cannot join it.
    OUTSIDE_KUBERNETES = "outside_kubernetes", _("Outside Kubernetes only")


class Maturity(TextChoices):
    LEADING = "leading", _("Leading group")
    FOLLOWERS = "followers", _("Followers")
    VERY_NEW = "very_new", _("Very new")
    DISCONTINUED = "discontinued", _("Discontinued")


class Status(TextChoices):
    ACTIVE = "active", _("Active")
    ARCHIVED = "archived", _("Archived")
    END_OF_LIFE = "end_of_life", _("End of life")
    UNMAINTAINED = "unmaintained", _("No longer developed")


class CncfStatus(TextChoices):
    GRADUATED = "graduated", _("CNCF graduated")
    INCUBATING = "incubating", _("CNCF incubating")
    SANDBOX = "sandbox", _("CNCF sandbox")
    ARCHIVED = "archived", _("CNCF archived")
    NONE = "none", _("Not a CNCF project")


class Cloud(TextChoices):
    AWS = "aws", _("AWS")
    GCP = "gcp", _("Google Cloud")
    AZURE = "azure", _("Azure")


class Orchestrator(TextChoices):
    """Where workloads run outside Kubernetes (a mesh's data, and the questionnaire's choices)."""

    VMS_ON_PREM = "vms_on_prem", _("VMs or bare metal on-premises")
    CLOUD_VMS = "cloud_vms", _("Cloud VMs")
    ECS = "ecs", _("Amazon ECS/Fargate")
    NOMAD = "nomad", _("HashiCorp Nomad")
    SERVERLESS = "serverless", _("Serverless functions")


class ProxyFamily(TextChoices):
    ENVOY = "envoy", _("Envoy")
    ZTUNNEL_ENVOY = "ztunnel_envoy", _("ztunnel + Envoy")
    EBPF_ENVOY = "ebpf_envoy", _("eBPF + Envoy")
    LINKERD2_PROXY = "linkerd2_proxy", _("linkerd2-proxy")
    NGINX = "nginx", _("NGINX")
    TRAEFIK = "traefik", _("Traefik")


class BuildsOn(TextChoices):
    """The open-source control plane and APIs a mesh is built on (skills carry over)."""

    ISTIO = "istio", "Istio"
    LINKERD = "linkerd", "Linkerd"
    CONSUL = "consul", "Consul"
    CILIUM = "cilium", "Cilium"
    KUMA = "kuma", "Kuma"
    OWN = "own", _("Its own")


class Experience(TextChoices):
    """What a team may already know; matched against ProxyFamily and BuildsOn."""

    ENVOY = "envoy", "Envoy"
    ISTIO = "istio", "Istio"
    LINKERD = "linkerd", "Linkerd"
    CONSUL = "consul", "Consul"
    CILIUM = "cilium", _("Cilium/eBPF")


class Hosting(TextChoices):
    """Where a team runs: one cloud, on-premises, or several."""

    AWS = "aws", _("AWS")
    GCP = "gcp", _("Google Cloud")
    AZURE = "azure", _("Azure")
    ON_PREM = "on_prem", _("On-premises")
    MULTI = "multi", _("Several clouds or cloud and on-premises")


class Language(TextChoices):
    """The languages a team mainly writes its services in (the questionnaire's choices), for the
    libraries that can do part of a mesh's job."""

    JVM = "jvm", _("Java, Kotlin or another JVM language")
    DOTNET = "dotnet", _(".NET (C#, F#)")
    GO = "go", "Go"
    PYTHON = "python", "Python"
    JAVASCRIPT = "javascript", _("JavaScript or TypeScript (Node.js)")
    RUST = "rust", "Rust"


class Communication(TextChoices):
    SYNC = "sync", _("Mostly synchronous (HTTP or gRPC calls)")
    ASYNC = "async", _("Mostly asynchronous (messaging)")


class SupportWish(TextChoices):
    REQUIRED = "required", _("Required")
    WELCOME = "welcome", _("Welcome")
    NOT_WANTED = "not_wanted", _("Not wanted")


class ComplexityBand(TextChoices):
    """Thirds of the active meshes' 90/10 traffic split line counts (and the tolerance answers)."""

    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class SuggestionStatus(TextChoices):
    PENDING = "pending", _("Waiting for review")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class ChangeKind(TextChoices):
    """The kinds of public change the changes page and feed report."""

    LEVEL = "level", _("Support level")
    STATUS = "status", _("Status")
    VERSION = "version", _("New version")
    MESH_ADDED = "mesh_added", _("New mesh")
    MESH_REMOVED = "mesh_removed", _("Mesh removed")
    FEATURE_ADDED = "feature_added", _("New feature")
    FEATURE_REMOVED = "feature_removed", _("Feature removed")
    CORRECTION = "correction", _("Correction accepted")
