"""manage.py apply_release_feeds: set each mesh's release feed (the machine-readable release list
check_releases reads), then `export_meshes fixtures/meshes.json` writes it into the fixture.

Each address was checked against the project's own pages in November 2026. Meshes without one:
Kong Mesh (no public repository; Kong publishes a changelog page only), Gloo Mesh (commercial,
release notes on docs.solo.io only), OpenShift Service Mesh (no product feed), NGINX Service Mesh
and Open Service Mesh (archived: no releases will come).
"""

from django.core.management.base import BaseCommand

from comparison.models import Mesh

RELEASE_FEEDS = {
    "istio-sidecar": "https://github.com/istio/istio/releases.atom",
    # Ambient mode ships in the same Istio releases.
    "istio-ambient": "https://github.com/istio/istio/releases.atom",
    # linkerd2 publishes edge releases and version-2.X tags; edge releases are skipped as previews.
    "linkerd": "https://github.com/linkerd/linkerd2/releases.atom",
    "buoyant-enterprise-linkerd": "https://github.com/BuoyantIO/linkerd-buoyant/releases.atom",
    "kuma": "https://github.com/kumahq/kuma/releases.atom",
    "consul": "https://github.com/hashicorp/consul/releases.atom",
    "cilium": "https://github.com/cilium/cilium/releases.atom",
    # Documented on Google's release-notes page as the feed to subscribe to.
    "google-cloud-service-mesh": "https://docs.cloud.google.com/feeds/servicemesh-release-notes.xml",
    # Microsoft announces add-on revisions in the AKS release notes.
    "aks-istio-addon": "https://github.com/Azure/AKS/releases.atom",
    "kmesh": "https://github.com/kmesh-net/kmesh/releases.atom",
    # The service has no feed; its Kubernetes controller's releases are the only list.
    "aws-app-mesh": "https://github.com/aws/aws-app-mesh-controller-for-k8s/releases.atom",
    # Dormant, not archived: a release would still appear here.
    "traefik-mesh": "https://github.com/traefik/mesh/releases.atom",
}


class Command(BaseCommand):
    help = "Set the release feed of every mesh that has one (idempotent; recorded in history)."

    def handle(self, *args, **options):
        for mesh in Mesh.objects.order_by("slug"):
            feed = RELEASE_FEEDS.get(mesh.slug, "")
            if mesh.release_feed_url != feed:
                mesh.release_feed_url = feed
                mesh.version += 1  # an editor's open form must not overwrite it
                mesh.save()
                self.stdout.write(f"{mesh.slug}: {feed or '(none)'}")
