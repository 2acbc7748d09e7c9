"""Openers: the output of a job, by media type, as the Python object you work with.

===================================  =========================================
Media type                           Opened as
===================================  =========================================
``application/vnd+zarr``             ``xarray.Dataset`` (lazily, over HTTP)
``application/x-netcdf``             ``xarray.Dataset``
``application/vnd.apache.parquet``   ``pandas.DataFrame`` (GeoParquet: a
                                     ``geopandas.GeoDataFrame``)
``text/csv``                         ``pandas.DataFrame``
``application/geo+json``             ``geopandas.GeoDataFrame``
``application/x-npy``                ``numpy.ndarray``
``image/*``                          ``PIL.Image.Image``
``application/json``                 the JSON value
``text/*``                           ``str``
``application/octet-stream``         ``bytes``
===================================  =========================================

Add your own with :func:`register_opener`, or from another package with an
entry point in the group ``eoproc.openers`` naming an :class:`Opener` (or a
class making one)::

    [project.entry-points."eoproc.openers"]
    cog = "my_package.openers:CogOpener"

Each library is imported only when a result of its media type is opened.
"""

from .base import FunctionOpener, NoOpenerError, Opener, ResultSource, essence
from .registry import (
    ENTRY_POINT_GROUP,
    get_opener,
    open_source,
    openers,
    register_opener,
    unregister_opener,
)

__all__ = [
    "ENTRY_POINT_GROUP",
    "FunctionOpener",
    "NoOpenerError",
    "Opener",
    "ResultSource",
    "essence",
    "get_opener",
    "open_source",
    "openers",
    "register_opener",
    "unregister_opener",
]
