"""Data to learn on: small synthetic sets, the 8×8 digits (offline) and a real MNIST loader.

Every function returns NumPy arrays, ``(x, y)``:

- ``x``: float64, shape ``(n, features)``, one row per sample (images: ``(n, height, width)``
  unless flattened);
- ``y``: class indices, int64, shape ``(n,)``, for the classification sets (turn them into one-hot
  rows with :func:`to_categorical` for ``categorical_crossentropy``); float64 targets of shape
  ``(n, 1)`` for the regression set :func:`noisy_sine`.

Randomness comes only from the ``seed`` argument: an integer seed (the default ``seed=0``, so that
the same call gives the same data in every notebook run), a ``numpy.random.Generator``, or
``None`` for fresh randomness. NumPy's global random state is never touched.

=========================================  ==========================================================
``xor(n=4, noise=0.0, seed=0)``            the four XOR corners, or noisy clouds around them
``two_moons(n=200, noise=0.1, seed=0)``    two interleaving half circles (scikit-learn's moons)
``spirals(n=300, classes=3, ...)``         arms of a spiral, one per class (cs231n's spiral)
``blobs(n=300, classes=3, ...)``           Gaussian clusters, one per class
``noisy_sine(n=100, noise=0.1, seed=0)``   regression: ``y = sin(x) + noise``
``load_digits(...)``                       the 1797 8×8 handwritten digits, shipped with the package
``load_mnist(path=None, ...)``             MNIST: downloaded once, checksummed, cached
``to_categorical(y, num_classes=None)``    class indices → one-hot rows (Keras' name)
``train_test_split(x, y, test_size=...)``  a deterministic split (scikit-learn's name and order)
``read_idx(file)``                         one IDX file (MNIST's format), gzip'd or not
=========================================  ==========================================================
"""
import gzip
import hashlib
import math
import numbers
import os
from importlib import resources
from pathlib import Path

import numpy as np

from .errors import BackproplabError, DataError

__all__ = ["xor", "two_moons", "spirals", "blobs", "noisy_sine", "to_categorical", "train_test_split",
           "load_digits", "load_mnist", "read_idx", "DownloadError"]


class DownloadError(BackproplabError, OSError):
    """A data file could not be downloaded (offline, blocked, or every mirror failed)."""


# --------------------------------------------------------------------------- argument checks

def _rng(seed):
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or (isinstance(seed, (int, np.integer)) and not isinstance(seed, bool)):
        if seed is not None and seed < 0:
            raise DataError(f"seed should be a non-negative integer, but got {seed}. Use for example seed=0.")
        return np.random.default_rng(seed)
    raise DataError(
        f"seed should be an integer such as 0, a numpy.random.Generator, or None, but got "
        f"{seed!r} ({type(seed).__name__}). The same seed gives the same data every time.")


def _count(value, name, minimum=1, example=200):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        hint = (f" Write {name}={int(value)}." if isinstance(value, float) and value.is_integer()
                else f" For example {name}={example}.")
        raise DataError(f"{name} should be a whole number, but got {value!r} ({type(value).__name__}).{hint}")
    if value < minimum:
        raise DataError(f"{name} should be at least {minimum}, but got {value}.")
    return int(value)


def _noise(noise):
    if isinstance(noise, bool) or not isinstance(noise, numbers.Real) or not math.isfinite(noise):
        raise DataError(f"noise should be a finite number such as 0.1, but got {noise!r}.")
    if noise < 0:
        raise DataError(
            f"noise is a standard deviation, so it must be zero or positive, but got {noise}. "
            f"Did you mean noise={-noise}?")
    return float(noise)


