"""The decision itself (questionnaire/decision/ranking.py): ranks and ties, families and the
compare group, what to relax when nothing fits, and its guards."""

import hashlib
from dataclasses import replace

import pytest

from questionnaire.decision import COMPARE_LIMIT, Relaxation, decide, relaxation, relaxed_answers

from .helpers import (
    FEATURES,
    NO,
    PARTIAL,
    YES,
    answers,
    mesh,
    plain,
    reasons_of,
    run,
    slugs,
)


def digest(slug: str) -> str:
    return hashlib.sha256(slug.encode()).hexdigest()


def by_digest(*slug_list: str) -> list[str]:
    return sorted(slug_list, key=digest)


# --- ranks and ties -------------------------------------------------------------------------


def test_all_dont_care_ranks_every_usable_mesh_by_maturity():
    meshes = [
        mesh("new"),
        mesh("follower", maturity="followers"),
        mesh("dead", maturity="discontinued", discontinued=True, status_label="Archived 2023"),
        mesh("leader", maturity="leading"),
    ]
    result = run(meshes)
    assert slugs(result) == ["leader", "follower", "new"]
    assert [r.score for r in result.shortlist] == [3, 1, 0]
    assert [(r.rank, r.tied) for r in result.shortlist] == [(1, False), (2, False), (3, False)]
    assert plain(result.shortlist[0].parts) == ((3, "Production readiness: leading group"),)
    assert [e.mesh.slug for e in result.excluded] == ["dead"]
    assert result.relax is None
    for ranked in result.shortlist:
        assert ranked.fits == ranked.lacks == ranked.caveats == ()


def test_higher_score_wins_over_name():
    result = run([mesh("a", name="Alpha"), mesh("z", name="Zeta", maturity="followers")])
    assert slugs(result) == ["z", "a"]


def test_ties_share_a_rank_and_say_so():
    meshes = [
        mesh("a", maturity="leading"),
        mesh("b", maturity="followers"),
        mesh("c", maturity="followers"),
        mesh("d"),
    ]
    result = run(meshes)
    assert [(r.rank, r.tied) for r in result.shortlist] == [
        (1, False),
        (2, True),
        (2, True),
        (4, False),
    ]
    assert {r.mesh.slug for r in result.shortlist[1:3]} == {"b", "c"}


def test_ties_are_never_ordered_by_name():
    # Changed on purpose: ties used to be listed by name, which favoured products named "A…".
    # Slugs chosen so their digests run against the alphabet.
    first, second = by_digest("aardvark-mesh", "zebra-mesh")
    assert (first, second) == ("zebra-mesh", "aardvark-mesh")
    a_name = mesh("aardvark-mesh", name="Aardvark Mesh")
    z_name = mesh("zebra-mesh", name="Zebra Mesh")
    for meshes in ([a_name, z_name], [z_name, a_name]):
        assert slugs(run(meshes)) == ["zebra-mesh", "aardvark-mesh"]
    # Swapping the names changes nothing: the order follows the slug's digest.
    swapped = [replace(a_name, name="Zebra Mesh"), replace(z_name, name="Aardvark Mesh")]
    result = run(swapped)
    assert slugs(result) == ["zebra-mesh", "aardvark-mesh"]
    assert [r.mesh.name for r in result.shortlist] == ["Aardvark Mesh", "Zebra Mesh"]
    assert [(r.rank, r.tied) for r in result.shortlist] == [(1, True), (1, True)]


def test_ties_of_many_follow_the_digest_whatever_the_input_order():
    names = [f"mesh-{n}" for n in range(8)]
    meshes = [mesh(slug, name=f"{chr(ord('A') + i)} mesh") for i, slug in enumerate(names)]
    expected = by_digest(*names)
    assert slugs(run(meshes)) == expected
    assert slugs(run(list(reversed(meshes)))) == expected


def test_inside_a_tie_fewer_risks_come_first():
    risky = mesh("b", stable_releases_free=False)  # a release-model risk, no points
    calm = mesh("a")
    # "b"'s digest comes first; its risk puts it after "a".
    assert digest("b") < digest("a")
    assert slugs(run([risky, calm])) == ["a", "b"]
    assert slugs(run([calm, risky])) == ["a", "b"]


