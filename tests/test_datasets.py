"""backproplab.datasets: synthetic sets, labels and splits, the shipped digits, IDX parsing and MNIST.

No test touches the network: the MNIST tests write tiny IDX files themselves and replace the one
function that downloads (``datasets._download``).
"""
import gzip
import hashlib
import struct
import urllib.error
from pathlib import Path

import numpy as np
import pytest

from backproplab import datasets
from backproplab.errors import BackproplabError, DataError

GENERATORS = {
    "xor": lambda seed: datasets.xor(n=40, noise=0.2, seed=seed),
    "two_moons": lambda seed: datasets.two_moons(n=60, noise=0.1, seed=seed),
    "spirals": lambda seed: datasets.spirals(n=90, classes=3, noise=0.2, seed=seed),
    "blobs": lambda seed: datasets.blobs(n=90, classes=3, noise=0.5, seed=seed),
    "noisy_sine": lambda seed: datasets.noisy_sine(n=50, noise=0.1, seed=seed),
}


# --------------------------------------------------------------------------- synthetic sets

def test_xor_defaults_are_the_truth_table():
    x, y = datasets.xor()
    np.testing.assert_array_equal(x, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(y, [0, 1, 1, 0])
    assert x.dtype == np.float64 and y.dtype == np.int64


def test_xor_noisy_clouds_stay_near_their_corner():
    x, y = datasets.xor(n=400, noise=0.1, seed=3)
    corner = np.round(x).astype(int)   # jitter of 0.1 almost never crosses the 0.5 midline
    assert np.mean((corner[:, 0] ^ corner[:, 1]) == y) > 0.99
    assert np.bincount(y).tolist() == [200, 200]
    assert 0.08 < np.std(x - np.array([[0, 0], [0, 1], [1, 0], [1, 1]])[np.arange(400) % 4]) < 0.12


@pytest.mark.parametrize("name", GENERATORS)
def test_same_seed_same_data_other_seed_other_data(name):
    make = GENERATORS[name]
    x1, y1 = make(7)
    x2, y2 = make(7)
    x3, _ = make(8)
    np.testing.assert_array_equal(x1, x2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(x1, x3)


@pytest.mark.parametrize("name", GENERATORS)
def test_a_generator_is_accepted_and_the_global_state_is_left_alone(name):
    make = GENERATORS[name]
    np.testing.assert_array_equal(make(np.random.default_rng(11))[0], make(11)[0])
    np.random.seed(1)
    before = np.random.get_state()[1].copy()
    first = make(5)[0]
    assert np.array_equal(np.random.get_state()[1], before), "the global random state was used"
    np.random.seed(2)
    np.testing.assert_array_equal(make(5)[0], first)


@pytest.mark.parametrize("name, x_shape, y_shape, y_dtype", [
    ("xor", (40, 2), (40,), np.int64),
    ("two_moons", (60, 2), (60,), np.int64),
    ("spirals", (90, 2), (90,), np.int64),
    ("blobs", (90, 2), (90,), np.int64),
    ("noisy_sine", (50, 1), (50, 1), np.float64),
])
def test_shapes_and_dtypes(name, x_shape, y_shape, y_dtype):
    x, y = GENERATORS[name](0)
    assert x.shape == x_shape and x.dtype == np.float64
    assert y.shape == y_shape and y.dtype == y_dtype
    assert np.isfinite(x).all() and np.isfinite(y).all()


@pytest.mark.parametrize("make, counts", [
    (lambda: datasets.xor(n=11), [5, 6]),            # corners cycle: labels 0,1,1,0,0,1,1,0,0,1,1
    (lambda: datasets.two_moons(n=201), [101, 100]),
    (lambda: datasets.spirals(n=301, classes=4), [76, 75, 75, 75]),
    (lambda: datasets.blobs(n=50, classes=5), [10, 10, 10, 10, 10]),
])
def test_class_balance_and_label_range(make, counts):
    _, y = make()
    assert np.bincount(y).tolist() == counts
    assert y.min() == 0 and y.max() == len(counts) - 1


@pytest.mark.parametrize("make", [datasets.two_moons, datasets.spirals, datasets.blobs])
def test_samples_are_shuffled_not_grouped_by_class(make):
    _, y = make()
    assert np.count_nonzero(np.diff(y)) > len(y) // 4


def test_two_moons_without_noise_lie_on_their_arcs():
    x, y = datasets.two_moons(n=100, noise=0.0)
    upper, lower = x[y == 0], x[y == 1]
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0)
    assert (upper[:, 1] >= -1e-12).all()
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0)
    assert (lower[:, 1] <= 0.5 + 1e-12).all()


