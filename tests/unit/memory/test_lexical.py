"""BM25, Swedish/English normalisation, compounds, glossary expansion and rank fusion."""

from __future__ import annotations

from pathlib import Path

from coach.lexical import (
    Bm25Index,
    expand_query,
    load_glossary,
    rrf_fuse,
    split_compound,
    stem,
    tokenize,
)


def test_stemming_folds_swedish_and_english_inflections():
    assert stem("kunderna") == stem("kunder") == stem("kund")
    assert stem("calling") == stem("calls") == stem("call")
    assert stem("samtalen") == stem("samtalet") == stem("samtal")
    assert stem("customers") == stem("customer")
    assert stem("meetings") == stem("meeting")
    assert stem("deliveries") == stem("delivery")
    assert stem("användare") == stem("användarna")
    # English loanwords in Swedish text meet their English forms.
    assert stem("churnen") == stem("churn") and stem("onboarding") == stem("onboard")


def test_compound_forms_agree_across_inflections():
    assert tokenize("kundbortfallet")[:1] == tokenize("kundbortfall")[:1]
    assert tokenize("svarstiden")[:1] == tokenize("svarstid")[:1]


def test_compounds_split_into_known_parts():
    assert split_compound("kundbortfallet") == [stem("kund"), stem("bortfall")]
    assert "svar" in tokenize("svarstiden") and "tid" in tokenize("svarstiden")
    assert split_compound("kalla") == []  # short words are left alone


def test_stopwords_dropped_in_both_languages():
    assert tokenize("the and och att") == []


def test_glossary_has_the_classic_pairs():
    pairs = {(e.en[0], e.sv[0]) for e in load_glossary()}
    assert ("cold calling", "kalla samtal") in pairs
    assert any(e.en[0] == "churn" and "kundbortfall" in e.sv for e in load_glossary())


def test_expansion_crosses_languages_both_ways():
    assert "kalla samtal" in expand_query("What did cold calling give us?")
    assert "churn" in expand_query("Varför ökade kundbortfallet?")
    assert expand_query("xyzzy plugh") == []


def _index() -> Bm25Index:
    idx = Bm25Index()
    idx.add(
        ["a", "b", "c"],
        [
            "Kundbortfallet ökade efter prishöjningen",
            "We made many cold calls but won few customers",
            "The release slipped because of test coverage",
        ],
        [{"cycle": "2025-Q4", "team": "support"}, {"cycle": "2025-Q3"}, {"cycle": "2025-Q3"}],
    )
    return idx


def test_bm25_ranks_and_normalises_scores():
    hits = _index().search("bortfall av kunder", k=3)
    assert hits[0][0] == "a"
    assert all(0.0 < s <= 1.0 for _, s in hits)


def test_bm25_cross_language_with_expansion():
    idx = _index()
    assert idx.search("kalla samtal", k=3) == []  # no shared words at all
    hits = idx.search("kalla samtal", k=3, extra_terms=expand_query("kalla samtal"))
    assert hits and hits[0][0] == "b"


def test_bm25_filters_and_removal():
    idx = _index()
    assert [i for i, _ in idx.search("customers kund", k=3, filters={"cycle": "2025-Q4"})] == ["a"]
    idx.remove(["a"])
    assert "a" not in idx and len(idx) == 2
    assert all(i != "a" for i, _ in idx.search("kundbortfallet", k=3))


def test_bm25_save_load_round_trip(tmp_path: Path):
    idx = _index()
    idx.remove(["c"])
    path = tmp_path / "lex.npz"
    idx.save(path, extra={"generation": "g1"})
    loaded, extra = Bm25Index.load(path)
    assert extra == {"generation": "g1"}
    assert len(loaded) == 2
    assert loaded.search("cold calls", k=2) == idx.search("cold calls", k=2)


def test_rrf_prefers_documents_both_rankings_like():
    fused = rrf_fuse([["x", "y", "z"], ["y", "x", "w"]])
    assert {fused[0][0], fused[1][0]} == {"x", "y"}
    assert fused[-1][0] in ("z", "w")


def test_vectors_ride_along_for_exact_filtered_search(tmp_path: Path):
    import numpy as np

    idx = Bm25Index()
    vecs = np.eye(3, dtype=np.float32)
    idx.add(
        ["a", "b", "c"],
        ["one", "two", "three"],
        [{"team": "x"}, {"team": "y"}, {"team": "x"}],
        vecs,
    )
    assert idx.has_vectors()
    q = np.asarray([0.1, 0.9, 0.5], dtype=np.float32)
    assert [i for i, _ in idx.vector_search(q, 2)] == ["b", "c"]
    assert [i for i, _ in idx.vector_search(q, 2, filters={"team": "x"})] == ["c", "a"]
    assert idx.vector_search(q, 2, filters={"team": "nobody"}) == []
    idx.remove(["c"])
    path = tmp_path / "mirror.npz"
    idx.save(path)
    loaded, _ = Bm25Index.load(path)
    assert loaded.has_vectors() and [i for i, _ in loaded.vector_search(q, 5)] == ["b", "a"]
    assert abs(loaded.cosine("b", q) - 0.9) < 1e-3
