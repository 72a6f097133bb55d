"""The game server's files as an external asset: the data et-pipeline does not make,
only reads. `server_files` depends on it, so the lineage starts at the server.

Its observations say what the server holds (how many files, the newest one, a data
version that changes when any file is added, grows or is touched), made by one function
from a listing: the session files sensor records one whenever its listing differs from
the last one it recorded (it lists every 5 s anyway, never downloads), and "Observe" in
the UI makes one on demand.
"""
import hashlib
import warnings

import dagster as dg

from et_pipeline.defs.catalog import INGEST
from et_pipeline.defs.resources import StatsSourceResource
from et_pipeline.sources.base import ServerFile

GAME_SERVER = dg.AssetKey("game_server")


def listing_version(files: list[ServerFile]) -> str:
    """Changes when any file is added, removed, grows or is touched."""
    h = hashlib.sha256()
    for f in sorted(files, key=lambda f: f.path):
        h.update(("%s\0%d\0%.3f\n" % (f.path, f.size, f.mtime)).encode())
    return h.hexdigest()[:24]


def listing_metadata(files: list[ServerFile], where: str) -> dict:
    """What the UI shows of a listing. Each key keeps one type (the UI compares and plots
    by key): an empty server has no newest file, so those two keys are left out."""
    meta = {"files": dg.MetadataValue.int(len(files)),
            "stats files": dg.MetadataValue.int(sum(1 for f in files if f.folder == "gamestats"
                                                    and not f.name.endswith("-endstats.txt"))),
            "source": where}
    newest = max(files, key=lambda f: f.mtime, default=None)
    if newest is not None:
        meta.update({"newest file": newest.path, "newest file time": dg.MetadataValue.timestamp(newest.mtime)})
    return meta


def observation(files: list[ServerFile], where: str) -> dg.AssetObservation:
    """The observation the sensor records: the listing's metadata and its version."""
    return dg.AssetObservation(asset_key=GAME_SERVER, metadata={**listing_metadata(files, where),
                                                                "listing version": listing_version(files)})


# Dagster's documented way to observe an external asset; labelled beta (dagster is pinned,
# so a patch release cannot change it under us). This one warning is silenced, no other.
warnings.filterwarnings("ignore", category=dg.BetaWarning, message="Function `multi_observable_source_asset`")
SPEC = dg.AssetSpec(GAME_SERVER, group_name=INGEST,
                    description="The game server's gamestats/ and gametimes/ folders (local or SFTP): read, never "
                                "written. Observed by the session files sensor whenever its listing changes.")


@dg.multi_observable_source_asset(specs=[SPEC])
def game_server(source: StatsSourceResource):
    src = source.get_source()
    files = src.list_files()
    yield dg.ObserveResult(asset_key=GAME_SERVER, data_version=dg.DataVersion(listing_version(files)),
                           metadata=listing_metadata(files, src.describe()))
