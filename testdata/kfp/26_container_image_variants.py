"""Video transcoding + QC pipeline built entirely from container components.

Images are all over the place (some pinned, some not) because each step is
owned by a different team. Security wants everything pinned by digest
eventually.
"""
from kfp import compiler, dsl
from kfp.dsl import Artifact, Input, Output


@dsl.container_component
def fetch_video(source_uri: str, video: Output[Artifact]):
    # no tag at all -> whatever :latest resolves to today
    return dsl.ContainerSpec(
        image="google/cloud-sdk",
        command=["gsutil", "cp"],
        args=[source_uri, video.path],
    )


@dsl.container_component
def transcode(video: Input[Artifact], preset: str, transcoded: Output[Artifact]):
    return dsl.ContainerSpec(
        image="jrottenberg/ffmpeg:latest",
        command=["ffmpeg"],
        args=["-y", "-i", video.path, "-preset", preset, "-c:v", "libx264", transcoded.path],
    )


@dsl.container_component
def quality_check(transcoded: Input[Artifact], vmaf_threshold: float, report_path: dsl.OutputPath(str)):
    return dsl.ContainerSpec(
        image="ghcr.io/acme-media/vmaf-runner@sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945",
        command=["sh", "-c"],
        args=[
            "vmaf-check --in \"$0\" --min \"$1\" > /tmp/r.txt && mkdir -p \"$(dirname \"$2\")\" && cp /tmp/r.txt \"$2\"",
            transcoded.path,
            vmaf_threshold,
            report_path,
        ],
    )


@dsl.container_component
def publish_to_cdn(transcoded: Input[Artifact], cdn_prefix: str):
    return dsl.ContainerSpec(
        image="gcr.io/acme-media/cdn-publisher:v2.3.1",
        command=["/bin/publish"],
        args=["--file", transcoded.path, "--prefix", cdn_prefix],
    )


@dsl.pipeline(name="video-transcode-qc")
def video_pipeline(
    source_uri: str = "gs://acme-media-raw/uploads/promo.mov",
    cdn_prefix: str = "https://cdn.acme.io/video/",
):
    src = fetch_video(source_uri=source_uri)
    # 3 presets of the same transcode step -> transcode, transcode-2, transcode-3
    fast = transcode(video=src.outputs["video"], preset="veryfast")
    medium = transcode(video=src.outputs["video"], preset="medium")
    slow = transcode(video=src.outputs["video"], preset="slow")
    slow.set_cpu_limit("8")

    qc = quality_check(transcoded=slow.outputs["transcoded"], vmaf_threshold=93.5)
    with dsl.If(qc.outputs["report_path"] != "", name="qc-passed"):
        publish_to_cdn(transcoded=slow.outputs["transcoded"], cdn_prefix=cdn_prefix)
    with dsl.Else():
        publish_to_cdn(transcoded=medium.outputs["transcoded"], cdn_prefix=cdn_prefix)
    fast.set_display_name("preview-encode")


if __name__ == "__main__":
    compiler.Compiler().compile(video_pipeline, "video_pipeline.yaml")
