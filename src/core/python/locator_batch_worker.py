"""Locator Batch's Python worker: runs a .py apply file's condition and apply on locator rows.

Started by the extension (src/core/python/pythonProcess.ts) with the protocol on its own file
descriptors, never on stdout: commands come in on fd 3 and messages go out on fd 4, one JSON object a
line. User output (print, MNE's logging) written to sys.stdout / sys.stderr goes out as `out`
messages tagged with the row that wrote it; output written straight to fd 1 / 2 (C code,
subprocesses) reaches the parent on the real stdout / stderr.

Rows are what EEGUnity's batch_process gives: the locator read with pandas.read_csv, each row a
Series from iterrows() whose .name is its index. A chunk of rows is one DataFrame slice (global
index kept), not one Series built per row.
"""
import io
import json
import linecache
import os
import sys
import threading
import time
import types
from concurrent.futures import ThreadPoolExecutor, wait

_CMD = os.fdopen(3, 'rb')
_OUT_FD = 4
for _fd in (3, 4):
    os.set_inheritable(_fd, False)
_send_lock = threading.Lock()
_local = threading.local()
FLUSH_SECONDS = 0.02


def send(msg):
    data = (json.dumps(msg, separators=(',', ':'), allow_nan=False) + '\n').encode('utf-8')
    with _send_lock:
        view = memoryview(data)
        while view:
            view = view[os.write(_OUT_FD, view):]


class RowOutput(io.TextIOBase):
    """sys.stdout / sys.stderr: whole lines go to the parent tagged with the row of this thread."""

    def __init__(self, stream, fd):
        self.stream = stream
        self.fd = fd

    def writable(self):
        return True

    @property
    def encoding(self):
        return 'utf-8'

    def isatty(self):
        return False

    def fileno(self):
        return self.fd

    def write(self, s):
        if not isinstance(s, str):
            raise TypeError('write() argument must be str, not %s' % type(s).__name__)
        key = 'buf_' + self.stream
        buf = getattr(_local, key, '') + s
        cut = buf.rfind('\n') + 1
        if cut:
            self._emit(buf[:cut])
            buf = buf[cut:]
        setattr(_local, key, buf)
        return len(s)

    def flush(self):
        key = 'buf_' + self.stream
        buf = getattr(_local, key, '')
        if buf:
            setattr(_local, key, '')
            self._emit(buf)

    def _emit(self, text):
        send({'op': 'out', 'i': getattr(_local, 'row', None), 's': self.stream, 't': text})


sys.stdout = RowOutput('stdout', 1)
sys.stderr = RowOutput('stderr', 2)
sys.dont_write_bytecode = True  # no __pycache__ in the user's folder

from locator_batch_encode import ResultEncodingError, encode_error, encode_result, is_user_file  # noqa: E402


def hello():
    msg = {
        'op': 'hello',
        'python': '%d.%d.%d' % sys.version_info[:3],
        'executable': sys.executable,
        'pid': os.getpid(),
    }
    try:
        import pandas

        msg['pandas'] = pandas.__version__
    except Exception as e:  # no pandas, or a broken one
        msg['pandasError'] = '%s: %s' % (type(e).__name__, e)
    send(msg)


class Run:
    """One run's apply module (imported afresh), its locator frame and its thread pool."""

    counter = 0

    def __init__(self, cmd):
        self.id = cmd.get('run')
        self.file = os.path.abspath(cmd['file'])
        self.dir = os.path.dirname(self.file)
        self.series = cmd.get('resultType') == 'series'
        self.threads = max(1, int(cmd.get('threads') or 1))
        self.module = self._import()
        self.apply = self._function(('apply', 'app_func'), required=True)
        self.condition = self._function(('condition', 'con_func'), required=False)
        defaults = getattr(self.module, 'defaults', None)
        if defaults is not None and not isinstance(defaults, dict):
            raise LoadError('%s: defaults is a %s, not a dict' % (self.file, type(defaults).__name__))
        self.defaults = encode_result(defaults)[0] if defaults else {}
        self.frame = self._read_locator(cmd.get('locator'))
        self.pool = ThreadPoolExecutor(self.threads) if self.threads > 1 else None

    def _import(self):
        # Forget the previous run's module and the user's own modules beside it, so edits show.
        for name, mod in list(sys.modules.items()):
            if name.startswith('locator_batch_apply_') or is_user_file(getattr(mod, '__file__', None), self.dir):
                del sys.modules[name]
        import importlib

        importlib.invalidate_caches()
        linecache.checkcache()
        if self.dir not in sys.path:
            sys.path.insert(0, self.dir)
        Run.counter += 1
        name = 'locator_batch_apply_%d' % Run.counter
        module = types.ModuleType(name)
        module.__file__ = self.file
        sys.modules[name] = module
        with open(self.file, 'rb') as f:
            source = f.read()
        exec(compile(source, self.file, 'exec', dont_inherit=True), module.__dict__)
        return module

    def _function(self, names, required):
        for name in names:
            fn = getattr(self.module, name, None)
            if fn is not None:
                if not callable(fn):
                    raise LoadError('%s: %s is a %s, not a function' % (self.file, name, type(fn).__name__))
                return fn
        if required:
            defined = sorted(k for k, v in vars(self.module).items() if callable(v) and not k.startswith('_'))
            raise LoadError(
                '%s defines no apply(row) or app_func(row) function%s'
                % (self.file, '; it defines: ' + ', '.join(defined) if defined else '')
            )
        return None

    def _read_locator(self, locator):
        if not locator:
            return None
        import pandas as pd

        try:
            if 'path' in locator:
                with open(locator['path'], 'rb') as f:
                    source = f.read()
                parse = lambda: pd.read_csv(locator['path'])  # noqa: E731
            else:
                source = locator['text']
                parse = lambda: pd.read_csv(io.StringIO(locator['text'].lstrip('\ufeff')))  # noqa: E731
            # A warm worker parses a locator once: the next run of the same bytes gets a copy.
            if _locator_cache.get('source') != source:
                _locator_cache.clear()
                _locator_cache.update(source=source, frame=parse())
            return _locator_cache['frame'].copy()
        except Exception as e:
            _locator_cache.clear()
            raise LoadError('pandas.read_csv cannot read the locator %s: %s' % (locator.get('path', '(edited text)'), e))

    def rows(self, indices):
        return iter_rows(self.frame if indices is None else self.frame.iloc[indices])


