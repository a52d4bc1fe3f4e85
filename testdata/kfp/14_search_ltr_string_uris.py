"""Learning-to-rank retrain for site search.

Historical note: this predates artifacts in our KFP setup, so steps pass
bucket paths around as plain strings (model_path, data_uri, input_table).
Some steps read live external state; caching is only disabled on a few of
them -- see SEARCH-977 for the stale-click-log incident.
"""
from kfp import compiler, dsl
from kfp.dsl import OutputPath

LTR_IMAGE = "gcr.io/acme-search/ltr:5.0.1"
CLICK_LOG_TABLE = "acme-search.logs.clicks"  # project.dataset.table
SYNONYMS_URL = "https://search-config.acme.internal/api/synonyms?format=json"


@dsl.component(base_image=LTR_IMAGE, packages_to_install=["google-cloud-bigquery==3.11.4"])
def export_click_logs(input_table: str, days: int, export_bucket: str) -> str:
    from google.cloud import bigquery

    dest = f"{export_bucket}/clicks/last_{days}d/*.parquet"
    client = bigquery.Client()
    client.query(f"EXPORT DATA OPTIONS(uri='{dest}', format='PARQUET') AS SELECT * FROM `{input_table}`").result()
    return dest


@dsl.component(base_image=LTR_IMAGE, packages_to_install=["requests==2.32.3"])
def fetch_synonyms(synonyms_url: str, synonyms_file: OutputPath()):
    import requests

    resp = requests.get(synonyms_url, timeout=30)
    resp.raise_for_status()
    with open(synonyms_file, "w") as fh:
        fh.write(resp.text)


@dsl.component()
def build_training_pairs(data_uri: str, synonyms_file: dsl.InputPath(), output_prefix: str) -> str:
    with open(synonyms_file) as fh:
        n_syn = len(fh.read())
    out = f"{output_prefix}/pairs/"
    print(f"{data_uri} + {n_syn} bytes of synonyms -> {out}")
    return out


@dsl.component(base_image=LTR_IMAGE, packages_to_install=["lightgbm==4.3.0", "s3fs"])
def train_lambdamart(data_uri: str, num_trees: int, model_dir: str) -> str:
    model_path = f"{model_dir}/lambdamart-{num_trees}.txt"
    print(f"training on {data_uri}, saving {model_path}")
    return model_path


@dsl.component(base_image=LTR_IMAGE, packages_to_install=["lightgbm==4.3.0"])
def offline_ndcg(model_path: str, judgments_uri: str) -> float:
    print(f"ndcg@10 of {model_path} on {judgments_uri}")
    return 0.61


@dsl.component(base_image=LTR_IMAGE, packages_to_install=["requests==2.32.3"])
def deploy_ranker(model_path: str, endpoint: str, min_ndcg: float, ndcg: float):
    import requests

    if ndcg >= min_ndcg:
        requests.post(f"{endpoint}/models", json={"uri": model_path}, timeout=30)


@dsl.pipeline(name="search-ltr-retrain")
def ltr_retrain(
    click_table: str = CLICK_LOG_TABLE,
    export_bucket: str = "gs://acme-search-ltr",
    judgments_uri: str = "s3://acme-search-judgments/2024-06/judgments.tsv",
    feature_table: str = "bq://acme-search.features.query_doc",
    endpoint: str = "https://ranker.search.acme.internal",
    num_trees: int = 800,
):
    clicks = export_click_logs(input_table=click_table, days=30, export_bucket=export_bucket)
    # clicks is cached: same inputs, stale table contents (SEARCH-977)

    syn = fetch_synonyms(synonyms_url=SYNONYMS_URL)
    syn.set_caching_options(False)

    pairs = build_training_pairs(
        data_uri=clicks.output, synonyms_file=syn.outputs["synonyms_file"], output_prefix=export_bucket
    )
    model = train_lambdamart(data_uri=pairs.output, num_trees=num_trees, model_dir=f"{export_bucket}/models")
    model.set_retry(2)
    ndcg = offline_ndcg(model_path=model.output, judgments_uri=judgments_uri)

    # a second pass on the feature-store export, same component
    fs_model = train_lambdamart(data_uri=feature_table, num_trees=200, model_dir=f"{export_bucket}/models/fs")
    fs_ndcg = offline_ndcg(model_path=fs_model.output, judgments_uri=judgments_uri)

    deploy = deploy_ranker(model_path=model.output, endpoint=endpoint, min_ndcg=0.6, ndcg=ndcg.output)
    deploy.set_caching_options(False)
    deploy.after(fs_ndcg, syn)  # don't deploy while the comparison run is still going


if __name__ == "__main__":
    compiler.Compiler().compile(ltr_retrain, "ltr_retrain.yaml")
