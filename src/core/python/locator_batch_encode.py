"""Locator Batch's Python worker: results and errors as plain data (the engine's PlainValue).

A result becomes what JSON holds; NaN and +-inf are returned apart, as paths ("specials"), because
JSON cannot hold them and the Node side puts them back. None at the top means "no result".
Shipped with the extension beside locator_batch_worker.py (src/core/python/).
"""
import datetime
import decimal
import os
import traceback

try:
    import numpy as np
except ImportError:  # the worker refuses to run without pandas, which needs numpy
    np = None
try:
    import pandas as pd
except ImportError:
    pd = None

NAN, POS_INF, NEG_INF = 0, 1, 2


class ResultEncodingError(Exception):
    pass


def _where(path):
    return 'result' + ''.join('[%r]' % (k,) for k in path)


def encode_result(value, cells_as_text=False):
    """(plain, specials) for a returned value. `cells_as_text`: a series row's float cells are kept
    as Python writes them ('250.0', not 250), so an unchanged row keeps its text in the locator."""
    specials = []
    plain = _encode(value, [], specials, set(), cells_as_text)
    return plain, specials


def _float(v, path, specials):
    if v != v:
        specials.append([list(path), NAN])
        return None
    if v in (float('inf'), float('-inf')):
        specials.append([list(path), POS_INF if v > 0 else NEG_INF])
        return None
    return v


def _key(k, path):
    if isinstance(k, str):
        return str(k)
    if isinstance(k, (bool, int, float)) or (np is not None and isinstance(k, np.generic)):
        return str(k.item() if np is not None and isinstance(k, np.generic) else k)
    raise ResultEncodingError('%s has a key of type %s (%r); use string keys' % (_where(path), type(k).__name__, k))


def _encode(v, path, specials, ancestors, cells_as_text):
    t = type(v)
    if v is None or t is str or t is bool or t is int:
        return v
    if t is float:
        return _float(v, path, specials)
    if np is not None and isinstance(v, np.generic):
        if isinstance(v, np.bool_):
            return bool(v)
        if isinstance(v, np.integer):
            return int(v)
        if isinstance(v, np.floating):
            return _float(float(v), path, specials)
        if isinstance(v, np.str_):
            return str(v)
        if isinstance(v, np.datetime64):
            return None if np.isnat(v) else pd.Timestamp(v).isoformat() if pd is not None else str(v)
        if isinstance(v, np.timedelta64):
            return str(v)
        if isinstance(v, np.complexfloating):
            raise ResultEncodingError('%s is a complex number; return its real and imaginary parts' % _where(path))
        return _encode(v.item(), path, specials, ancestors, cells_as_text)
    if isinstance(v, str):
        return str(v)
    if isinstance(v, bool):
        return bool(v)
    if isinstance(v, int):
        return int(v)
    if isinstance(v, float):
        return _float(float(v), path, specials)
    if pd is not None:
        if v is pd.NaT or v is pd.NA:
            return None
        if isinstance(v, pd.Timestamp):
            return v.isoformat()
        if isinstance(v, pd.Timedelta):
            return str(v)
    if isinstance(v, (datetime.datetime, datetime.date, datetime.time)):
        return v.isoformat()
    if isinstance(v, datetime.timedelta):
        return str(v)
    if isinstance(v, decimal.Decimal):
        return _float(float(v), path, specials)
    if isinstance(v, complex):
        raise ResultEncodingError('%s is a complex number; return its real and imaginary parts' % _where(path))
    if callable(v) and not hasattr(v, '__len__'):
        raise ResultEncodingError('%s is a function (%r); return data, not code' % (_where(path), v))
    if id(v) in ancestors:
        raise ResultEncodingError('%s refers back to itself (a circular structure)' % _where(path))
    ancestors.add(id(v))
    try:
        return _container(v, path, specials, ancestors, cells_as_text)
    finally:
        ancestors.discard(id(v))