def _split_counts(n, classes):
    """Points per class, as equal as possible: ``n = 7, classes = 3`` gives ``[3, 2, 2]``."""
    return [n // classes + (1 if k < n % classes else 0) for k in range(classes)]


def _shuffled(rng, x, y):
    order = rng.permutation(len(y))
    return x[order], y[order]


# --------------------------------------------------------------------------- synthetic sets

def xor(n=4, noise=0.0, seed=0):
    """The XOR problem: label 1 when exactly one of the two inputs is 1.

    With the defaults it is the truth table itself::

        x = [[0, 0], [0, 1], [1, 0], [1, 1]]    y = [0, 1, 1, 0]

    With larger ``n`` the samples cycle through the four corners in that order (so the classes are
    balanced), and Gaussian jitter of standard deviation ``noise`` is added: ``xor(200, noise=0.15)``
    gives four noisy clouds.

    Returns:
        x: float64 array of shape (n, 2).
        y: int64 array of shape (n,), values 0 or 1. For a single sigmoid output unit use
           ``y.reshape(-1, 1)``.
    """
    n = _count(n, "n", example=4)
    noise = _noise(noise)
    rng = _rng(seed)
    corners = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    which = np.arange(n) % 4
    x = corners[which] + noise * rng.standard_normal((n, 2)) if noise > 0 else corners[which]
    y = np.array([0, 1, 1, 0], dtype=np.int64)[which]
    return x, y


def two_moons(n=200, noise=0.1, seed=0):
    """Two interleaving half circles, the shape of scikit-learn's ``make_moons``.

    Class 0 is the upper arc ``(cos t, sin t)``, class 1 the lower arc ``(1 − cos t, 0.5 − sin t)``,
    ``t`` evenly spaced in ``[0, π]``; Gaussian jitter of standard deviation ``noise`` is added and
    the samples are shuffled. A straight line cannot separate them; one hidden layer can.

    Returns:
        x: float64 array of shape (n, 2), roughly in [−1, 2] × [−0.5, 1].
        y: int64 array of shape (n,), values 0 or 1 (class 0 gets the extra point when n is odd).
    """
    n = _count(n, "n", minimum=2)
    noise = _noise(noise)
    rng = _rng(seed)
    n0, n1 = _split_counts(n, 2)
    t0 = np.linspace(0.0, np.pi, n0)
    t1 = np.linspace(0.0, np.pi, n1)
    x = np.concatenate([np.column_stack([np.cos(t0), np.sin(t0)]),
                        np.column_stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)])])
    y = np.repeat(np.array([0, 1], dtype=np.int64), [n0, n1])
    x = x + noise * rng.standard_normal(x.shape)
    return _shuffled(rng, x, y)


def spirals(n=300, classes=3, noise=0.2, seed=0):
    """Interleaved spiral arms, one per class (the spiral of Stanford's cs231n).

    Arm ``k`` starts at the centre and winds outwards: radius ``r`` from 0 to 1 and angle
    ``t = 2πk/classes + 4r + jitter``, the point being ``(r sin t, r cos t)``. ``noise`` is the
    standard deviation of the jitter in the angle, in radians (cs231n uses 0.2). The samples are
    shuffled. No linear model separates the arms; a network with a hidden layer of a few dozen
    units does.

    Returns:
        x: float64 array of shape (n, 2), inside the unit disc.
        y: int64 array of shape (n,), values 0 .. classes−1, ``n // classes`` or one more each.
    """
    classes = _count(classes, "classes", minimum=2, example=3)
    n = _count(n, "n", minimum=classes)
    noise = _noise(noise)
    rng = _rng(seed)
    xs, ys = [], []
    for k, m in enumerate(_split_counts(n, classes)):
        r = np.linspace(0.0, 1.0, m)
        t = 2 * np.pi * k / classes + 4.0 * r + noise * rng.standard_normal(m)
        xs.append(np.column_stack([r * np.sin(t), r * np.cos(t)]))
        ys.append(np.full(m, k, dtype=np.int64))
    return _shuffled(rng, np.concatenate(xs), np.concatenate(ys))


def blobs(n=300, classes=3, noise=0.5, seed=0):
    """Round Gaussian clusters, one per class: the easy case, nearly linearly separable.

    The centre of class ``k`` sits on the circle of radius 2 at angle ``2πk/classes``; each point is
    its centre plus Gaussian noise of standard deviation ``noise`` in each coordinate. The samples
    are shuffled.

    Returns:
        x: float64 array of shape (n, 2).
        y: int64 array of shape (n,), values 0 .. classes−1, ``n // classes`` or one more each.
    """
    classes = _count(classes, "classes", minimum=2, example=3)
    n = _count(n, "n", minimum=classes)
    noise = _noise(noise)
    rng = _rng(seed)
    counts = _split_counts(n, classes)
    angles = 2 * np.pi * np.arange(classes) / classes
    centres = 2.0 * np.column_stack([np.cos(angles), np.sin(angles)])
    y = np.repeat(np.arange(classes, dtype=np.int64), counts)
    x = centres[y] + noise * rng.standard_normal((n, 2))
    return _shuffled(rng, x, y)