def test_spirals_without_noise_follow_the_arm_formula():
    x, y = datasets.spirals(n=60, classes=3, noise=0.0)
    r = np.hypot(x[:, 0], x[:, 1])
    t = np.arctan2(x[:, 0], x[:, 1])            # the point is (r sin t, r cos t)
    expected = 2 * np.pi * y / 3 + 4 * r
    wrapped = np.angle(np.exp(1j * (t - expected)))
    far = r > 1e-9                                # the angle of the centre point is undefined
    np.testing.assert_allclose(wrapped[far], 0.0, atol=1e-9)
    assert r.max() == pytest.approx(1.0)


def test_blobs_without_noise_sit_on_their_centres():
    x, y = datasets.blobs(n=8, classes=4, noise=0.0)
    angles = 2 * np.pi * y / 4
    np.testing.assert_allclose(x, 2 * np.column_stack([np.cos(angles), np.sin(angles)]), atol=1e-12)


def test_noisy_sine_is_a_sine_plus_noise_of_the_stated_size():
    x, y = datasets.noisy_sine(n=20000, noise=0.3, seed=1)
    assert x.min() >= -np.pi and x.max() <= np.pi
    assert np.std(y - np.sin(x)) == pytest.approx(0.3, rel=0.03)
    x0, y0 = datasets.noisy_sine(n=10, noise=0.0)
    np.testing.assert_array_equal(y0, np.sin(x0))


@pytest.mark.parametrize("call, words", [
    (lambda: datasets.two_moons(n=0), ["n should be at least 2", "got 0"]),
    (lambda: datasets.xor(n=2.5), ["n should be a whole number", "2.5"]),
    (lambda: datasets.noisy_sine(n=100.0), ["Write n=100"]),
    (lambda: datasets.blobs(n="300"), ["n should be a whole number", "'300'"]),
    (lambda: datasets.spirals(noise=-0.2), ["must be zero or positive", "noise=0.2"]),
    (lambda: datasets.xor(noise=float("nan")), ["finite number"]),
    (lambda: datasets.spirals(n=2, classes=3), ["n should be at least 3"]),
    (lambda: datasets.blobs(classes=1), ["classes should be at least 2"]),
    (lambda: datasets.two_moons(seed="abc"), ["seed should be an integer", "Generator", "'abc'"]),
    (lambda: datasets.two_moons(seed=-1), ["non-negative", "seed=0"]),
])
def test_bad_arguments_get_a_message(call, words):
    with pytest.raises(DataError) as info:
        call()
    for word in words:
        assert word in str(info.value)


# --------------------------------------------------------------------------- to_categorical

def test_to_categorical_one_hot_rows():
    out = datasets.to_categorical([2, 0, 1, 2])
    np.testing.assert_array_equal(out, [[0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]])
    assert out.dtype == np.float64


def test_to_categorical_column_labels_floats_and_extra_classes():
    y = np.array([[3], [0], [1]])
    np.testing.assert_array_equal(datasets.to_categorical(y, num_classes=5),
                                  np.eye(5)[[3, 0, 1]])
    np.testing.assert_array_equal(datasets.to_categorical(np.array([1.0, 0.0])), [[0, 1], [1, 0]])
    y = np.random.default_rng(0).integers(0, 10, size=50)
    np.testing.assert_array_equal(datasets.to_categorical(y, 10).argmax(axis=1), y)