def _container(v, path, specials, ancestors, cells_as_text):
    if pd is not None and isinstance(v, pd.Series):
        return _mapping(v.items(), path, specials, ancestors, cells_as_text)
    if isinstance(v, dict):
        return _mapping(v.items(), path, specials, ancestors, cells_as_text)
    if pd is not None and isinstance(v, pd.DataFrame):
        return [_encode(r, path + [i], specials, ancestors, False) for i, r in enumerate(v.to_dict('records'))]
    if np is not None and isinstance(v, np.ndarray):
        if v.dtype.kind in 'biu':
            return v.tolist()
        if v.dtype.kind == 'f' and bool(np.isfinite(v).all()):
            return v.tolist()
        if v.dtype.kind == 'c':
            raise ResultEncodingError('%s is a complex array; return its real and imaginary parts' % _where(path))
        if v.dtype.kind in 'fUSO':
            items = v.tolist()
        else:  # datetimes, timedeltas: element by element
            items = list(v)
        return _sequence(items, path, specials, ancestors)
    if isinstance(v, (list, tuple)):
        return _sequence(v, path, specials, ancestors)
    if isinstance(v, (set, frozenset)):
        return _sequence(list(v), path, specials, ancestors)
    if isinstance(v, (bytes, bytearray)):
        return list(v)
    raise ResultEncodingError(
        '%s is a %s, which cannot be stored; return numbers, strings, lists, dicts or a pandas Series'
        % (_where(path), type(v).__name__)
    )


def _sequence(items, path, specials, ancestors):
    out = []
    for i, item in enumerate(items):
        path.append(i)
        out.append(_encode(item, path, specials, ancestors, False))
        path.pop()
    return out


def _mapping(items, path, specials, ancestors, cells_as_text):
    out = {}
    for k, item in items:
        key = _key(k, path)
        if cells_as_text and not path and isinstance(item, float) and not isinstance(item, bool):
            out[key] = repr(float(item)) if item == item else 'nan'
            continue
        path.append(key)
        out[key] = _encode(item, path, specials, ancestors, False)
        path.pop()
    return out


# ------------------------------------------------------------------------------------------------
# Errors
# ------------------------------------------------------------------------------------------------

WORKER_FILES = frozenset(
    os.path.abspath(os.path.join(os.path.dirname(__file__), name))
    for name in ('locator_batch_worker.py', 'locator_batch_encode.py')
)


def is_user_file(filename, user_dir):
    """A file of the user's own code: under the apply file's folder, not an installed package."""
    if not filename or not user_dir:
        return False
    f = os.path.abspath(filename)
    if f in WORKER_FILES:
        return False
    parts = f.split(os.sep)
    if 'site-packages' in parts or 'dist-packages' in parts:
        return False
    return f.startswith(user_dir.rstrip(os.sep) + os.sep)


def encode_error(exc, phase, user_dir):
    """A raised exception as the engine's RowError: the traceback without the worker's own frames,
    `location` the innermost frame in the user's own files."""
    te = traceback.TracebackException(type(exc), exc, exc.__traceback__)
    te.stack = traceback.StackSummary.from_list(
        [f for f in te.stack if os.path.abspath(f.filename) not in WORKER_FILES]
    )
    err = {
        'name': type(exc).__name__,
        'message': str(exc),
        'stack': ''.join(te.format()).rstrip('\n'),
        'phase': phase,
    }
    location = None
    for f in reversed(te.stack):
        if is_user_file(f.filename, user_dir) and f.lineno:
            col = getattr(f, 'colno', None)
            location = {'file': os.path.abspath(f.filename), 'line': f.lineno, 'column': (col or 0) + 1}
            break
    if location is None and isinstance(exc, SyntaxError) and exc.filename and exc.lineno:
        location = {'file': os.path.abspath(exc.filename), 'line': exc.lineno, 'column': exc.offset or 1}
    if location:
        err['location'] = location
    code = getattr(exc, 'errno', None)
    if isinstance(code, int):
        err['code'] = code
    return err