def noisy_sine(n=100, noise=0.1, seed=0):
    """A regression set: ``y = sin(x) + ε`` with ``x`` uniform in ``[−π, π]`` and ``ε ~ N(0, noise²)``.

    The samples come in random order (draw a sorted ``np.linspace`` to plot a model's curve).

    Returns:
        x: float64 array of shape (n, 1).
        y: float64 array of shape (n, 1), the targets for a ``Dense(1)`` output and
           ``mean_squared_error``.
    """
    n = _count(n, "n", example=100)
    noise = _noise(noise)
    rng = _rng(seed)
    x = rng.uniform(-np.pi, np.pi, size=(n, 1))
    y = np.sin(x) + noise * rng.standard_normal((n, 1))
    return x, y


# --------------------------------------------------------------------------- labels and splits

def _first(mask):
    """Where the first True of ``mask`` is: an int for a 1-D array, a tuple of ints otherwise."""
    where = tuple(int(i) for i in np.argwhere(mask)[0])
    return where[0] if len(where) == 1 else where


def to_categorical(y, num_classes=None):
    """One-hot encode class indices, as ``keras.utils.to_categorical``.

    Args:
        y: class indices 0 .. num_classes−1, shape (n,) or (n, 1) (any shape works: a trailing
           axis of length 1 is dropped, then one axis of length num_classes is appended).
           Whole-number floats such as ``3.0`` are accepted.
        num_classes: the number of classes; ``None`` means ``max(y) + 1``.

    Returns:
        float64 array of shape (n, num_classes) with one 1 per row: ``to_categorical([2, 0], 3)``
        is ``[[0, 0, 1], [1, 0, 0]]``.
    """
    raw = np.asarray(y)
    if raw.dtype.kind in "USO":
        example = raw.flat[0] if raw.size else ""
        example = example.item() if isinstance(example, np.generic) else example
        kind = "Python objects" if raw.dtype.kind == "O" else "text"
        raise DataError(
            f"to_categorical expects integer class indices (0, 1, 2, ...), but y holds {kind} such as "
            f"{example!r}. Map class names to integers first, for example "
            "names, y = np.unique(y, return_inverse=True).")
    if raw.size == 0:
        raise DataError(f"to_categorical got an empty y (shape {raw.shape}); there are no labels to encode. "
                        "Check how you loaded or split the data.")
    if raw.dtype.kind not in "biuf":
        raise DataError(f"to_categorical expects integer class indices, but y has dtype {raw.dtype}.")
    if raw.ndim == 2 and raw.shape[1] > 1 and np.isin(raw, (0, 1)).all() and (raw.sum(axis=1) == 1).all():
        raise DataError(
            f"y already looks one-hot encoded (shape {raw.shape}, a single 1 in every row); to_categorical "
            f"would make it shape {raw.shape + (2,)}. Use it as it is, or recover the class indices with "
            "np.argmax(y, axis=1).")
    if raw.dtype.kind == "f":
        if not np.isfinite(raw).all():
            bad = _first(~np.isfinite(raw))
            raise DataError(
                f"to_categorical got a non-finite label {raw[bad]} at index {bad}. "
                "Class indices must be whole numbers 0, 1, 2, ...; remove or fix the missing labels.")
        fractional = raw != np.round(raw)
        if fractional.any():
            bad = _first(fractional)
            raise DataError(
                f"to_categorical expects whole-number class indices (0, 1, 2, ...), but y holds {raw[bad]} at "
                f"index {bad}. If these are predicted probabilities or network "
                "outputs, take the most likely class first: np.argmax(p, axis=1).")
    labels = raw.astype(np.int64)
    if labels.min() < 0:
        bad = _first(labels < 0)
        raise DataError(
            f"to_categorical expects class indices 0, 1, 2, ..., but y holds the negative label {labels[bad]} at "
            f"index {bad}. Labels −1/+1 become 0/1 with (y + 1) // 2; "
            "other labels can be renumbered with np.unique(y, return_inverse=True).")
    if num_classes is None:
        num_classes = int(labels.max()) + 1
    else:
        if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)):
            hint = (f" Write num_classes={int(num_classes)}." if isinstance(num_classes, float)
                    and float(num_classes).is_integer() else "")
            raise DataError(f"num_classes should be a whole number such as 10, but got {num_classes!r}.{hint}")
        num_classes = int(num_classes)
        if num_classes < 1:
            raise DataError(f"num_classes should be at least 1, but got {num_classes}.")
        if labels.max() >= num_classes:
            bad = _first(labels >= num_classes)
            raise DataError(
                f"to_categorical got the label {labels[bad]} at index {bad}, but "
                f"num_classes={num_classes} allows only 0 .. {num_classes - 1}. If your labels start at 1, "
                f"subtract 1 from y; otherwise pass num_classes={int(labels.max()) + 1} or more.")
    if labels.ndim > 1 and labels.shape[-1] == 1:
        labels = labels.reshape(labels.shape[:-1])
    return np.eye(num_classes, dtype=np.float64)[labels]


