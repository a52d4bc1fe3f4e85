"""LLM fine-tuning job that needs cluster resources beyond plain KFP.

Uses kfp-kubernetes for:
  * the HF token and W&B key (k8s Secrets -> env vars / mounted files)
  * a scratch PVC for the checkpoints (created and deleted by the pipeline)
  * GPU node selector + toleration
"""
from kfp import compiler, dsl, kubernetes
from kfp.dsl import Model, Output

TRAIN_IMAGE = "us-docker.pkg.dev/acme-llm/train/finetune:0.9.1"
CKPT_MOUNT = "/mnt/ckpt"


@dsl.component(base_image=TRAIN_IMAGE)
def download_base_model(model_id: str, mount_dir: str) -> str:
    import os

    from huggingface_hub import snapshot_download

    target = os.path.join(mount_dir, "base")
    snapshot_download(model_id, local_dir=target, token=os.environ["HF_TOKEN"])
    return target


@dsl.component(base_image=TRAIN_IMAGE)
def finetune_lora(base_dir: str, dataset_uri: str, epochs: int, adapter: Output[Model]):
    import os
    import shutil

    print("wandb key present:", bool(os.environ.get("WANDB_API_KEY")))
    out_dir = base_dir.replace("/base", "/adapter")
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "adapter_config.json"), "w") as fh:
        fh.write('{"r": 16, "epochs": %d, "data": "%s"}' % (epochs, dataset_uri))
    shutil.make_archive(adapter.path, "gztar", out_dir)


@dsl.component(base_image="python:3.11-slim")
def cleanup_note(msg: str):
    print(msg)


@dsl.pipeline(name="llm-lora-finetune")
def lora_finetune(
    model_id: str = "meta-llama/Llama-3-8b",
    dataset_uri: str = "gs://acme-llm-data/support-chats/v4/",
    epochs: int = 3,
    pvc_size: str = "200Gi",
):
    pvc = kubernetes.CreatePVC(
        pvc_name_suffix="-lora-ckpt",
        access_modes=["ReadWriteOnce"],
        size=pvc_size,
        storage_class_name="premium-rwo",
    )

    dl = download_base_model(model_id=model_id, mount_dir=CKPT_MOUNT)
    kubernetes.mount_pvc(dl, pvc_name=pvc.outputs["name"], mount_path=CKPT_MOUNT)
    kubernetes.use_secret_as_env(
        dl, secret_name="hf-token", secret_key_to_env={"token": "HF_TOKEN"}
    )

    ft = finetune_lora(base_dir=dl.output, dataset_uri=dataset_uri, epochs=epochs)
    kubernetes.mount_pvc(ft, pvc_name=pvc.outputs["name"], mount_path=CKPT_MOUNT)
    kubernetes.use_secret_as_env(
        ft, secret_name="wandb", secret_key_to_env={"api_key": "WANDB_API_KEY"}
    )
    kubernetes.use_secret_as_volume(ft, secret_name="gcs-sa-key", mount_path="/var/secrets/gcp")
    kubernetes.add_node_selector(ft, label_key="cloud.google.com/gke-accelerator", label_value="nvidia-l4")
    kubernetes.add_toleration(ft, key="nvidia.com/gpu", operator="Exists", effect="NoSchedule")
    ft.set_accelerator_type("nvidia.com/gpu").set_accelerator_limit(1)
    ft.set_env_variable("PYTORCH_CUDA_ALLOC_CONF", "expandable_segments:True")

    delete = kubernetes.DeletePVC(pvc_name=pvc.outputs["name"]).after(ft)
    cleanup_note(msg="checkpoint PVC deleted").after(delete)


if __name__ == "__main__":
    compiler.Compiler().compile(lora_finetune, "lora_finetune.yaml")
