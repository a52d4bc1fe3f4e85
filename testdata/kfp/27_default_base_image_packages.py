"""Quick text classification baseline -- written in a notebook, then pasted here.

Half of these components don't set base_image (so they get the KFP default),
and the package pins are... inconsistent.
"""
from kfp import compiler, dsl
from kfp.dsl import Dataset, Input, Metrics, Model, Output


@dsl.component
def make_splits(test_size: float, train: Output[Dataset], test: Output[Dataset]):
    import csv
    import random

    rows = [("great product", 1), ("terrible", 0), ("meh", 0), ("love it", 1)] * 25
    random.shuffle(rows)
    cut = int(len(rows) * (1 - test_size))
    for path, chunk in ((train.path, rows[:cut]), (test.path, rows[cut:])):
        with open(path, "w", newline="") as fh:
            csv.writer(fh).writerows(chunk)


@dsl.component(packages_to_install=["scikit-learn==1.5.0", "numpy>=1.26", "scipy"])
def train_tfidf_lr(train: Input[Dataset], c: float, model: Output[Model]):
    import csv
    import pickle

    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    with open(train.path) as fh:
        rows = list(csv.reader(fh))
    pipe = make_pipeline(TfidfVectorizer(), LogisticRegression(C=c))
    pipe.fit([r[0] for r in rows], [int(r[1]) for r in rows])
    with open(model.path, "wb") as fh:
        pickle.dump(pipe, fh)


@dsl.component(
    base_image="python:3.11",
    packages_to_install=["scikit-learn==1.5.0", "numpy>=1.26", "scipy"],
    pip_index_urls=["https://pypi.org/simple"],
)
def evaluate(model: Input[Model], test: Input[Dataset], metrics: Output[Metrics]):
    import csv
    import pickle

    with open(model.path, "rb") as fh:
        pipe = pickle.load(fh)
    with open(test.path) as fh:
        rows = list(csv.reader(fh))
    acc = pipe.score([r[0] for r in rows], [int(r[1]) for r in rows])
    metrics.log_metric("accuracy", acc)


@dsl.component(packages_to_install=["matplotlib", "seaborn>=0.13"])
def plot_confusion(metrics_note: str = "see metrics artifact"):
    import matplotlib

    matplotlib.use("Agg")
    print(metrics_note)


# name derived from the function name: text-baseline-pipeline
@dsl.pipeline
def text_baseline_pipeline(test_size: float = 0.2, c: float = 1.0):
    splits = make_splits(test_size=test_size)
    m = train_tfidf_lr(train=splits.outputs["train"], c=c)
    ev = evaluate(model=m.outputs["model"], test=splits.outputs["test"])
    plot_confusion().after(ev)


if __name__ == "__main__":
    compiler.Compiler().compile(text_baseline_pipeline, "text_baseline_pipeline.yaml")