def _n_test(test_size, n, name="test_size"):
    if isinstance(test_size, bool) or not isinstance(test_size, numbers.Real):
        raise DataError(f"{name} should be a fraction such as 0.2 or a number of samples, but got {test_size!r}.")
    if isinstance(test_size, numbers.Integral):
        n_test = int(test_size)
        if not 1 <= n_test <= n - 1:
            raise DataError(
                f"{name}={n_test} samples leaves nothing for one side of the split: with {n} samples it must be "
                f"between 1 and {n - 1}. For a fraction, write a float such as {name}=0.2.")
        return n_test
    if not 0.0 < test_size < 1.0:
        hint = f" Did you mean {test_size / 100:g}?" if 1.0 < test_size < 100.0 else ""
        raise DataError(f"{name} should be a fraction strictly between 0 and 1 such as 0.2 (20 %), "
                        f"but got {test_size}.{hint}")
    n_test = math.ceil(test_size * n)
    if not 1 <= n_test <= n - 1:
        raise DataError(f"{name}={test_size} of {n} samples gives {n_test} samples on one side and "
                        f"{n - n_test} on the other; both need at least one. Use more data or another fraction.")
    return n_test


def train_test_split(x, y, test_size=0.25, shuffle=True, seed=0):
    """Split ``x`` and ``y`` into a training part and a test (or validation) part.

    Same name, argument meaning and return order as scikit-learn's ``train_test_split``:
    ``test_size`` is a fraction (rounded up: ``ceil(test_size · n)`` test samples) or a number of
    samples. With ``shuffle=False`` the first samples train and the last ones test, in their
    original order (exactly what scikit-learn gives with ``shuffle=False``, and what Keras'
    ``fit(validation_split=...)`` holds out). With ``shuffle=True`` the samples are drawn by a
    permutation from ``seed`` (deterministic, though not scikit-learn's permutation).

    Args:
        x: array of shape (n, ...).
        y: array of shape (n, ...), one label or target per sample.

    Returns:
        x_train (n − n_test, ...), x_test (n_test, ...), y_train (n − n_test, ...), y_test (n_test, ...).
    """
    x, y = np.asarray(x), np.asarray(y)
    if x.ndim == 0 or y.ndim == 0:
        raise DataError("train_test_split needs arrays with one row per sample, but got a single number.")
    if len(x) != len(y):
        raise DataError(
            f"x has {len(x)} samples but y has {len(y)}; there must be exactly one label per sample. "
            "Check that both were loaded and sliced the same way.")
    n = len(x)
    if n < 2:
        raise DataError(f"train_test_split needs at least 2 samples to make two parts, but got {n}.")
    if not isinstance(shuffle, (bool, np.bool_)):
        raise DataError(f"shuffle should be True or False, but got {shuffle!r}.")
    n_test = _n_test(test_size, n)
    if shuffle:
        order = _rng(seed).permutation(n)
        test, train = order[:n_test], order[n_test:]
    else:
        train, test = np.arange(n - n_test), np.arange(n - n_test, n)
    return x[train], x[test], y[train], y[test]


# --------------------------------------------------------------------------- the 8×8 digits

DIGITS_COUNT = 1797


