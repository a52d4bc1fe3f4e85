"""Daily "mixes" playlist generation for the music app (BROKEN).

What's wrong: in `daily_mixes`, `rank_tracks(...)` gets its candidates as a
*positional* argument. KFP components only accept keyword arguments, so the
SDK raises a TypeError while building the pipeline. `cold_start_mixes`
above it is fine and compiles.

Found by the linter rollout; the fix (candidates=...) is in PR #4410.
"""
from typing import List

from kfp import compiler, dsl
from kfp.dsl import Dataset, Input, Output

MUSIC_IMAGE = "gcr.io/acme-music/recs:2024.08.0"
MIX_GENRES = ["indie", "jazz", "lofi"]


@dsl.component(base_image=MUSIC_IMAGE)
def sample_listening_history(user_cohort: str, days: int, history: Output[Dataset]):
    with open(history.path, "w") as fh:
        fh.write(f"{user_cohort}:{days}\n")


@dsl.component(base_image=MUSIC_IMAGE, packages_to_install=["implicit==0.7.2"])
def generate_track_candidates(history: Input[Dataset], genre: str, candidates: Output[Dataset], n: int = 200):
    with open(candidates.path, "w") as fh:
        fh.write(f"{genre} x{n} from {history.uri}\n")


@dsl.component(base_image=MUSIC_IMAGE)
def rank_tracks(candidates: Input[Dataset], diversity: float, playlist: Output[Dataset]) -> int:
    with open(playlist.path, "w") as fh:
        fh.write(f"ranked {candidates.uri} diversity={diversity}\n")
    return 30


@dsl.component(base_image=MUSIC_IMAGE)
def publish_playlists(track_counts: List[int], surface: str = "home-feed"):
    print(f"{surface}: {sum(track_counts)} tracks across {len(track_counts)} mixes")


@dsl.pipeline(name="cold-start-mixes")
def cold_start_mixes(user_cohort: str = "signed_up_last_7d"):
    hist = sample_listening_history(user_cohort=user_cohort, days=7)
    cands = generate_track_candidates(history=hist.outputs["history"], genre="top-charts", n=500)
    rank_tracks(candidates=cands.outputs["candidates"], diversity=0.2)


@dsl.pipeline(name="daily-mixes")
def daily_mixes(user_cohort: str = "active_30d", diversity: float = 0.35):
    hist = sample_listening_history(user_cohort=user_cohort, days=30)
    for genre in MIX_GENRES:
        cands = generate_track_candidates(history=hist.outputs["history"], genre=genre)
        cands.set_display_name(f"candidates-{genre}")
        # BUG: positional first argument
        ranked = rank_tracks(cands.outputs["candidates"], diversity=diversity)
        ranked.set_retry(2)
    publish_playlists(track_counts=[30, 30, 30])


@dsl.pipeline(name="daily-mixes-backfill")
def daily_mixes_backfill(user_cohort: str = "active_30d"):
    hist = sample_listening_history(user_cohort=user_cohort, days=90)
    generate_track_candidates(history=hist.outputs["history"], genre="indie")


if __name__ == "__main__":
    compiler.Compiler().compile(daily_mixes, "daily_mixes.yaml")
