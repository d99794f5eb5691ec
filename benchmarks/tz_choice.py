"""Lookup time of tzfpy vs timezonefinder (docs/providers.md): `python benchmarks/tz_choice.py NAME`
after `pip install --target /tmp/w13tz-NAME NAME`. Not part of the benchmark suite."""

import random
import sys
import time

which = sys.argv[1]
sys.path.insert(0, f"/tmp/w13tz-{which}")
t0 = time.perf_counter()
if which == "tzfpy":
    from tzfpy import get_tz

    def f(lat, lng):
        return get_tz(lng, lat)
else:
    from timezonefinder import TimezoneFinder

    tf = TimezoneFinder()

    def f(lat, lng):
        return tf.timezone_at(lng=lng, lat=lat)


f(0.0, 0.0)
t_init = time.perf_counter() - t0
pts = {
    "Cancun": (21.1619, -86.8515),
    "Mexico City": (19.4326, -99.1332),
    "Rio": (-22.9068, -43.1729),
    "Moscow": (55.7558, 37.6173),
    "St Petersburg": (59.9311, 30.3609),
    "Phoenix": (33.4484, -112.0740),
    "Glendale AZ": (33.5387, -112.1860),
    "Nampa ID": (43.5407, -116.5635),
    "Morrisburg": (44.9001, -75.1836),
}
for k, (la, lo) in pts.items():
    print(k, f(la, lo))
rnd = random.Random(1)
pp = [(rnd.uniform(-60, 70), rnd.uniform(-180, 180)) for _ in range(20000)]
t0 = time.perf_counter()
for la, lo in pp:
    f(la, lo)
dt = time.perf_counter() - t0
print(
    f"{which}: first lookup incl. import/init {t_init * 1000:.1f} ms; {len(pp)} random lookups {dt:.3f}s = {dt / len(pp) * 1e6:.1f} us/lookup"
)
