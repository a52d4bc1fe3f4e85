"""Image dedup + thumbnailing using legacy component specs kept inline.

These components were copy-pasted from the old KFP v1 repo years ago.
Nobody wanted to maintain separate YAML files, so they live here as strings.
"""
from kfp import compiler, components, dsl

# v1 style spec: inputPath / outputPath / inputValue placeholders
DEDUP_IMAGES_YAML = """
name: Dedup images
description: Removes near-duplicate images by perceptual hash.
inputs:
- {name: image_manifest, type: String, description: 'gs:// path of the manifest csv'}
- {name: hamming_threshold, type: Integer, default: '6'}
outputs:
- {name: deduped_manifest, type: Dataset}
- {name: removed_count, type: Integer}
implementation:
  container:
    image: gcr.io/acme-vision/dedup:1.4.2
    command: [python3, /app/dedup.py]
    args:
    - --manifest
    - {inputValue: image_manifest}
    - --threshold
    - {inputValue: hamming_threshold}
    - --out
    - {outputPath: deduped_manifest}
    - --removed-count-file
    - {outputPath: removed_count}
"""

# thumbnail step: takes the deduped manifest as a file
MAKE_THUMBNAILS_YAML = """
name: Make thumbnails
inputs:
- {name: manifest, type: Dataset}
- {name: size, type: String, default: 256x256}
- {name: quality, type: Integer, optional: true}
outputs:
- {name: thumbnails, type: Artifact}
implementation:
  container:
    image: gcr.io/acme-vision/thumbs:latest
    command: [sh, -c]
    args:
    - |
      set -e
      mkdir -p "$2"
      python3 /app/thumbs.py --manifest "$0" --size "$1" --out "$2" ${QUALITY:+--quality $QUALITY}
    - {inputPath: manifest}
    - {inputValue: size}
    - {outputPath: thumbnails}
"""

dedup_images_op = components.load_component_from_text(DEDUP_IMAGES_YAML)
make_thumbnails_op = components.load_component_from_text(MAKE_THUMBNAILS_YAML)


@dsl.component(base_image="python:3.9")
def log_dedup_stats(removed: int, manifest_uri: str):
    with open("/tmp/stats.txt", "w") as fh:
        fh.write(f"{manifest_uri}: removed {removed}\n")
    print(open("/tmp/stats.txt").read())


@dsl.pipeline(name="catalog-image-refresh", description="Dedup product images and regenerate thumbnails")
def catalog_image_refresh(
    image_manifest: str = "gs://acme-catalog/images/manifest.csv",
    hamming_threshold: int = 4,
):
    dedup = dedup_images_op(image_manifest=image_manifest, hamming_threshold=hamming_threshold)
    dedup.set_memory_limit("8G")

    thumbs_small = make_thumbnails_op(manifest=dedup.outputs["deduped_manifest"], size="128x128")
    thumbs_large = make_thumbnails_op(manifest=dedup.outputs["deduped_manifest"], quality=90)
    thumbs_large.after(thumbs_small)  # share a GPU-less node pool, don't hammer GCS

    log_dedup_stats(removed=dedup.outputs["removed_count"], manifest_uri=image_manifest)


if __name__ == "__main__":
    compiler.Compiler().compile(catalog_image_refresh, "catalog_image_refresh.yaml")
