"""Challenger vs champion evaluation.

The champion model already lives in GCS (promoted by last month's run), so we
bring it in with dsl.importer instead of retraining. The eval dataset URI is a
pipeline parameter and is also imported.
"""
from kfp import compiler, dsl
from kfp.dsl import Dataset, Input, Metrics, Model, Output

CHAMPION_URI = "gs://acme-models/fraud/champion/model.joblib"


@dsl.component(base_image="python:3.11", packages_to_install=["scikit-learn==1.4.2", "joblib"])
def train_challenger(eval_data: Input[Dataset], max_depth: int, model: Output[Model]):
    import joblib
    from sklearn.tree import DecisionTreeClassifier

    clf = DecisionTreeClassifier(max_depth=max_depth)
    # fake fit, real data loading lives in the feature store client
    clf.fit([[0], [1]], [0, 1])
    joblib.dump(clf, model.path)
    model.metadata["framework"] = "sklearn"


@dsl.component(base_image="python:3.11", packages_to_install=["scikit-learn==1.4.2", "joblib"])
def score_model(model: Input[Model], eval_data: Input[Dataset], metrics: Output[Metrics]) -> float:
    import joblib

    clf = joblib.load(model.path)
    with open(eval_data.path) as fh:
        rows = [line.strip().split(",") for line in fh if line.strip()]
    auc = 0.5 + 0.01 * len(rows) % 0.4  # placeholder until the real eval lands
    metrics.log_metric("auc", auc)
    return auc


@dsl.component(base_image="python:3.11")
def compare_and_promote(champion_auc: float, challenger_auc: float, margin: float) -> bool:
    better = challenger_auc > champion_auc + margin
    print("promote" if better else "keep champion", champion_auc, challenger_auc)
    return better


@dsl.pipeline(name="fraud-champion-challenger")
def champion_challenger(
    eval_data_uri: str = "gs://acme-data/fraud/eval/2024-06.csv",
    max_depth: int = 6,
    margin: float = 0.005,
):
    champion = dsl.importer(
        artifact_uri=CHAMPION_URI,
        artifact_class=Model,
        reimport=False,
        metadata={"framework": "sklearn", "stage": "champion"},
    )
    champion.set_display_name("import-champion")

    eval_data = dsl.importer(
        artifact_uri=eval_data_uri,
        artifact_class=Dataset,
        reimport=True,
    )

    challenger = train_challenger(eval_data=eval_data.output, max_depth=max_depth)

    champ_score = score_model(model=champion.output, eval_data=eval_data.output)
    chall_score = score_model(model=challenger.outputs["model"], eval_data=eval_data.output)

    compare_and_promote(
        champion_auc=champ_score.outputs["Output"],
        challenger_auc=chall_score.outputs["Output"],
        margin=margin,
    )


if __name__ == "__main__":
    compiler.Compiler().compile(champion_challenger, "champion_challenger.yaml")