def test_inside_a_tie_an_upstream_comes_before_its_distribution():
    # "ossm"'s digest would put it first; being a distribution puts it after its upstream.
    upstream, distribution = "istio", "ossm"
    assert digest(distribution) < digest(upstream)
    meshes = [mesh(distribution, upstream=upstream), mesh(upstream)]
    assert slugs(run(meshes)) == [upstream, distribution]


def test_same_input_same_result():
    meshes = [mesh("a", support={"tracing": PARTIAL}), mesh("b", maturity="leading")]
    kwargs = {"nice": frozenset({"tracing", "mtls-http"}), "cloud": "gcp"}
    assert run(meshes, **kwargs) == run(meshes, **kwargs)


def test_excluded_are_listed_by_name():
    meshes = [mesh("z", name="zeta"), mesh("a", name="Alpha"), mesh("m", name="mu")]
    result = run(meshes, min_maturity="leading")
    assert [e.mesh.name for e in result.excluded] == ["Alpha", "mu", "zeta"]


# --- families and the compare group ---------------------------------------------------------


def family_meshes():
    return [
        mesh("istio", maturity="leading"),
        mesh("ossm", upstream="istio", maturity="leading", family_name="Istio"),
        mesh("gcsm", upstream="istio", maturity="followers", family_name="Istio"),
        mesh("linkerd", maturity="leading"),
        mesh("bel", upstream="linkerd", maturity="leading", family_name="Linkerd"),
        mesh("kuma", maturity="followers"),
        mesh("cilium"),
    ]


def test_families_group_the_shortlist_by_upstream_at_its_best_member():
    result = run(family_meshes())
    families = {f.head.mesh.slug: [v.mesh.slug for v in f.variants] for f in result.families}
    assert families == {"istio": ["ossm", "gcsm"], "linkerd": ["bel"], "kuma": [], "cilium": []}
    assert [f.head.mesh.slug for f in result.families][2:] == ["kuma", "cilium"]
    for family in result.families:
        assert family.members[0] is family.head
        assert {m.mesh.family for m in family.members} == {family.head.mesh.family}


def test_compare_group_takes_one_per_family():
    result = run(family_meshes())
    group = [r.mesh.slug for r in result.compare_group]
    # Istio and Linkerd tie at the top; their distributions (also tied) are not compared.
    assert set(group[:2]) == {"istio", "linkerd"}
    assert group[2:] == ["kuma"]
    assert result.compare_tied == ()
    assert len({r.mesh.family for r in result.compare_group}) == len(group)


def test_compare_takes_the_top_three_widened_to_the_whole_tie_up_to_four():
    four_tied = [mesh(slug) for slug in "abcd"]
    assert len(run(four_tied).compare_group) == COMPARE_LIMIT == 4
    tie_at_third = [mesh("a", maturity="leading"), mesh("b"), mesh("c"), mesh("d")]
    group = run(tie_at_third).compare_group
    assert group[0].mesh.slug == "a" and {r.mesh.slug for r in group} == set("abcd")
    dead = mesh("d", maturity="discontinued", discontinued=True)
    clear = [mesh("a", maturity="leading"), mesh("b", maturity="followers"), mesh("c"), dead]
    assert [r.mesh.slug for r in run(clear).compare_group] == ["a", "b", "c"]
    assert run([mesh("a")]).compare_group == ()
    assert run([mesh("a"), mesh("ossm", upstream="a")]).compare_group == ()  # one family


def test_compare_tied_when_more_families_tie_than_fit():
    five_tied = [mesh(slug) for slug in "abcde"]
    result = run(five_tied)
    # No order may pick four of five equals: the reader chooses.
    assert result.compare_group == ()
    assert {r.mesh.slug for r in result.compare_tied} == set("abcde")
    leader = run([mesh("top", maturity="leading"), *five_tied])
    assert [r.mesh.slug for r in leader.compare_group] == ["top"]
    assert {r.mesh.slug for r in leader.compare_tied} == set("abcde")


def test_compare_tied_counts_families_not_distributions():
    # Three families tie, one with two distributions: they fit, nothing is left to the reader.
    meshes = [mesh("a"), mesh("a-1", upstream="a"), mesh("a-2", upstream="a"), mesh("b"), mesh("c")]
    result = run(meshes)
    assert {r.mesh.slug for r in result.compare_group} == {"a", "b", "c"}
    assert result.compare_tied == ()


