"""manage.py apply_release_data: set each mesh's release feed (the machine-readable release list
check_releases reads) and the release date of its current version, then
`export_meshes fixtures/meshes.json` writes them into the fixture.

Each feed address was checked against the project's own pages in November 2026. Meshes without
one: Kong Mesh (no public repository; Kong publishes a changelog page only), Gloo Mesh (commercial,
release notes on docs.solo.io only), OpenShift Service Mesh (no product feed), NGINX Service Mesh
and Open Service Mesh (archived: no releases will come).

A release date is set only where the release notes date exactly the version the data names
(the source is the mesh's current_version_source or the release page given here).
"""

import datetime

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

# slug: (the version as the data names it, released on)
RELEASE_DATES = {
    # istio.io "Announcing Istio 1.31.1", publishdate 2026-09-21
    "istio-sidecar": ("1.31.1", datetime.date(2026, 9, 21)),
    "istio-ambient": ("1.31.1", datetime.date(2026, 9, 21)),
    # linkerd.io data/versions.yaml: version "2.20", releaseDate "June 23, 2026"
    "linkerd": ("2.20", datetime.date(2026, 6, 23)),
    # github.com/cilium/cilium/releases/tag/v1.20.0
    "cilium": ("1.20", datetime.date(2026, 8, 18)),
    # docs.cloud.google.com/service-mesh/versions: 1.31.3-asm.9
    "google-cloud-service-mesh": ("1.31.3-asm.9 (managed: rolling)", datetime.date(2026, 11, 12)),
    # NGINX Service Mesh release notes 2.0.0
    "nginx-service-mesh": ("2.0.0 (final)", datetime.date(2023, 4, 25)),
    # github.com/traefik/mesh/releases/tag/v1.4.8
    "traefik-mesh": ("1.4.8 (final)", datetime.date(2022, 8, 19)),
}


class Command(BaseCommand):
    help = "Set release feeds and release dates (idempotent; recorded in history)."

    def handle(self, *args, **options):
        for mesh in Mesh.objects.order_by("slug"):
            feed = RELEASE_FEEDS.get(mesh.slug, "")
            version, released = RELEASE_DATES.get(mesh.slug, (None, None))
            if version is not None and version != mesh.current_version:
                released = None  # the data names another version now: that date would be wrong
            if (mesh.release_feed_url, mesh.current_version_date) != (feed, released):
                mesh.release_feed_url, mesh.current_version_date = feed, released
                mesh.version += 1  # an editor's open form must not overwrite it
                mesh.save()
                self.stdout.write(f"{mesh.slug}: {feed or '(no feed)'}, released {released}")
