"""Candidate look-up at ACLED's density: 30,000 events over 30 days in one country, one Kharkiv
mention; the store query with and without the boxes around the mention's town.

    .venv/bin/python benchmarks/dense_lookup.py
"""

import glob
import os
import random
import tempfile
import time
from dataclasses import replace
from datetime import date, timedelta

from sitroom.pipeline import candidate_query
from sitroom.records import Event, Mention, Place
from sitroom.store import SQLiteStore

db = os.path.join(tempfile.mkdtemp(prefix="sitroom-dense-"), "dense.db")
for f in glob.glob(db + "*"):
    os.remove(f)
rng = random.Random(1)
st = SQLiteStore(db)
st.open()
start = date(2024, 5, 1)
with st.transaction():
    for i in range(30000):
        lat = rng.uniform(45, 52)
        lon = rng.uniform(22, 40)
        pl = Place(
            f"T{i % 2000}",
            "town",
            "Ukraine",
            "UA",
            "X",
            round(lat, 3),
            round(lon, 3),
            "city",
            f"gn:{i % 2000}",
        )
        st.save_event(
            Event(
                f"e{i}",
                "Explosions/Remote violence",
                "Air/drone strike",
                start + timedelta(days=rng.randint(0, 29)),
                "day",
                pl,
            )
        )
k = Place("Kharkiv", "town", "Ukraine", "UA", "Kharkiv", 49.99, 36.23, "city", "gn:706483")
m = Mention(
    "d", "main", "Explosions/Remote violence", "Air/drone strike", "", 0, 1, date(2024, 5, 15), "day", k
)
q = candidate_query([m])
for label, qq in (("country+date", replace(q, boxes=None, gazetteer_ids=())), ("with boxes", q)):
    t = time.perf_counter()
    for _ in range(20):
        heads = st.candidate_events(qq)
    print(label, len(heads), "heads", round((time.perf_counter() - t) / 20 * 1000, 1), "ms per look-up")
st.close()
for f in glob.glob(db + "*"):
    os.remove(f)
os.rmdir(os.path.dirname(db))