def test_differences_are_taken_from_the_tied_group_when_it_is_too_big():
    first = by_digest(*"abcde")[0]
    five_tied = [
        mesh(slug, data_plane="per_node" if slug == first else "sidecar") for slug in "abcde"
    ]
    result = run(five_tied)
    assert result.compare_group == () and len(result.compare_tied) == 5
    (row,) = [d for d in result.differences if d.label == "Data plane"]
    # At most four compared, in the tie's order.
    assert [c.slug for c in row.cells] == by_digest(*"abcde")[:4]


# --- empty shortlist: what to relax ---------------------------------------------------------


def test_impossible_must_haves_name_the_one_admitting_most():
    meshes = [
        mesh("a", support={"mtls-http": NO, "fault-injection": YES}),
        mesh("b", support={"mtls-http": YES, "fault-injection": NO}),
        mesh(
            "c", support={"mtls-http": YES, "fault-injection": YES}, stages={"mtls-http": "alpha"}
        ),
        # Out already for its status: never admitted by any relaxation.
        mesh(
            "d",
            maturity="discontinued",
            discontinued=True,
            status_label="Archived 2023",
            support={"mtls-http": YES, "fault-injection": YES},
        ),
    ]
    result = run(meshes, must=frozenset({"mtls-http", "fault-injection"}))
    assert result.shortlist == ()
    assert result.relax == Relaxation(
        key="must:mtls-http",
        label="Make mTLS for HTTP a nice-to-have",
        admits=("A", "C"),
        feature="mtls-http",
        feature_name="mTLS for HTTP",
    )
    assert result.relax.excluded_count == 2


def test_relax_counts_partial_support_as_met_when_partial_is_allowed():
    meshes = [
        mesh("a", support={"mtls-http": YES, "fault-injection": NO, "tracing": YES}),
        mesh("b", support={"mtls-http": PARTIAL, "fault-injection": NO, "tracing": YES}),
        mesh("c", support={"mtls-http": PARTIAL, "fault-injection": YES, "tracing": NO}),
    ]
    must = frozenset({"mtls-http", "fault-injection", "tracing"})
    result = run(meshes, must=must, partial_ok=True)
    assert result.shortlist == ()
    assert result.relax is not None
    assert (result.relax.key, result.relax.admits) == ("must:fault-injection", ("A", "B"))
    # Strict, dropping fault injection admits only "a"; letting partial count admits nothing.
    strict = run(meshes, must=must)
    assert strict.relax is not None
    assert (strict.relax.key, strict.relax.admits) == ("must:fault-injection", ("A",))


def test_relax_tie_goes_to_the_first_in_display_order():
    meshes = [
        mesh("a", support={"mtls-http": NO, "tracing": YES}),
        mesh("b", support={"mtls-http": YES, "tracing": NO}),
    ]
    result = run(meshes, must=frozenset({"mtls-http", "tracing"}))
    assert result.relax is not None
    assert (result.relax.key, result.relax.feature_name, result.relax.admits) == (
        "must:tracing",
        "Tracing",
        ("B",),
    )


def test_relax_admits_only_options_meeting_everything_else():
    # Dropping mTLS admits "a" only; "b" still lacks tracing.
    meshes = [
        mesh("a", support={"tracing": YES, "mtls-http": NO}),
        mesh("b", support={"tracing": NO, "mtls-http": NO}),
    ]
    result = run(meshes, must=frozenset({"mtls-http", "tracing"}))
    assert reasons_of(result)["b"] == "Lacks must-have Tracing (not supported)."
    assert result.relax is not None
    assert (result.relax.key, result.relax.admits) == ("must:mtls-http", ("A",))


def test_relax_picks_open_source_only_when_that_admits_the_most():
    meshes = [
        mesh("a", osi_open_source=False, support={"tracing": YES}),
        mesh("b", osi_open_source=False, support={"tracing": YES}),
        mesh("c", osi_open_source=True, support={"tracing": NO}),
    ]
    result = run(meshes, must={"tracing"}, open_source_only=True)
    assert result.shortlist == ()
    assert result.relax == Relaxation(
        key="open_source_only",
        label="Accept licences that are not OSI open source",
        admits=("A", "B"),
    )
    assert (result.relax.feature, result.relax.feature_name) == ("", "")


