# bumped by the release bot; keep the digest
RANKER_IMAGE = "us-docker.pkg.dev/acme-search/ml/ranker:4.2.0@sha256:6f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4"
FEATURE_COLUMNS = ["bm25", "ctr_7d", "freshness", "doc_len"]
