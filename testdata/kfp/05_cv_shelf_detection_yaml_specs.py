"""Object-detection dataset refresh for the shelf-monitoring cameras.

Components come from three places:
  * components/resize_images.yaml and components/compute_image_stats.yaml --
    compiled v2 component specs published by the vision-platform team,
  * an inline copy of the gallery renderer spec (v2 IR, pasted from the
    platform repo because the file isn't released yet),
  * a couple of local lightweight components.
"""
from kfp import compiler, components, dsl
from kfp.dsl import Dataset, Input, Model, Output

resize_op = components.load_component_from_file("components/resize_images.yaml")
image_stats_op = components.load_component_from_file("components/compute_image_stats.yaml")

# copied from vision-platform/specs/render_detections.yaml @ 3f1c2e0
RENDER_DETECTIONS_SPEC = """
components:
  comp-render-detections:
    executorLabel: exec-render-detections
    inputDefinitions:
      artifacts:
        detections:
          artifactType:
            schemaTitle: system.Dataset
            schemaVersion: 0.0.1
      parameters:
        max_images:
          parameterType: NUMBER_INTEGER
    outputDefinitions:
      artifacts:
        gallery:
          artifactType:
            schemaTitle: system.HTML
            schemaVersion: 0.0.1
deploymentSpec:
  executors:
    exec-render-detections:
      container:
        args:
        - --detections
        - '{{$.inputs.artifacts[''detections''].path}}'
        - --max
        - '{{$.inputs.parameters[''max_images'']}}'
        - --html
        - '{{$.outputs.artifacts[''gallery''].path}}'
        command:
        - gallery
        image: ghcr.io/acme-vision/gallery:0.4.1
pipelineInfo:
  name: render-detections
root:
  dag:
    outputs:
      artifacts:
        gallery:
          artifactSelectors:
          - outputArtifactKey: gallery
            producerSubtask: render-detections
    tasks:
      render-detections:
        cachingOptions:
          enableCache: true
        componentRef:
          name: comp-render-detections
        inputs:
          artifacts:
            detections:
              componentInputArtifact: detections
          parameters:
            max_images:
              componentInputParameter: max_images
        taskInfo:
          name: render-detections
  inputDefinitions:
    artifacts:
      detections:
        artifactType:
          schemaTitle: system.Dataset
          schemaVersion: 0.0.1
    parameters:
      max_images:
        parameterType: NUMBER_INTEGER
  outputDefinitions:
    artifacts:
      gallery:
        artifactType:
          schemaTitle: system.HTML
          schemaVersion: 0.0.1
schemaVersion: 2.1.0
sdkVersion: kfp-2.17.3
"""
render_detections_op = components.load_component_from_text(RENDER_DETECTIONS_SPEC)

TARGET_SIZES = [320, 640]


@dsl.component(base_image="python:3.11-slim", packages_to_install=["google-cloud-storage"])
def list_new_frames(camera_bucket: str, since: str, frames: Output[Dataset]):
    # lists objects under gs://<bucket>/frames/ newer than `since`
    with open(frames.path, "w") as fh:
        fh.write(f"{camera_bucket}/frames/{since}/0001.jpg\n")


@dsl.component(base_image="pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime", packages_to_install=["ultralytics==8.2.48"])
def run_detector(images: Input[Dataset], weights: Input[Model], conf: float, detections: Output[Dataset]):
    with open(images.path) as src, open(detections.path, "w") as dst:
        for line in src:
            dst.write(f"{line.strip()},{conf},{weights.uri}\n")


@dsl.pipeline(name="shelf-detection-refresh")
def shelf_detection_refresh(
    camera_bucket: str = "gs://acme-stores-cams",
    since: str = "2024-07-01",
    weights_uri: str = "gs://acme-vision-models/yolov8-shelf/best.pt",
    conf: float = 0.35,
):
    frames = list_new_frames(camera_bucket=camera_bucket, since=since)
    frames.set_caching_options(False)
    image_stats_op(images=frames.outputs["frames"])

    weights = dsl.importer(artifact_uri=weights_uri, artifact_class=Model, reimport=False)

    for size in TARGET_SIZES:
        resized = resize_op(images=frames.outputs["frames"], target_size=size)
        resized.set_display_name(f"resize-{size}px")
        det = run_detector(images=resized.outputs["resized"], weights=weights.output, conf=conf)
        det.set_accelerator_type("nvidia.com/gpu").set_accelerator_limit(1)
        render_detections_op(detections=det.outputs["detections"], max_images=50)


if __name__ == "__main__":
    compiler.Compiler().compile(shelf_detection_refresh, "shelf_detection_refresh.yaml")