def load_digits(flatten=True, scale=True, validation_split=None):
    """The 1797 handwritten digits of 8×8 pixels, shipped with backproplab (no download).

    The UCI "Optical Recognition of Handwritten Digits" test set, as scikit-learn's
    ``load_digits`` gives it, in the same order (see ``backproplab/data/README.md``; CC BY 4.0).
    Each pixel counts the ink in a 4×4 block of a 32×32 bitmap, from 0 to 16. About 180 per digit.

    Args:
        flatten: True gives x of shape (1797, 64), ready for ``Dense``; False gives images of shape
            (1797, 8, 8), for ``plt.imshow`` or a ``Flatten`` layer.
        scale: True divides by 16 so the pixels lie in [0, 1]; False keeps the counts 0 .. 16.
        validation_split: None returns all samples as ``(x, y)``. A fraction such as 0.2 returns
            ``((x_train, y_train), (x_val, y_val))`` with the LAST ``ceil(0.2 · 1797) = 360`` samples
            for validation and the first 1437 for training, unshuffled: the split of scikit-learn's
            ``train_test_split(test_size=0.2, shuffle=False)`` and of Keras' ``validation_split``.
            For a shuffled split call :func:`train_test_split` yourself.

    Returns:
        x: float64 array of shape (1797, 64) or (1797, 8, 8).
        y: int64 array of shape (1797,), digits 0 .. 9 (``to_categorical(y)`` for one-hot rows).
    """
    for name, value in (("flatten", flatten), ("scale", scale)):
        if not isinstance(value, (bool, np.bool_)):
            raise DataError(f"{name} should be True or False, but got {value!r}.")
    try:
        with resources.files(__package__).joinpath("data/digits.npz").open("rb") as fh:
            with np.load(fh) as data:
                images, labels = data["images"], data["labels"]
    except (OSError, KeyError, ValueError) as exc:
        raise DataError(
            f"The digits file that ships with backproplab (backproplab/data/digits.npz) could not be read ({exc}). "
            "The installation looks incomplete: reinstall backproplab.") from None
    x = images.astype(np.float64)
    if scale:
        x /= 16.0
    if flatten:
        x = x.reshape(len(x), -1)
    y = labels.astype(np.int64)
    if validation_split is None:
        return x, y
    x_train, x_val, y_train, y_val = train_test_split(
        x, y, test_size=_validation_fraction(validation_split), shuffle=False)
    return (x_train, y_train), (x_val, y_val)


def _validation_fraction(value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or isinstance(value, numbers.Integral) \
            or not 0.0 < value < 1.0:
        hint = ""
        if isinstance(value, numbers.Real) and not isinstance(value, bool) and 1 <= value < 100:
            hint = f" Did you mean {value / 100:g}?"
        raise DataError(f"validation_split should be a fraction strictly between 0 and 1, such as 0.2 for 20 % "
                        f"validation data, but got {value!r}.{hint}")
    return float(value)


# --------------------------------------------------------------------------- IDX files and MNIST

# IDX format (Y. LeCun's MNIST page): two zero bytes, a type code, the number of dimensions; then
# each dimension as a big-endian uint32; then the values, big-endian, in C order.
_IDX_TYPES = {0x08: np.dtype("u1"), 0x09: np.dtype("i1"), 0x0B: np.dtype(">i2"),
              0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}


def read_idx(file):
    """Read one IDX file (the format of MNIST), gzip-compressed or not (detected from its content).

    Returns:
        an array of the file's shape, e.g. (60000, 28, 28) uint8 for MNIST training images,
        in native byte order.
    """
    path = Path(file)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(f"Could not read the IDX file {path}: {exc.strerror or exc}.") from None
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise DataError(
                f"{path} starts like a gzip file but cannot be decompressed ({exc}); it is probably an "
                "interrupted download. Delete it and download it again.") from None
    return _parse_idx(raw, path)


def _parse_idx(raw, where):
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_TYPES or raw[3] == 0:
        raise DataError(
            f"{where} is not an IDX file: it should start with the bytes 00 00 <type> <ndim> "
            f"(08 03 for images, 08 01 for labels) but starts with {raw[:4].hex(' ') or 'nothing'}. "
            "Check that it is an MNIST file (for example train-images-idx3-ubyte) and not a web page "
            "saved by mistake.")
    dtype, ndim = _IDX_TYPES[raw[2]], raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataError(f"{where} is truncated: its header announces {ndim} dimensions but the file ends "
                        "before them. Delete it and download it again.")
    shape = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    expected = header + math.prod(shape) * dtype.itemsize
    if len(raw) != expected:
        state = "truncated" if len(raw) < expected else "longer than its header says"
        raise DataError(
            f"{where} is {state}: a {' × '.join(map(str, shape))} array of {dtype.name} needs {expected} bytes "
            f"but the file has {len(raw)}. Delete it and download it again.")
    data = np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)
    return data.astype(dtype.newbyteorder("="), copy=True)


