"""Three small real series that ship with lstm_lib, read offline from package data.

* ``load_sunspots()``: yearly mean sunspot numbers, 1700-2008 (309 values);
* ``load_co2()``: weekly atmospheric CO2 at Mauna Loa, March 1958 - December 2001 (2284 weeks,
  59 of them without a measurement: NaN);
* ``load_nile()``: the Nile's annual flow at Aswan, 1871-1970 (100 values, a drop near 1898).

Each loader returns a ``Series(time, values)`` of numpy arrays; ``PROVENANCE[name]`` says where the
numbers come from. The CSV files in ``lstm_lib/data_files/`` are byte-for-byte copies of the ones
statsmodels 0.15.0 distributes (``statsmodels/datasets/<name>/<name>.csv``), which documents all three
as public domain. Nothing is downloaded.
"""
import csv
import io
from dataclasses import dataclass
from importlib.resources import files
from typing import NamedTuple

import numpy as np


class Series(NamedTuple):
    """A univariate time series: ``time`` (N,) and ``values`` (N,) float64; unpacks as ``t, y = ...``."""

    time: np.ndarray
    values: np.ndarray


@dataclass(frozen=True)
class Provenance:
    """Where a shipped series comes from. ``statsmodels_source``/``_copyright`` quote statsmodels 0.15.0."""

    title: str
    file: str
    period: str
    units: str
    licence: str
    source: str
    statsmodels_source: str
    statsmodels_copyright: str


PROVENANCE = {
    "sunspots": Provenance(
        title="Yearly mean sunspot numbers",
        file="sunspots.csv",
        period="1700-2008, one value per year (309 values)",
        units="sunspot number (the Wolf/International sunspot number as published before SILSO's 2015 "
              "recalibration; a dimensionless count index)",
        licence="public domain",
        source="NOAA National Geophysical Data Center (NGDC), solar data services; copied from statsmodels "
               "0.15.0, statsmodels/datasets/sunspots/sunspots.csv",
        statsmodels_source="http://www.ngdc.noaa.gov/stp/solar/solarda3.html  The original dataset contains "
                           "monthly data on sunspot activity in the file ./src/sunspots_yearly.dat.  There "
                           "is also sunspots_monthly.dat.",
        statsmodels_copyright="This data is public domain.",
    ),
    "co2": Provenance(
        title="Mauna Loa weekly atmospheric CO2",
        file="co2.csv",
        period="29 March 1958 - 29 December 2001, one value per week (weeks ending on Saturday; 2284 "
               "weeks, 59 without data)",
        units="ppmv (parts per million by volume, mole fraction in dry air)",
        licence="public domain",
        source="Keeling, C.D. and T.P. Whorf (2004), Scripps Institution of Oceanography, via the Carbon "
               "Dioxide Information Analysis Center (CDIAC), Oak Ridge National Laboratory; copied from "
               "statsmodels 0.15.0, statsmodels/datasets/co2/co2.csv",
        statsmodels_source="Data obtained from http://cdiac.ornl.gov/trends/co2/sio-keel-flask/"
                           "sio-keel-flaskmlo_c.html  Obtained on 3/15/2014.  Citation: Keeling, C.D. and "
                           "T.P. Whorf. 2004. Atmospheric CO2 concentrations derived from flask air samples "
                           "at sites in the SIO network. In Trends: A Compendium of Data on Global Change. "
                           "Carbon Dioxide Information Analysis Center, Oak Ridge National Laboratory, U.S. "
                           "Department of Energy, Oak Ridge, Tennessee, U.S.A.",
        statsmodels_copyright="This is public domain.",
    ),
    "nile": Provenance(
        title="Annual flow of the Nile at Aswan",
        file="nile.csv",
        period="1871-1970, one value per year (100 values)",
        units="10^8 m^3 per year (discharge volume)",
        licence="public domain",
        source="Cobb (1978), Biometrika 65(2), 243-251; copied from statsmodels 0.15.0, "
               "statsmodels/datasets/nile/nile.csv",
        statsmodels_source='This data is first analyzed in: Cobb, G. W. 1978. "The Problem of the Nile: '
                           'Conditional Solution to a Changepoint Problem." *Biometrika*. 65.2, 243-51.',
        statsmodels_copyright="This is public domain.",
    ),
}


def data_file(name):
    """The packaged CSV of the series ``name`` (a key of ``PROVENANCE``) as an importlib Traversable."""
    if name not in PROVENANCE:
        raise ValueError(f"name must be one of {sorted(PROVENANCE)}, got {name!r}")
    return files("lstm_lib") / "data_files" / PROVENANCE[name].file


def _read(name, header):
    """The CSV's two columns as lists of strings, after checking its header."""
    rows = list(csv.reader(io.StringIO(data_file(name).read_text(encoding="ascii"))))
    if rows[0] != list(header):
        raise ValueError(f"{PROVENANCE[name].file}: expected the header {header}, got {rows[0]}")
    first, second = zip(*rows[1:])
    return first, second


def load_sunspots():
    """Yearly mean sunspot numbers 1700-2008 -> ``Series(time, values)``.

    ``time`` (309,) int64 years 1700..2008; ``values`` (309,) float64 sunspot numbers (>= 0, no gaps).
    """
    years, spots = _read("sunspots", ("YEAR", "SUNACTIVITY"))
    return Series(np.array(years, dtype=np.int64), np.array(spots, dtype=np.float64))


def load_co2():
    """Weekly Mauna Loa CO2, 1958-03-29 to 2001-12-29 -> ``Series(time, values)``.

    ``time`` (2284,) datetime64[D], one date per week, 7 days apart with none missing; ``values`` (2284,)
    float64 in ppmv, NaN for the 59 weeks without a measurement (``np.isnan(values)`` is the gap mask;
    the gaps are kept, not filled, so the caller decides how to treat them).
    """
    dates, co2 = _read("co2", ("date", "co2"))
    time = np.array([f"{d[:4]}-{d[4:6]}-{d[6:]}" for d in dates], dtype="datetime64[D]")
    return Series(time, np.array([float(v) if v else np.nan for v in co2], dtype=np.float64))


def load_nile():
    """Annual flow of the Nile at Aswan 1871-1970 -> ``Series(time, values)``.

    ``time`` (100,) int64 years 1871..1970; ``values`` (100,) float64 in 10^8 m^3 per year (no gaps).
    """
    years, flow = _read("nile", ("year", "volume"))
    return Series(np.array(years, dtype=np.int64), np.array(flow, dtype=np.float64))