@pytest.mark.parametrize("y, num_classes, words", [
    ([0, 2, -1], None, ["negative label -1", "index 2", "(y + 1) // 2"]),
    ([0, 1.5, 2], None, ["whole-number class indices", "1.5", "np.argmax"]),
    ([0, 3, 10], 10, ["label 10", "index 2", "0 .. 9", "subtract 1", "num_classes=11"]),
    (["cat", "dog"], None, ["text such as 'cat'", "np.unique(y, return_inverse=True)"]),
    (np.eye(4)[[0, 3, 1]], None, ["already looks one-hot", "(3, 4)", "np.argmax(y, axis=1)"]),
    ([], None, ["empty"]),
    ([0, np.nan], None, ["non-finite label nan", "index 1"]),
    ([[0, 1], [4, -2]], None, ["negative label -2 at index (1, 1)"]),
    ([0, 1], 10.0, ["num_classes should be a whole number", "num_classes=10"]),
    ([0, 1], 0, ["num_classes should be at least 1"]),
])
def test_to_categorical_bad_labels(y, num_classes, words):
    with pytest.raises(DataError) as info:
        datasets.to_categorical(y, num_classes)
    for word in words:
        assert word in str(info.value)


# --------------------------------------------------------------------------- train_test_split

@pytest.mark.parametrize("n, test_size", [(1797, 0.2), (10, 0.33), (10, 3), (7, 0.5)])
def test_split_without_shuffle_matches_scikit_learn(n, test_size):
    model_selection = pytest.importorskip("sklearn.model_selection")
    x = np.arange(2 * n).reshape(n, 2)
    y = np.arange(n) % 3
    ours = datasets.train_test_split(x, y, test_size=test_size, shuffle=False)
    theirs = model_selection.train_test_split(x, y, test_size=test_size, shuffle=False)
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a, b)


def test_split_without_shuffle_keeps_order_and_takes_the_last_samples():
    x = np.arange(10)
    x_train, x_test, y_train, y_test = datasets.train_test_split(x, -x, test_size=0.25, shuffle=False)
    np.testing.assert_array_equal(x_train, np.arange(7))       # ceil(0.25 · 10) = 3 for testing
    np.testing.assert_array_equal(x_test, [7, 8, 9])
    np.testing.assert_array_equal(y_test, [-7, -8, -9])


def test_shuffled_split_is_a_deterministic_partition():
    x = np.arange(100)
    first = datasets.train_test_split(x, x * 10, test_size=0.2, seed=4)
    again = datasets.train_test_split(x, x * 10, test_size=0.2, seed=4)
    other = datasets.train_test_split(x, x * 10, test_size=0.2, seed=5)
    x_train, x_test, y_train, y_test = first
    assert len(x_train) == 80 and len(x_test) == 20
    assert sorted(np.concatenate([x_train, x_test]).tolist()) == list(range(100))
    np.testing.assert_array_equal(y_train, x_train * 10)       # x and y stay paired
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(x_test, other[1])
    assert not np.array_equal(x_train, np.sort(x_train))         # really shuffled


@pytest.mark.parametrize("x, y, kwargs, words", [
    (np.zeros((10, 2)), np.zeros(9), {}, ["x has 10 samples but y has 9", "one label per sample"]),
    (np.zeros(10), np.zeros(10), {"test_size": 20.0}, ["strictly between 0 and 1", "Did you mean 0.2?"]),
    (np.zeros(10), np.zeros(10), {"test_size": 10}, ["between 1 and 9"]),
    (np.zeros(10), np.zeros(10), {"test_size": 0.999}, ["both need at least one"]),
    (np.zeros(1), np.zeros(1), {}, ["at least 2 samples"]),
    (np.zeros(10), np.zeros(10), {"shuffle": "no"}, ["shuffle should be True or False"]),
])
def test_split_bad_input(x, y, kwargs, words):
    with pytest.raises(DataError) as info:
        datasets.train_test_split(x, y, **kwargs)
    for word in words:
        assert word in str(info.value)


# --------------------------------------------------------------------------- the 8×8 digits

DIGITS_PER_CLASS = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
# SHA-256 of the arrays' bytes as extracted from scikit-learn 1.9.1 (see backproplab/data/README.md).
DIGITS_IMAGES_SHA256 = "8f26b2bd9d135c256808f68f14fdabddde6d9c7f869ae419704b051f0f14b3b3"
DIGITS_LABELS_SHA256 = "8ba4f891220f5e4c9c819638d1602d74b83618f167043c6da52a2a247841ddf0"