# Where MNIST is downloaded from, tried in order. The first is the copy torchvision uses, the second
# the copy TensorFlow Datasets uses; the original host comes last because it often refuses scripts.
MNIST_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)

# The four gzip'd IDX files with their sizes in bytes and SHA-256 checksums. These are the published
# values for the original files (the same numbers appear in TensorFlow Datasets' checksum list for
# MNIST and in torchvision's and many other loaders' source); they were not recomputed here, which had
# no internet. Uncompressed copies placed by hand are read without a checksum (their structure is
# checked instead).
MNIST_FILES = {
    "train_images": ("train-images-idx3-ubyte.gz", 9912422,
                     "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
    "train_labels": ("train-labels-idx1-ubyte.gz", 28881,
                     "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
    "test_images": ("t10k-images-idx3-ubyte.gz", 1648877,
                    "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
    "test_labels": ("t10k-labels-idx1-ubyte.gz", 4542,
                    "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"),
}

DATA_ENV = "BACKPROPLAB_DATA"


def _mnist_dir(path):
    if path is not None:
        if not isinstance(path, (str, os.PathLike)):
            raise DataError(f"path should be a folder name (a string or pathlib.Path), but got {path!r}.")
        directory = Path(path).expanduser()
        if directory.is_file():
            raise DataError(
                f"path should be the folder that holds the four MNIST files, but {directory} is a file. "
                f"Pass its folder instead: path={str(directory.parent)!r}.")
        return directory
    root = os.environ.get(DATA_ENV)
    if root:
        return Path(root).expanduser() / "mnist"
    return Path.home() / ".cache" / "backproplab" / "mnist"


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _check_file(path, size, sha256):
    """None when ``path`` has the expected size and checksum, otherwise what is wrong with it."""
    actual_size = path.stat().st_size
    if size is not None and actual_size != size:
        return f"it has {actual_size} bytes where the original has {size}"
    if sha256 is not None:
        actual = _sha256(path)
        if actual != sha256:
            return f"its SHA-256 is {actual}, not the published {sha256}"
    return None


def _download(url, destination, timeout=60):
    """Copy ``url`` into the file ``destination``. Tests replace this function: it is the only network access."""
    import urllib.request                          # here, not at the top: it costs 20 ms to import

    request = urllib.request.Request(url, headers={"User-Agent": "backproplab"})
    with urllib.request.urlopen(request, timeout=timeout) as response, open(destination, "wb") as out:
        while True:
            block = response.read(1 << 16)
            if not block:
                break
            out.write(block)


def _by_hand(directory):
    names = ", ".join(entry[0] for entry in MNIST_FILES.values())
    return (f"To install MNIST by hand, copy the four files {names} (gzip'd, or unzipped without the .gz) "
            f"from any MNIST mirror, for example {MNIST_MIRRORS[0]}, into {directory}, "
            f"or pass path='folder/with/the/files' to load_mnist, or set the environment variable "
            f"{DATA_ENV} to a folder that contains an 'mnist' subfolder with them.")


def _fetch(filename, size, sha256, directory):
    """Download one MNIST file into ``directory``, trying each mirror, keeping it only when verified."""
    import http.client

    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DownloadError(f"Could not create the MNIST folder {directory} ({exc.strerror or exc}). "
                            + _by_hand(directory)) from None
    target = directory / filename
    partial = directory / (filename + ".part")
    failures = []
    for mirror in MNIST_MIRRORS:
        url = mirror + filename
        print(f"Downloading {url} to {target}")
        try:
            _download(url, partial)
        except (OSError, http.client.HTTPException, ValueError) as exc:
            reason = getattr(exc, "reason", None) or exc
            failures.append(f"{url}: {type(exc).__name__}: {reason}")
            partial.unlink(missing_ok=True)
            continue
        problem = _check_file(partial, size, sha256)
        if problem is not None:
            failures.append(f"{url}: downloaded, but {problem}")
            partial.unlink(missing_ok=True)
            continue
        os.replace(partial, target)
        return target
    raise DownloadError(
        f"Could not download the MNIST file {filename}; every mirror failed (are you offline?):\n  "
        + "\n  ".join(failures) + f"\nbackproplab looked for the file in {directory}. " + _by_hand(directory))


def _locate(key, directory, download):
    """The file to read for ``key`` (e.g. 'train_images'): a verified .gz, an unzipped copy, or a download."""
    filename, size, sha256 = MNIST_FILES[key]
    gz = directory / filename
    if gz.is_file():
        problem = _check_file(gz, size, sha256)
        if problem is not None:
            raise DataError(
                f"The MNIST file {gz} is damaged or not the original: {problem}. Delete it and call "
                "load_mnist() again to download a fresh copy (if you gzip'd it yourself, put the unzipped "
                "file there instead: unzipped files are read without the checksum).")
        return gz
    stem = filename[:-len(".gz")]
    for plain in (directory / stem, directory / stem.replace("-idx", ".idx")):
        if plain.is_file():
            return plain
    if not download:
        raise DataError(f"The MNIST file {filename} is not in {directory}, and download=False. "
                        + _by_hand(directory))
    return _fetch(filename, size, sha256, directory)


def load_mnist(path=None, download=True, flatten=False, scale=False):
    """The MNIST handwritten digits: 60000 training and 10000 test images of 28×28 pixels.

    Returns what ``keras.datasets.mnist.load_data()`` returns, from the four original IDX files.
    The first call downloads them (11 MB) from :data:`MNIST_MIRRORS` and keeps each one only if
    its SHA-256 matches the published value; later calls read the cache and never touch the network.

    Where the files live: ``path`` if given, else ``$BACKPROPLAB_DATA/mnist`` if that environment
    variable is set, else ``~/.cache/backproplab/mnist``. Without internet, copy the files there by
    hand (the error message says which and where); gzip'd or unzipped both work.

    Args:
        path: the folder that holds (or will hold) the four files.
        download: False never downloads and raises if a file is missing.
        flatten: True gives images of shape (n, 784) instead of (n, 28, 28).
        scale: True gives float32 pixels in [0, 1] (``x / 255``); False keeps Keras' uint8 0 .. 255.
            (float32, not float64, because 70000 float64 images take 440 MB.)

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: x_train (60000, 28, 28), x_test (10000, 28, 28)
        uint8 (or as chosen above); y_train (60000,), y_test (10000,) uint8 digits 0 .. 9.
    """
    for name, value in (("download", download), ("flatten", flatten), ("scale", scale)):
        if not isinstance(value, (bool, np.bool_)):
            raise DataError(f"{name} should be True or False, but got {value!r}.")
    directory = _mnist_dir(path)
    files = {key: _locate(key, directory, download) for key in MNIST_FILES}
    arrays = {key: read_idx(file) for key, file in files.items()}
    result = []
    for part in ("train", "test"):
        x, y = arrays[f"{part}_images"], arrays[f"{part}_labels"]
        if x.ndim != 3 or y.ndim != 1 or len(x) != len(y) or x.dtype != np.uint8 or y.dtype != np.uint8:
            raise DataError(
                f"The MNIST {part} files in {directory} do not fit together: images {x.shape} {x.dtype}, "
                f"labels {y.shape} {y.dtype}; expected (n, 28, 28) uint8 images and (n,) uint8 labels. "
                f"Check that {files[f'{part}_images'].name} and {files[f'{part}_labels'].name} are the right files.")
        if y.size and y.max() > 9:
            raise DataError(f"The MNIST labels in {files[f'{part}_labels']} go up to {y.max()}, "
                            "but digits are 0 .. 9: this is not an MNIST label file.")
        if flatten:
            x = x.reshape(len(x), -1)
        if scale:
            x = x.astype(np.float32) / np.float32(255)
        result.append((x, y))
    return tuple(result)
