"""The shipped real series: unchanged files, loader shapes and units, and equality with statsmodels' copies."""
import hashlib

import numpy as np
import pytest

import lstm_lib as ll
from lstm_lib import datasets

# sha256 of each packaged CSV: the files are byte-for-byte statsmodels 0.15.0's copies
SHA256 = {
    "sunspots": "f67889b1d9002cd5227f0e0ef54e35b419cdd85a31279adef6f73fb41e5c0a9b",
    "co2": "16695fa2786e53414e5a6b54767a3fdf5de99cfbc68617f69d1362d92776a92f",
    "nile": "88e97bea7249e5832a85e41aec6ce4b8f7b1b14aae930c8363da7f193286b598",
}
ROWS = {"sunspots": 309, "co2": 2284, "nile": 100}   # data lines after the header
LOADERS = {"sunspots": datasets.load_sunspots, "co2": datasets.load_co2, "nile": datasets.load_nile}


@pytest.mark.parametrize("name", sorted(SHA256))
def test_file_checksum_and_shape(name):
    raw = datasets.data_file(name).read_bytes()
    assert hashlib.sha256(raw).hexdigest() == SHA256[name]
    lines = raw.decode("ascii").splitlines()
    assert len(lines) == 1 + ROWS[name]
    assert all(line.count(",") == 1 for line in lines)   # two columns on every line


@pytest.mark.parametrize("name", sorted(LOADERS))
def test_provenance_is_complete(name):
    p = datasets.PROVENANCE[name]
    assert p.licence == "public domain" and "public domain" in p.statsmodels_copyright
    assert p.file == f"{name}.csv" and "statsmodels 0.15.0" in p.source
    assert all(getattr(p, f) for f in ("title", "period", "units", "statsmodels_source"))


def test_sunspots():
    years, spots = datasets.load_sunspots()
    assert years.shape == spots.shape == (309,)
    assert years.dtype == np.int64 and spots.dtype == np.float64
    np.testing.assert_array_equal(years, np.arange(1700, 2009))
    assert spots.min() == 0.0 and np.isfinite(spots).all()
    assert (years[0], spots[0]) == (1700, 5.0) and spots[-1] == 2.9   # first and last lines of the file
    assert years[np.argmax(spots)] == 1957                            # the largest maximum on record


def test_co2_keeps_its_gaps():
    series = datasets.load_co2()
    assert isinstance(series, datasets.Series)
    time, co2 = series
    assert time.shape == co2.shape == (2284,)
    assert time.dtype == np.dtype("datetime64[D]") and co2.dtype == np.float64
    assert time[0] == np.datetime64("1958-03-29") and time[-1] == np.datetime64("2001-12-29")
    assert (np.diff(time) == np.timedelta64(7, "D")).all()   # weekly, no week left out of the axis
    gaps = np.isnan(co2)
    assert gaps.sum() == 59 and gaps[6] and not gaps[5]      # 1958-05-10 has no measurement
    assert 310 < np.nanmin(co2) < np.nanmax(co2) < 375       # ppmv


def test_nile():
    years, flow = datasets.load_nile()
    assert years.shape == flow.shape == (100,)
    np.testing.assert_array_equal(years, np.arange(1871, 1971))
    assert (flow[0], flow[-1]) == (1120.0, 740.0)
    # the drop near 1898: the mean flow after is clearly lower than before
    assert flow[years < 1899].mean() - flow[years >= 1899].mean() > 200


def test_bad_name_is_named():
    with pytest.raises(ValueError, match=r"name must be one of \['co2', 'nile', 'sunspots'\], got 'elnino'"):
        datasets.data_file("elnino")


def test_reachable_from_the_package():
    assert ll.datasets is datasets


# statsmodels' column names; its nile ``endog`` is all NaN in 0.15.0 (a Series re-indexed by year), so the
# comparison uses the ``data`` frames
STATSMODELS_COLUMNS = {"sunspots": ("YEAR", "SUNACTIVITY"), "nile": ("year", "volume")}


@pytest.mark.parametrize("name", sorted(LOADERS))
def test_values_equal_statsmodels(name):
    sm_datasets = pytest.importorskip(
        "statsmodels.datasets", reason="statsmodels is not installed (optional: it only confirms the copies)")
    time, values = LOADERS[name]()
    frame = getattr(sm_datasets, name).load_pandas().data
    if name == "co2":
        np.testing.assert_array_equal(frame.index.to_numpy().astype("datetime64[D]"), time)
        np.testing.assert_array_equal(frame["co2"].to_numpy(), values)   # NaN where statsmodels has NaN
    else:
        year, value = STATSMODELS_COLUMNS[name]
        np.testing.assert_array_equal(frame[year].to_numpy().astype(np.int64), time)
        np.testing.assert_array_equal(frame[value].to_numpy(dtype=np.float64), values)