def test_digits_file_is_small_and_attributed():
    data = Path(datasets.__file__).parent / "data"
    assert (data / "digits.npz").stat().st_size < 100_000
    readme = (data / "README.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in readme and "Optical Recognition of Handwritten Digits" in readme


def test_digits_default_is_flat_and_scaled():
    x, y = datasets.load_digits()
    assert x.shape == (1797, 64) and x.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    assert x.min() == 0.0 and x.max() == 1.0
    assert np.bincount(y).tolist() == DIGITS_PER_CLASS
    np.testing.assert_array_equal(y[:20], np.arange(20) % 10)


def test_digits_raw_images_are_the_shipped_counts():
    x, y = datasets.load_digits(flatten=False, scale=False)
    assert x.shape == (1797, 8, 8)
    assert x.min() == 0 and x.max() == 16 and np.array_equal(x, np.round(x))
    assert hashlib.sha256(x.astype(np.uint8).tobytes()).hexdigest() == DIGITS_IMAGES_SHA256
    assert hashlib.sha256(y.astype(np.uint8).tobytes()).hexdigest() == DIGITS_LABELS_SHA256
    flat, _ = datasets.load_digits()
    np.testing.assert_array_equal(flat, x.reshape(1797, 64) / 16)


def test_digits_match_scikit_learn():
    sk = pytest.importorskip("sklearn.datasets")
    digits = sk.load_digits()
    x, y = datasets.load_digits(scale=False)
    np.testing.assert_array_equal(x, digits.data)
    np.testing.assert_array_equal(y, digits.target)


def test_digits_validation_split_is_the_courses_1437_360():
    (x_train, y_train), (x_val, y_val) = datasets.load_digits(validation_split=0.2)
    x, y = datasets.load_digits()
    assert x_train.shape == (1437, 64) and x_val.shape == (360, 64)
    np.testing.assert_array_equal(x_train, x[:1437])
    np.testing.assert_array_equal(y_val, y[1437:])


@pytest.mark.parametrize("kwargs, words", [
    ({"validation_split": 20}, ["strictly between 0 and 1", "Did you mean 0.2?"]),
    ({"validation_split": 1.0}, ["strictly between 0 and 1"]),
    ({"flatten": "yes"}, ["flatten should be True or False"]),
])
def test_digits_bad_arguments(kwargs, words):
    with pytest.raises(DataError) as info:
        datasets.load_digits(**kwargs)
    for word in words:
        assert word in str(info.value)


# --------------------------------------------------------------------------- IDX files

IDX_CODES = {"uint8": 0x08, "int8": 0x09, "int16": 0x0B, "int32": 0x0C, "float32": 0x0D, "float64": 0x0E}


def idx_bytes(array):
    """An IDX file's bytes, written from the format's definition (independently of read_idx)."""
    header = bytes([0, 0, IDX_CODES[array.dtype.name], array.ndim])
    header += struct.pack(">" + "I" * array.ndim, *array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def write_idx(path, array, compress):
    data = idx_bytes(array)
    path.write_bytes(gzip.compress(data, mtime=0) if compress else data)
    return path


@pytest.mark.parametrize("compress", [True, False])
@pytest.mark.parametrize("array", [
    np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4),
    np.array([7, 0, 9], dtype=np.uint8),
    np.array([[-5, 70000], [3, -1]], dtype=np.int32),
    np.array([0.5, -2.25, 1e300]),
])
def test_read_idx_round_trip(tmp_path, array, compress):
    out = datasets.read_idx(write_idx(tmp_path / "a.idx", array, compress))
    assert out.shape == array.shape and out.dtype == array.dtype and out.dtype.isnative
    np.testing.assert_array_equal(out, array)
    out[...] = 0                                                   # a writable copy, as Keras gives


@pytest.mark.parametrize("content, words", [
    (b"<!DOCTYPE html><html>Too many requests</html>", ["is not an IDX file", "3c 21 44 4f", "web page"]),
    (idx_bytes(np.zeros((4, 3, 3), np.uint8))[:-5], ["truncated", "4 × 3 × 3", "download it again"]),
    (idx_bytes(np.zeros(4, np.uint8)) + b"xx", ["longer than its header says"]),
    (gzip.compress(idx_bytes(np.zeros(50, np.uint8)), mtime=0)[:-6], ["cannot be decompressed", "interrupted download"]),
], ids=["web-page", "truncated", "too-long", "broken-gzip"])  # fixed ids: xdist workers must collect the same names
def test_read_idx_refuses_broken_files(tmp_path, content, words):
    path = tmp_path / "broken"
    path.write_bytes(content)
    with pytest.raises(DataError) as info:
        datasets.read_idx(path)
    assert str(path) in str(info.value)
    for word in words:
        assert word in str(info.value)


# --------------------------------------------------------------------------- MNIST, offline

def tiny_mnist():
    rng = np.random.default_rng(0)
    return {"train_images": rng.integers(0, 256, (5, 28, 28), dtype=np.uint8),
            "train_labels": np.array([5, 0, 4, 1, 9], dtype=np.uint8),
            "test_images": rng.integers(0, 256, (3, 28, 28), dtype=np.uint8),
            "test_labels": np.array([7, 2, 1], dtype=np.uint8)}


@pytest.fixture
def tiny(monkeypatch):
    """Tiny MNIST files (gzip'd bytes) whose sizes and checksums replace the published ones."""
    arrays = tiny_mnist()
    blobs = {key: gzip.compress(idx_bytes(a), mtime=0) for key, a in arrays.items()}
    table = {key: (datasets.MNIST_FILES[key][0], len(blob), hashlib.sha256(blob).hexdigest())
             for key, blob in blobs.items()}
    monkeypatch.setattr(datasets, "MNIST_FILES", table)
    return arrays, blobs, table


@pytest.fixture
def no_network(monkeypatch):
    def refuse(url, destination, timeout=60):
        raise AssertionError(f"load_mnist tried to download {url}")
    monkeypatch.setattr(datasets, "_download", refuse)


def put_files(directory, tiny, compress=True):
    arrays, blobs, table = tiny
    directory.mkdir(parents=True, exist_ok=True)
    for key in arrays:
        name = table[key][0]
        if compress:
            (directory / name).write_bytes(blobs[key])
        else:
            (directory / name[:-3]).write_bytes(idx_bytes(arrays[key]))


def test_published_mnist_table_is_well_formed():
    names = [entry[0] for entry in datasets.MNIST_FILES.values()]
    assert names == ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                     "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]
    for _, size, sha in datasets.MNIST_FILES.values():
        assert size > 4000 and len(sha) == 64 and int(sha, 16) >= 0
    assert all(m.endswith("/") for m in datasets.MNIST_MIRRORS)


def test_cached_files_are_read_without_any_download(tmp_path, tiny, no_network):
    put_files(tmp_path, tiny)
    (x_train, y_train), (x_test, y_test) = datasets.load_mnist(path=tmp_path)
    arrays = tiny[0]
    assert x_train.shape == (5, 28, 28) and x_train.dtype == np.uint8
    np.testing.assert_array_equal(x_train, arrays["train_images"])
    np.testing.assert_array_equal(y_train, [5, 0, 4, 1, 9])
    np.testing.assert_array_equal(x_test, arrays["test_images"])
    np.testing.assert_array_equal(y_test, [7, 2, 1])


def test_flatten_and_scale(tmp_path, tiny, no_network):
    put_files(tmp_path, tiny)
    (x_train, _), (x_test, _) = datasets.load_mnist(path=tmp_path, flatten=True, scale=True)
    assert x_train.shape == (5, 784) and x_test.shape == (3, 784) and x_train.dtype == np.float32
    np.testing.assert_allclose(x_train, tiny[0]["train_images"].reshape(5, 784) / 255, rtol=1e-6)


def test_unzipped_files_placed_by_hand_are_read(tmp_path, tiny, no_network):
    put_files(tmp_path, tiny, compress=False)
    (x_train, y_train), _ = datasets.load_mnist(path=tmp_path)
    np.testing.assert_array_equal(x_train, tiny[0]["train_images"])
    np.testing.assert_array_equal(y_train, tiny[0]["train_labels"])


def test_a_corrupt_file_is_refused_with_its_checksum(tmp_path, tiny, no_network):
    put_files(tmp_path, tiny)
    target = tmp_path / "train-images-idx3-ubyte.gz"
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF                                    # same size, different content
    target.write_bytes(bytes(data))
    with pytest.raises(DataError) as info:
        datasets.load_mnist(path=tmp_path)
    message = str(info.value)
    for word in [str(target), "damaged", "SHA-256", tiny[2]["train_images"][2], "Delete it"]:
        assert word in message


def test_a_truncated_file_is_refused_by_its_size(tmp_path, tiny, no_network):
    put_files(tmp_path, tiny)
    target = tmp_path / "t10k-labels-idx1-ubyte.gz"
    target.write_bytes(target.read_bytes()[:-3])
    with pytest.raises(DataError, match="bytes where the original has"):
        datasets.load_mnist(path=tmp_path)


def test_missing_files_are_downloaded_verified_and_cached(tmp_path, tiny, monkeypatch):
    arrays, blobs, _ = tiny
    by_name = {datasets.MNIST_FILES[key][0]: blobs[key] for key in blobs}
    calls = []

    def fake_download(url, destination, timeout=60):
        calls.append(url)
        if url.startswith(datasets.MNIST_MIRRORS[0]):
            Path(destination).write_bytes(b"<html>mirror down</html>")   # a bad copy: refused
        else:
            Path(destination).write_bytes(by_name[url.rsplit("/", 1)[1]])

    monkeypatch.setattr(datasets, "_download", fake_download)
    cache = tmp_path / "cache"
    (_, y_train), _ = datasets.load_mnist(path=cache)
    np.testing.assert_array_equal(y_train, arrays["train_labels"])
    assert len(calls) == 8                                           # first mirror refused, second kept
    assert sorted(p.name for p in cache.iterdir()) == sorted(by_name)   # no .part files left
    monkeypatch.setattr(datasets, "_download", lambda *a, **k: pytest.fail("downloaded again"))
    datasets.load_mnist(path=cache)


def test_offline_error_says_what_failed_where_and_how_to_fix(tmp_path, tiny, monkeypatch):
    def offline(url, destination, timeout=60):
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(datasets, "_download", offline)
    with pytest.raises(datasets.DownloadError) as info:
        datasets.load_mnist(path=tmp_path / "mnist")
    message = str(info.value)
    assert isinstance(info.value, OSError) and isinstance(info.value, BackproplabError)
    for word in ["Could not download the MNIST file train-images-idx3-ubyte.gz", "URLError",
                 "name resolution", str(tmp_path / "mnist"), "by hand", "t10k-labels-idx1-ubyte.gz",
                 "BACKPROPLAB_DATA", "path="]:
        assert word in message
    for mirror in datasets.MNIST_MIRRORS:
        assert mirror + "train-images-idx3-ubyte.gz" in message
    assert list((tmp_path / "mnist").iterdir()) == []


def test_download_false_never_downloads(tmp_path, tiny, no_network):
    with pytest.raises(DataError, match="download=False") as info:
        datasets.load_mnist(path=tmp_path, download=False)
    assert str(tmp_path) in str(info.value)


def test_environment_variable_and_default_folder(tmp_path, tiny, no_network, monkeypatch):
    put_files(tmp_path / "data" / "mnist", tiny)
    monkeypatch.setenv("BACKPROPLAB_DATA", str(tmp_path / "data"))
    (_, y_train), _ = datasets.load_mnist()
    np.testing.assert_array_equal(y_train, tiny[0]["train_labels"])

    monkeypatch.delenv("BACKPROPLAB_DATA")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    with pytest.raises(DataError) as info:
        datasets.load_mnist(download=False)
    assert str(tmp_path / "home" / ".cache" / "backproplab" / "mnist") in str(info.value)


def test_files_that_do_not_fit_together_are_named(tmp_path, tiny, monkeypatch, no_network):
    arrays, _, _ = tiny
    put_files(tmp_path, tiny, compress=False)
    write_idx(tmp_path / "train-labels-idx1-ubyte", np.array([1, 2], dtype=np.uint8), compress=False)
    with pytest.raises(DataError) as info:
        datasets.load_mnist(path=tmp_path)
    assert "do not fit together" in str(info.value) and "train-labels-idx1-ubyte" in str(info.value)


@pytest.mark.parametrize("path, words", [
    (42, ["path should be a folder name"]),
    ("FILE", ["is a file", "Pass its folder instead"]),
])
def test_bad_path(tmp_path, path, words, no_network):
    if path == "FILE":
        path = tmp_path / "mnist.npz"
        path.write_bytes(b"x")
    with pytest.raises(DataError) as info:
        datasets.load_mnist(path=path)
    for word in words:
        assert word in str(info.value)
