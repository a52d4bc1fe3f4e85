"""Satellite imagery tiling + cloud masking for the crop-yield model (BROKEN).

What's wrong: the mosaic step is supposed to wait for every tile, so the
author wrote `tiles_loop.after(scan)` and then `mosaic.after(tiles_loop)`,
treating the `dsl.ParallelFor` object like a task. ParallelFor groups have
no `.after()` method -> AttributeError at pipeline build time. (Calling
`.after(task_inside_loop)` on the mosaic task would have worked.)

`single_scene` compiles; `regional_tiling` is the broken one.
"""
from typing import List

from kfp import compiler, dsl
from kfp.dsl import Artifact, Input, Output

GEO_IMAGE = "ghcr.io/acme-agri/geo-tools:2024.06"
REGIONS = ["iowa-north", "iowa-south"]


@dsl.component(base_image=GEO_IMAGE, packages_to_install=["rasterio==1.3.10", "sentinelhub"])
def scan_new_scenes(region: str, since: str) -> List[str]:
    return [f"S2A_{region}_{since}_T15TVG", f"S2B_{region}_{since}_T15TWG"]


@dsl.component(base_image=GEO_IMAGE, packages_to_install=["rasterio==1.3.10", "s2cloudless"])
def tile_and_mask(scene_id: str, tile_px: int, tiles: Output[Artifact]):
    with open(tiles.path, "w") as fh:
        fh.write(f"{scene_id} tiles={tile_px}px\n")


@dsl.component(base_image=GEO_IMAGE, packages_to_install=["rasterio==1.3.10"])
def build_mosaic(region: str, mosaic: Output[Artifact], tiles_prefix: str = "gs://acme-agri-tiles/"):
    with open(mosaic.path, "w") as fh:
        fh.write(f"mosaic of {tiles_prefix}{region}\n")


@dsl.pipeline(name="single-scene-tiling")
def single_scene(scene_id: str = "S2A_iowa-north_2024-07-01_T15TVG", tile_px: int = 512):
    tile_and_mask(scene_id=scene_id, tile_px=tile_px)


@dsl.pipeline(name="regional-tiling")
def regional_tiling(since: str = "2024-07-01", tile_px: int = 512):
    for region in REGIONS:
        scan = scan_new_scenes(region=region, since=since)
        scan.set_caching_options(False)  # the catalog is live
        tiles_loop = dsl.ParallelFor(scan.output, parallelism=8)
        with tiles_loop as scene:
            tile_and_mask(scene_id=scene, tile_px=tile_px).set_retry(3)
        tiles_loop.after(scan)  # BUG: ParallelFor has no .after()
        mosaic = build_mosaic(region=region)
        mosaic.after(tiles_loop)


if __name__ == "__main__":
    compiler.Compiler().compile(regional_tiling, "regional_tiling.yaml")
