"""Retail floor-plan segmentation (semantic masks for planogram checks). BROKEN.

What's wrong: `train_segmenter` has two outputs (the `model` artifact and
the returned mIoU float), but `segmentation_train` reads `train.output`.
`.output` only works for single-output tasks, so the SDK raises
"AttributeError: The task has multiple outputs. Please reference the output
by its name." The inference pipeline defined first is fine.
"""
from kfp import compiler, dsl
from kfp.dsl import Dataset, Input, Model, Output

SEG_IMAGE = "nvcr.io/nvidia/pytorch:24.05-py3"
PRETRAINED_URI = "gs://acme-vision-models/segformer-b2/ade20k"


@dsl.component(base_image=SEG_IMAGE, packages_to_install=["segmentation-models-pytorch==0.3.3", "albumentations"])
def train_segmenter(images: Input[Dataset], epochs: int, model: Output[Model]) -> float:
    with open(model.path, "w") as fh:
        fh.write(f"segformer epochs={epochs} data={images.uri}")
    return 0.71


@dsl.component(base_image=SEG_IMAGE)
def predict_masks(model: Input[Model], images: Input[Dataset], masks: Output[Dataset]):
    with open(masks.path, "w") as fh:
        fh.write(f"masks of {images.uri} by {model.uri}\n")


@dsl.component(base_image="python:3.11-slim")
def gate_on_miou(miou: float, min_miou: float = 0.65) -> bool:
    return miou >= min_miou


@dsl.pipeline(name="floorplan-mask-inference")
def mask_inference(images_uri: str = "gs://acme-store-scans/2024-08/images/"):
    images = dsl.importer(artifact_uri=images_uri, artifact_class=Dataset, reimport=True)
    model = dsl.importer(artifact_uri=PRETRAINED_URI, artifact_class=Model)
    predict_masks(model=model.output, images=images.output).set_accelerator_type("nvidia.com/gpu").set_accelerator_limit(1)


@dsl.pipeline(name="floorplan-segmentation-train")
def segmentation_train(images_uri: str = "gs://acme-store-scans/labelled/v3/", epochs: int = 40):
    images = dsl.importer(artifact_uri=images_uri, artifact_class=Dataset)
    train = train_segmenter(images=images.output, epochs=epochs)
    train.set_accelerator_type("nvidia.com/gpu").set_accelerator_limit(4)
    # BUG: train has two outputs (model + Output)
    gate_on_miou(miou=train.output)
    predict_masks(model=train.outputs["model"], images=images.output)


if __name__ == "__main__":
    compiler.Compiler().compile(segmentation_train, "segmentation_train.yaml")
