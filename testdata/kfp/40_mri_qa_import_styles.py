"""MRI scan quality assurance (motion artifacts, coil dropouts) for the
radiology research cluster.

Three people wrote this file in three import styles; it works, so nobody
has dared to normalise it. Pipelines:
  * "MRI QA_Nightly Check"  -- the main one (name needs sanitising)
  * mri_qa_single_site      -- one site, derived name
  * "MRI-QA Rescan Triage"  -- re-uses the single-site pipeline for two sites
"""
import kfp
import kfp.dsl
from kfp.dsl import ContainerSpec, InputPath, OutputPath, component, container_component, pipeline

QA_IMAGE = "registry.acme-health.internal/radiology/mri-qa:2.0.4"
SITES = {"site_a": "gs://acme-radiology/site-a/dicom", "site_b": "gs://acme-radiology/site-b/dicom"}


@component(base_image=QA_IMAGE)
def index_dicom_series(dicom_root: str, index_csv: OutputPath("CSV")) -> int:
    with open(index_csv, "w") as fh:
        fh.write(f"series_uid,path\n1.2.840.1,{dicom_root}/0001\n")
    return 1


@kfp.dsl.component(base_image=QA_IMAGE, packages_to_install=["torch==2.3.1", "monai==1.3.1"])
def train_motion_detector(index_csv: InputPath("CSV"), epochs: int, detector: OutputPath("Model")):
    with open(index_csv) as fh, open(detector, "w") as out:
        out.write(f"monai densenet epochs={epochs} rows={sum(1 for _ in fh)}")


# NOTE: container components can't take InputPath(...) (kfp 2.17 raises
# "`param_type` is not a parameter type"), hence Input[...] + .path here.
# An untyped OutputPath("CSV") upstream arrives as a plain system.Artifact.
@container_component
def score_series(
    index_csv: kfp.dsl.Input[kfp.dsl.Artifact],
    detector: kfp.dsl.Input[kfp.dsl.Model],
    site: str,
    scores: kfp.dsl.Output[kfp.dsl.Dataset],
):
    return ContainerSpec(
        image=QA_IMAGE,
        command=["mri-qa", "score"],
        args=[
            "--index", index_csv.path,
            "--model", detector.path,
            kfp.dsl.ConcatPlaceholder(["--site=", site, "--out=", scores.path]),
        ],
    )


@kfp.dsl.component(base_image="python:3.11-slim")
def flag_rescans(scores: kfp.dsl.Input[kfp.dsl.Dataset], motion_threshold: float = 0.7) -> list:
    print(f"reading {scores.path}, threshold {motion_threshold}")
    return ["1.2.840.1"]


@pipeline
def mri_qa_single_site(dicom_root: str, site: str, epochs: int = 5) -> list:
    idx = index_dicom_series(dicom_root=dicom_root)
    det = train_motion_detector(index_csv=idx.outputs["index_csv"], epochs=epochs)
    sc = score_series(index_csv=idx.outputs["index_csv"], detector=det.outputs["detector"], site=site)
    flags = flag_rescans(scores=sc.outputs["scores"])
    return flags.output


@kfp.dsl.pipeline(name="MRI QA_Nightly Check", description="Nightly motion/dropout QA across sites.")
def mri_qa_nightly(epochs: int = 10):
    for site, root in SITES.items():
        idx = index_dicom_series(dicom_root=root)
        idx.set_display_name(f"index-{site}")
        det = train_motion_detector(index_csv=idx.outputs["index_csv"], epochs=epochs)
        det.set_accelerator_type("nvidia.com/gpu").set_accelerator_limit(1)
        sc = score_series(index_csv=idx.outputs["index_csv"], detector=det.outputs["detector"], site=site)
        flag_rescans(scores=sc.outputs["scores"], motion_threshold=0.65)


@pipeline(name="MRI-QA Rescan Triage")
def rescan_triage(site_a_root: str = SITES["site_a"], site_b_root: str = SITES["site_b"]):
    a = mri_qa_single_site(dicom_root=site_a_root, site="site_a")
    b = mri_qa_single_site(dicom_root=site_b_root, site="site_b", epochs=2)
    b.after(a)  # share the single GPU node


if __name__ == "__main__":
    kfp.compiler.Compiler().compile(mri_qa_nightly, "mri_qa_nightly.yaml")
    kfp.compiler.Compiler().compile(rescan_triage, "rescan_triage.yaml")
