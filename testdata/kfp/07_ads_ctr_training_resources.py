"""Ads CTR model (DCN-v2) daily training on the shared GPU pool.

Resource settings were negotiated with the infra team; please don't raise
limits without a ticket. Secrets come from the ads-ml namespace, the
feature cache lives on a pre-provisioned PVC (ads-feature-cache, RWX).
"""
from kfp import compiler, dsl
from kfp.kubernetes import add_node_selector, mount_pvc, use_secret_as_env
from kfp.dsl import Dataset, Input, Metrics, Model, Output

ADS_IMAGE = "us-docker.pkg.dev/acme-ads/ml/ctr-trainer:2024.07.2"
FEATURE_CACHE_PVC = "ads-feature-cache"
CACHE_MOUNT = "/mnt/feature-cache"
GPU_POOL = {"cloud.google.com/gke-accelerator": "nvidia-tesla-a100"}


@dsl.component(base_image=ADS_IMAGE, packages_to_install=["google-cloud-bigquery==3.11.4"])
def pull_impressions(impressions_table: str, day: str, impressions: Output[Dataset]):
    from google.cloud import bigquery

    client = bigquery.Client()
    job = client.query(f"SELECT * FROM `{impressions_table}` WHERE day = '{day}'")
    job.to_dataframe().to_parquet(impressions.path)


@dsl.component(base_image=ADS_IMAGE)
def build_ctr_features(impressions: Input[Dataset], cache_dir: str, features: Output[Dataset]):
    import os

    print("cache entries:", len(os.listdir(cache_dir)) if os.path.isdir(cache_dir) else 0)
    with open(impressions.path, "rb") as src, open(features.path, "wb") as dst:
        dst.write(src.read())


@dsl.component(base_image=ADS_IMAGE)
def train_dcn(features: Input[Dataset], epochs: int, batch_size: int, model: Output[Model], metrics: Output[Metrics]):
    import os

    print("wandb:", bool(os.environ.get("WANDB_API_KEY")), "precision:", os.environ.get("TRAIN_PRECISION"))
    with open(model.path, "w") as fh:
        fh.write(f"dcn epochs={epochs} bs={batch_size}")
    metrics.log_metric("logloss", 0.4321)


@dsl.component(base_image=ADS_IMAGE)
def calibrate(model: Input[Model], features: Input[Dataset], calibrated: Output[Model]):
    with open(calibrated.path, "w") as fh:
        fh.write(f"isotonic({model.uri})")


@dsl.pipeline(name="ads-ctr-daily-train", pipeline_root="gs://acme-ads-pipeline-root/ctr")
def ctr_daily_train(
    impressions_table: str = "acme-ads.logs.impressions",
    day: str = "2024-07-20",
    epochs: int = 2,
    batch_size: int = 8192,
):
    imps = pull_impressions(impressions_table=impressions_table, day=day)
    imps.set_cpu_request("2").set_memory_request("8G").set_cpu_limit("4").set_memory_limit("16G")
    use_secret_as_env(imps, secret_name="bq-reader-sa", secret_key_to_env={"key.json": "GOOGLE_APPLICATION_CREDENTIALS_JSON"})

    feats = build_ctr_features(impressions=imps.outputs["impressions"], cache_dir=CACHE_MOUNT)
    mount_pvc(feats, pvc_name=FEATURE_CACHE_PVC, mount_path=CACHE_MOUNT)
    feats.set_memory_limit("64G")

    train = (
        train_dcn(features=feats.outputs["features"], epochs=epochs, batch_size=batch_size)
        .set_accelerator_type("nvidia.com/gpu")
        .set_accelerator_limit(2)
        .set_cpu_limit("16")
        .set_memory_limit("128G")
        .set_env_variable("TRAIN_PRECISION", "bf16")
        .set_env_variable("NCCL_DEBUG", "WARN")
        .set_retry(num_retries=2, backoff_duration="300s", backoff_factor=2.0, backoff_max_duration="3600s")
    )
    for key, value in GPU_POOL.items():
        add_node_selector(train, label_key=key, label_value=value)
    use_secret_as_env(train, secret_name="wandb", secret_key_to_env={"api_key": "WANDB_API_KEY"})
    mount_pvc(train, pvc_name=FEATURE_CACHE_PVC, mount_path=CACHE_MOUNT)

    cal = calibrate(model=train.outputs["model"], features=feats.outputs["features"])
    cal.set_display_name("isotonic-calibration").set_caching_options(False)


if __name__ == "__main__":
    compiler.Compiler().compile(ctr_daily_train, "ctr_daily_train.yaml")