# The last locator read: its source (bytes of the file, or the edited text) and pandas' frame.
_locator_cache = {}


def _fast_rows(frame):
    """frame.iterrows() as pandas 1.x writes it, with the Series built on pandas' own fast path
    (`fastpath=True`, as pandas builds a frame's columns): no per-row checks of the name or type
    inference of values read_csv never gives. The same rows, ~20% less time a row."""
    columns = frame.columns
    klass = frame._constructor_sliced
    for k, v in zip(frame.index, frame.values):
        yield k, klass(v, index=columns, name=k, fastpath=True).__finalize__(frame)


def iter_rows(frame):
    """The frame's rows as (index, Series), as iterrows() gives them. pandas 2 deprecates the fast
    path (and 3 removes it): plain iterrows there."""
    import pandas

    return _fast_rows(frame) if pandas.__version__.startswith('1.') else frame.iterrows()


class LoadError(Exception):
    pass


run = None


def load(cmd):
    global run
    if run is not None and run.pool is not None:
        run.pool.shutdown(wait=False)
    run = None
    try:
        run = Run(cmd)
    except BaseException as e:
        err = encode_error(e, 'load', os.path.dirname(os.path.abspath(cmd['file'])))
        if isinstance(e, LoadError):
            err.pop('stack', None)
        send({'op': 'loadError', 'run': cmd.get('run'), 'error': err})
        return
    send({
        'op': 'loaded',
        'run': run.id,
        'rows': None if run.frame is None else len(run.frame),
        'columns': None if run.frame is None else [str(c) for c in run.frame.columns],
        'defaults': run.defaults,
        'hasCondition': run.condition is not None,
    })


def end_row_output():
    sys.stdout.flush()
    sys.stderr.flush()
    _local.row = None


def run_condition(cmd):
    picked, skipped, errors = [], [], []
    last = time.monotonic()
    for index, row in run.rows(cmd.get('rows')):
        _local.row = index
        try:
            (picked if run.condition(row) else skipped).append(index)
        except BaseException as e:
            errors.append([index, encode_error(e, 'condition', run.dir)])
        end_row_output()
        now = time.monotonic()
        if now - last >= FLUSH_SECONDS:
            send({'op': 'cond', 'p': picked, 's': skipped, 'e': errors})
            picked, skipped, errors = [], [], []
            last = now
    send({'op': 'cond', 'p': picked, 's': skipped, 'e': errors, 'done': True})


def run_row(index, row, flush_each):
    """[index, ms, kind, payload, specials]: kind 0 no result, 1 a value, 2 an error."""
    _local.row = index
    if flush_each:
        send({'op': 'start', 'i': index})
    start = time.perf_counter()
    try:
        result = run.apply(row)
        ms = (time.perf_counter() - start) * 1000
        if result is None:
            rec = [index, ms, 0]
        else:
            try:
                plain, specials = encode_result(result, run.series)
                rec = [index, ms, 1, plain, specials] if specials else [index, ms, 1, plain]
            except ResultEncodingError as e:
                err = {'name': 'ResultEncodingError', 'message': str(e), 'phase': 'result'}
                rec = [index, ms, 2, err]
    except BaseException as e:
        rec = [index, (time.perf_counter() - start) * 1000, 2, encode_error(e, 'apply', run.dir)]
    end_row_output()
    return rec


def run_chunk(cmd):
    chunk, flush_each = cmd['c'], bool(cmd.get('flush'))
    send({'op': 'begin', 'c': chunk})
    pending = []
    state = {'last': time.monotonic()}
    lock = threading.Lock()

    def done(rec):
        with lock:
            pending.append(rec)
            now = time.monotonic()
            if flush_each or now - state['last'] >= FLUSH_SECONDS:
                send({'op': 'rows', 'c': chunk, 'r': pending[:]})
                del pending[:]
                state['last'] = now

    if run.pool is None:
        for index, row in run.rows(cmd['rows']):
            done(run_row(index, row, flush_each))
    else:
        # done() inside the task: wait() returns once every row is in `pending` (a done-callback
        # could still be running then).
        futures = [run.pool.submit(lambda i, r: done(run_row(i, r, flush_each)), index, row)
                   for index, row in run.rows(cmd['rows'])]
        wait(futures)
    with lock:
        send({'op': 'rows', 'c': chunk, 'r': pending, 'done': True})


def main():
    hello()
    for line in _CMD:
        cmd = json.loads(line)
        op = cmd.get('op')
        try:
            if op == 'load':
                load(cmd)
            elif op == 'condition':
                run_condition(cmd)
            elif op == 'chunk':
                run_chunk(cmd)
            elif op == 'sync':  # everything written to fd 1 and 2 before this has reached the parent
                end_row_output()
                marker = cmd['marker'].encode('utf-8')
                for fd in (1, 2):
                    try:
                        os.write(fd, marker)
                    except OSError:
                        pass
            elif op == 'exit':
                break
        except BaseException as e:  # a bug of ours: say so instead of hanging the run
            send({'op': 'fatal', 'error': encode_error(e, 'worker', None)})
    end_row_output()


if __name__ == '__main__':
    main()