@pytest.mark.parametrize(
    ("mesh_overrides", "answer_overrides", "key", "label"),
    [
        (
            {"cncf_status": "incubating"},
            {"cncf_graduated_only": True},
            "cncf_graduated_only",
            "Accept projects that are not CNCF graduated",
        ),
        (
            {},
            {"support": "required"},
            "support",
            "Make commercial support welcome instead of required",
        ),
        ({}, {"min_maturity": "followers"}, "min_maturity", "Accept very new projects"),
        # Two must-haves held back the same way: dropping either one admits nothing.
        (
            {"support": {"tracing": PARTIAL, "mtls-http": PARTIAL}},
            {"must": {"tracing", "mtls-http"}},
            "partial_ok",
            "Let partial support count for a must-have",
        ),
        (
            {
                "support": {"tracing": YES, "mtls-http": YES},
                "stages": {"tracing": "alpha", "mtls-http": "alpha"},
            },
            {"must": {"tracing", "mtls-http"}},
            "experimental_ok",
            "Let alpha/experimental support count for a must-have",
        ),
    ],
)
def test_each_answer_that_can_be_relaxed(mesh_overrides, answer_overrides, key, label):
    # Two options that only this answer keeps out.
    meshes = [mesh("a", **mesh_overrides), mesh("b", **mesh_overrides)]
    result = run(meshes, **answer_overrides)
    assert result.shortlist == ()
    assert result.relax is not None
    assert (result.relax.key, result.relax.label, result.relax.admits) == (key, label, ("A", "B"))
    relaxed = relaxed_answers(answers(**answer_overrides), key, FEATURES)
    assert set(slugs(decide(relaxed, meshes, FEATURES))) == {"a", "b"}


def test_relaxing_a_need_keeps_its_other_features_as_must_haves():
    # "routing" needs header- and path-based routing; dropping path routing keeps header routing.
    a = answers(needs={"routing", "tracing"})
    relaxed = relaxed_answers(a, "must:path-routing", FEATURES)
    assert relaxed.needs == frozenset({"tracing"})
    assert relaxed.must == frozenset({"tracing", "header-routing"})
    assert relaxed.nice == frozenset({"path-routing"})
    assert relaxed.all_must == frozenset({"tracing", "header-routing"})


def test_relaxed_answers_refuses_what_is_not_on_offer():
    with pytest.raises(ValueError, match="'must:tracing' cannot be relaxed"):
        relaxed_answers(answers(), "must:tracing", FEATURES)
    with pytest.raises(ValueError, match="'open_source_only' cannot be relaxed"):
        relaxed_answers(answers(open_source_only=False), "open_source_only", FEATURES)
    # Already at the loosest: nothing to relax.
    with pytest.raises(ValueError):
        relaxed_answers(answers(min_maturity="very_new"), "min_maturity", FEATURES)


def test_relax_is_none_when_something_is_shortlisted():
    meshes = [mesh("a", support={"tracing": YES}), mesh("b", support={"tracing": NO})]
    result = run(meshes, must=frozenset({"tracing"}))
    assert slugs(result) == ["a"] and reasons_of(result).keys() == {"b"}
    assert result.relax is None


def test_relax_is_none_when_no_answer_would_admit_anything():
    dead = mesh("dead", maturity="discontinued", discontinued=True, support={"tracing": YES})
    assert run([dead], must={"tracing"}).relax is None


def test_relaxation_offers_an_unverified_option_nothing():
    # Unknown is no failure: relaxing it would not confirm it either.
    result = run([mesh("a")], must={"tracing"})
    assert result.shortlist == () and [u.mesh.slug for u in result.unverified] == ["a"]
    assert result.relax is not None
    assert (result.relax.key, result.relax.admits) == ("must:tracing", ("A",))
    assert relaxation(answers(must={"tracing"}), [mesh("a")], ("tracing",), FEATURES) == (
        result.relax
    )


# --- guards ---------------------------------------------------------------------------------


def test_duplicate_meshes_raise_value_error():
    with pytest.raises(ValueError, match=r"^Each mesh may appear once; duplicated: a, b\.$"):
        run([mesh("a"), mesh("b"), mesh("c"), mesh("b"), mesh("a")])


def test_answers_of_another_type_raise_value_error():
    with pytest.raises(ValueError, match=r"^answers must be an Answers instance; got dict\.$"):
        decide({"services": "many"}, [], FEATURES)  # type: ignore[arg-type]


def test_the_result_carries_the_complexity_cuts():
    from questionnaire.decision import complexity_cuts

    from .helpers import line_meshes

    meshes = line_meshes()
    result = run(meshes, complexity_tolerance="low")
    assert result.complexity_cuts == complexity_cuts(answers(), meshes, None)
    assert result.complexity_api == ""
