"""Rules for where a fact may be sourced: the project's own pages, never a mirror or aggregator."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import yaml

# Sites that copy or summarise other projects' pages and releases. A fact read there is read
# second-hand: cite the project's own docs, release notes or repository instead.
KNOWN_MIRROR_HOSTS = frozenset(
    {
        "newreleases.io",
        "endoflife.date",
        "artifacthub.io",
        "libraries.io",
        "pkg.go.dev",
        "sourceforge.net",
        "masterthemesh.com",
        "www.masterthemesh.com",
        "servicemesh.es",
        "medium.com",
        "stackoverflow.com",
        "thinkwithwp.com",
        "www.thinkwithwp.com",
        "apis.io",
        "api-evangelist.com",
        "githubhelp.com",
        "gitee.com",
        "hub.docker.com",
        "repology.org",
        "versio.io",
        "releasealert.dev",
    }
)


def mirror_host(url: str) -> str | None:
    """The host of `url` when it is a known mirror or aggregator (subdomains included)."""
    host = (urlsplit(url).hostname or "").lower()
    for known in KNOWN_MIRROR_HOSTS:
        if host == known or host.endswith("." + known):
            return host
    return None


def load_yaml(text: str, error: type[ValueError]) -> Any:
    """A machine-readable source file (conformance report, lifecycle or feature status file) as
    plain data, or `error` saying why not. BaseLoader builds no objects and keeps every scalar as
    written: a version "1.20" stays the text 1.20, not the float 1.2; dates stay text."""
    try:
        return yaml.load(text, Loader=yaml.BaseLoader)
    except yaml.YAMLError as problem:
        raise error(f"not valid YAML: {str(problem).splitlines()[0]}") from None
    except RecursionError:
        raise error("the YAML is nested too deeply") from None
