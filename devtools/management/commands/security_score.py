"""Print each public page's score under the MDN HTTP Observatory's header rules."""

from django.core.management.base import BaseCommand
from django.test import Client

from devtools.observatory import score

PAGES = [
    "/",
    "/compare/?mesh=linkerd&mesh=kuma",
    "/meshes/linkerd/",
    "/questionnaire/",
    "/changes/",
    "/api/meshes.json",
    "/admin/login/",
]


class Command(BaseCommand):
    help = "Score the public pages' security headers by the Observatory's rules."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="localhost")

    def handle(self, *args, host: str, **options):
        client = Client(HTTP_HOST=host)
        for page in PAGES:
            response = client.get(page, secure=True)
            result = score(response.headers, response.cookies, https=True)
            self.stdout.write(f"{result.total:4} {result.grade:2}  {page}")
            for note in result.notes:
                self.stdout.write(f"          {note}")
