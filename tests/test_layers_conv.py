"""Conv2D, MaxPooling2D and AveragePooling2D: shapes, forward against plain loops, gradients
against central differences (float64, relative error ≤ 1e-7), errors, and Keras 3."""
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from backproplab.errors import ShapeError
from backproplab.gradcheck import LAYER_TOLERANCE, check_layer
from backproplab.layers import AveragePooling2D, Conv2D, Dense, Flatten, MaxPooling2D
from backproplab.layers.conv import output_size, same_padding

# Keras' get_weights() calls np.array on torch tensors, which NumPy 2 warns about: not ours.
KERAS_NOISE = "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ------------------------------------------------------------------ references written as loops

def _pad_reference(x, k, s, padding, value):
    if padding == "valid":
        return x
    (t, b), (l, r) = same_padding(x.shape[1], k[0], s[0]), same_padding(x.shape[2], k[1], s[1])
    return np.pad(x, ((0, 0), (t, b), (l, r), (0, 0)), constant_values=value)


def conv_reference(x, kernel, bias, strides, padding):
    """The definition, one output pixel at a time."""
    kh, kw, _, f = kernel.shape
    xp = _pad_reference(x, (kh, kw), strides, padding, 0.0)
    ho = output_size(x.shape[1], kh, strides[0], padding)
    wo = output_size(x.shape[2], kw, strides[1], padding)
    out = np.zeros((x.shape[0], ho, wo, f))
    for i in range(ho):
        for j in range(wo):
            patch = xp[:, i * strides[0]:i * strides[0] + kh, j * strides[1]:j * strides[1] + kw, :]
            out[:, i, j, :] = np.tensordot(patch, kernel, axes=([1, 2, 3], [0, 1, 2])) + bias
    return out


def pool_reference(x, pool, strides, padding, kind):
    """Max or mean of each window, padding excluded from the mean."""
    xp = _pad_reference(x, pool, strides, padding, np.nan)
    ho = output_size(x.shape[1], pool[0], strides[0], padding)
    wo = output_size(x.shape[2], pool[1], strides[1], padding)
    out = np.zeros((x.shape[0], ho, wo, x.shape[3]))
    reduce = np.nanmax if kind == "max" else np.nanmean
    for i in range(ho):
        for j in range(wo):
            window = xp[:, i * strides[0]:i * strides[0] + pool[0], j * strides[1]:j * strides[1] + pool[1], :]
            out[:, i, j, :] = reduce(window, axis=(1, 2))
    return out


CONV_CASES = [  # (input (H, W, C), filters, kernel, strides, padding)
    ((6, 5, 2), 3, (3, 3), (1, 1), "valid"),
    ((6, 5, 2), 3, (3, 3), (1, 1), "same"),
    ((7, 6, 1), 2, (3, 2), (2, 2), "same"),
    ((8, 8, 3), 4, (3, 3), (2, 2), "same"),    # uneven 'same' padding: (0, 1) on each side
    ((7, 7, 2), 2, (3, 3), (2, 2), "valid"),
    ((5, 6, 2), 2, (1, 1), (1, 1), "valid"),
    ((5, 5, 1), 1, (5, 5), (1, 1), "valid"),   # kernel as large as the image
    ((9, 4, 2), 3, (4, 2), (3, 1), "same"),    # even kernel, mixed strides
    ((5, 6, 8), 3, (3, 2), (2, 1), "same"),    # many channels: im2col through the window view
    ((4, 5, 6), 2, (3, 3), (1, 1), "valid"),
]


# ------------------------------------------------------------------ padding arithmetic and shapes

@pytest.mark.parametrize("size,k,s,expected", [
    (7, 3, 1, (1, 1)), (8, 4, 1, (1, 2)), (7, 3, 2, (1, 1)), (8, 3, 2, (0, 1)),
    (28, 3, 2, (0, 1)), (5, 1, 2, (0, 0)), (4, 5, 3, (2, 2)), (10, 2, 2, (0, 0)),
])
def test_same_padding_follows_keras_rule(size, k, s, expected):
    assert same_padding(size, k, s) == expected
    out = -(-size // s)
    assert sum(expected) == max((out - 1) * s + k - size, 0)


@pytest.mark.parametrize("shape,filters,kernel,strides,padding", CONV_CASES)
def test_conv_output_shape(shape, filters, kernel, strides, padding):
    layer = Conv2D(filters, kernel, strides=strides, padding=padding)
    x = np.zeros((2,) + shape, dtype=np.float32)
    y = layer(x)
    expected = (output_size(shape[0], kernel[0], strides[0], padding),
                output_size(shape[1], kernel[1], strides[1], padding), filters)
    assert y.shape == (2,) + expected
    assert layer.output_shape == expected
    assert layer.params["kernel"].shape == kernel + (shape[2], filters)
    assert layer.params["bias"].shape == (filters,)
    assert y.dtype == np.float32


def test_conv_same_stride_one_keeps_size():
    y = Conv2D(4, 3, padding="same")(np.ones((1, 28, 28, 1), dtype=np.float32))
    assert y.shape == (1, 28, 28, 4)


@pytest.mark.parametrize("pool,strides,padding,shape,expected", [
    ((2, 2), None, "valid", (8, 8, 3), (4, 4, 3)),
    ((2, 2), None, "valid", (7, 9, 1), (3, 4, 1)),      # leftover rows/columns dropped
    ((2, 2), None, "same", (7, 9, 1), (4, 5, 1)),
    ((3, 3), (2, 2), "same", (8, 7, 2), (4, 4, 2)),
    ((3, 2), (1, 2), "valid", (5, 6, 2), (3, 3, 2)),
])
def test_pooling_output_shape(pool, strides, padding, shape, expected):
    for cls in (MaxPooling2D, AveragePooling2D):
        layer = cls(pool, strides=strides, padding=padding)
        y = layer(np.zeros((3,) + shape, dtype=np.float32))
        assert y.shape == (3,) + expected
        assert layer.output_shape == expected
        assert layer.params == {}


# ------------------------------------------------------------------ forward against the definition

@pytest.mark.parametrize("shape,filters,kernel,strides,padding", CONV_CASES)
def test_conv_forward_matches_loops(shape, filters, kernel, strides, padding, float64):
    rng = np.random.default_rng(0)
    layer = Conv2D(filters, kernel, strides=strides, padding=padding, bias_initializer="glorot_uniform")
    x = rng.normal(size=(3,) + shape)
    y = layer(x)
    np.testing.assert_allclose(y, conv_reference(x, layer.params["kernel"], layer.params["bias"], strides, padding),
                               rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("kind,cls", [("max", MaxPooling2D), ("mean", AveragePooling2D)])
@pytest.mark.parametrize("pool,strides,padding,shape", [
    ((2, 2), None, "valid", (6, 6, 2)), ((2, 2), None, "same", (5, 7, 2)), ((3, 3), (2, 2), "same", (8, 7, 2)),
    ((3, 2), (1, 2), "valid", (5, 6, 1)), ((2, 3), (1, 1), "same", (4, 5, 3)),
])
def test_pooling_forward_matches_loops(kind, cls, pool, strides, padding, shape, float64):
    x = np.random.default_rng(1).normal(size=(2,) + shape)
    layer = cls(pool, strides=strides, padding=padding)
    np.testing.assert_allclose(layer(x), pool_reference(x, pool, strides or pool, padding, kind), rtol=1e-12)


@pytest.mark.parametrize("channels", [1, 2, 6, 16])
def test_im2col_rows_are_the_patches(channels, float64):
    """Both ways of building the patch matrix (few or many channels) give the patches."""
    layer = Conv2D(2, (3, 2), strides=(2, 1), padding="same")
    x = np.random.default_rng(0).normal(size=(2, 5, 4, channels))
    layer.build(x.shape[1:])
    cols = layer._im2col(x).reshape(2, 3, 4, 3, 2, channels)
    xp = np.pad(x, ((0, 0), (1, 1), (0, 1), (0, 0)))     # same_padding(5, 3, 2), same_padding(4, 2, 1)
    for i in range(3):
        for j in range(4):
            np.testing.assert_array_equal(cols[:, i, j], xp[:, 2 * i:2 * i + 3, j:j + 2])


def test_average_same_padding_counts_only_real_pixels():
    y = AveragePooling2D(3, strides=2, padding="same")(np.ones((1, 8, 7, 1), dtype=np.float32))
    np.testing.assert_array_equal(y, 1.0)


def test_max_same_padding_never_picks_the_padding():
    x = -np.ones((1, 3, 3, 1), dtype=np.float32)
    y = MaxPooling2D(2, padding="same")(x)
    np.testing.assert_array_equal(y, -1.0)


# ------------------------------------------------------------------ gradients, float64

@pytest.mark.parametrize("shape,filters,kernel,strides,padding", CONV_CASES)
@pytest.mark.parametrize("activation", [None, "tanh"])
def test_conv_gradients(shape, filters, kernel, strides, padding, activation, float64):
    layer = Conv2D(filters, kernel, strides=strides, padding=padding, activation=activation,
                   bias_initializer="glorot_uniform")
    x = np.random.default_rng(2).normal(size=(2,) + shape)
    report = check_layer(layer, x)
    assert set(report) == {"kernel", "bias", "input"}
    assert max(report.values()) <= LAYER_TOLERANCE, report


@FAST
@given(h=st.integers(1, 7), w=st.integers(1, 7), c=st.integers(1, 3), filters=st.integers(1, 3),
       kh=st.integers(1, 4), kw=st.integers(1, 4), sh=st.integers(1, 3), sw=st.integers(1, 3),
       padding=st.sampled_from(["valid", "same"]), use_bias=st.booleans(), seed=st.integers(0, 2 ** 16))
def test_conv_gradients_property(h, w, c, filters, kh, kw, sh, sw, padding, use_bias, seed):
    assume(padding == "same" or (kh <= h and kw <= w))
    layer = Conv2D(filters, (kh, kw), strides=(sh, sw), padding=padding, use_bias=use_bias, dtype="float64")
    x = np.random.default_rng(seed).normal(size=(2, h, w, c))
    report = check_layer(layer, x, seed=seed)
    assert max(report.values()) <= LAYER_TOLERANCE, report


@FAST
@given(h=st.integers(1, 7), w=st.integers(1, 7), c=st.integers(1, 2), ph=st.integers(1, 3), pw=st.integers(1, 3),
       sh=st.integers(1, 3), sw=st.integers(1, 3), default_strides=st.booleans(),
       padding=st.sampled_from(["valid", "same"]), kind=st.sampled_from([MaxPooling2D, AveragePooling2D]),
       seed=st.integers(0, 2 ** 16))
def test_pooling_gradients_property(h, w, c, ph, pw, sh, sw, default_strides, padding, kind, seed):
    assume(padding == "same" or (ph <= h and pw <= w))
    layer = kind((ph, pw), strides=None if default_strides else (sh, sw), padding=padding, dtype="float64")
    x = np.random.default_rng(seed).normal(size=(2, h, w, c))   # continuous values: no ties
    report = check_layer(layer, x, seed=seed)
    assert report["input"] <= LAYER_TOLERANCE, report


def test_max_pool_ties_go_to_the_first_maximum_in_row_major_order():
    x = np.array([[5, 5, 1, 2],
                  [5, 5, 2, 2],
                  [0, 7, 3, 3],
                  [7, 7, 3, 4]], dtype=np.float32)[None, :, :, None]
    layer = MaxPooling2D(2)
    layer(x, training=True)
    dx = layer.backward(np.array([[1, 2], [3, 4]], dtype=np.float32)[None, :, :, None])[0, :, :, 0]
    np.testing.assert_array_equal(dx, [[1, 0, 0, 2],
                                       [0, 0, 0, 0],
                                       [0, 3, 0, 0],
                                       [0, 0, 0, 4]])


def test_max_pool_overlapping_windows_add_up():
    x = np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1)   # the max of every window is its bottom-right
    layer = MaxPooling2D(2, strides=1)
    y = layer(x, training=True)
    dx = layer.backward(np.ones_like(y))
    assert dx.sum() == y.size
    np.testing.assert_array_equal(dx[0, 1:, 1:, 0], np.ones((3, 3)))


def test_first_layer_skips_the_input_gradient_but_fills_weight_gradients():
    layer = Conv2D(2, 3)
    x = np.random.default_rng(0).normal(size=(2, 5, 5, 1)).astype(np.float32)
    layer(x, training=True)
    layer.need_input_grad = False
    assert layer.backward(np.ones((2, 3, 3, 2), dtype=np.float32)) is None
    assert np.all(layer.grads["bias"] == 18)
    assert set(layer.gradient_norms()) == {"kernel", "bias"}


def test_skip_activation_passes_dz_straight_through(float64):
    layer = Conv2D(2, 3, activation="softmax")
    x = np.random.default_rng(0).normal(size=(2, 4, 4, 1))
    layer(x, training=True)
    g = np.random.default_rng(1).normal(size=(2, 2, 2, 2))
    layer.backward(g, skip_activation=True)
    cols = layer._im2col(x)
    np.testing.assert_allclose(layer.grads["kernel"].reshape(-1, 2), cols.T @ g.reshape(-1, 2))


def test_cnn_through_sequential_checks_and_learns(float64):
    from backproplab.gradcheck import MODEL_TOLERANCE, check_model
    from backproplab.model import Sequential
    from backproplab.optimizers import Adam

    rng = np.random.default_rng(0)
    x = rng.normal(size=(6, 6, 6, 1))
    y = np.eye(3)[rng.integers(0, 3, size=6)]
    model = Sequential([Conv2D(3, 3, padding="same", activation="tanh", input_shape=(6, 6, 1)),
                        MaxPooling2D(), Conv2D(2, 2, strides=2, padding="same"), AveragePooling2D(1),
                        Flatten(), Dense(3, activation="softmax")], seed=0)
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    report = check_model(model, x, y)
    assert max(report.values()) <= MODEL_TOLERANCE, report
    model.compile(optimizer=Adam(learning_rate=0.05), loss="categorical_crossentropy")
    before = model.compute_loss(x, y)
    for _ in range(30):
        model.train_on_batch(x, y)
    assert model.compute_loss(x, y) < 0.5 * before


# ------------------------------------------------------------------ errors that speak to a learner

def test_conv_without_channel_axis_suggests_adding_it():
    with pytest.raises(ShapeError, match=r"x\[\.\.\., None\]"):
        Conv2D(4, 3)(np.zeros((2, 28, 28)))
    layer = Conv2D(4, 3, input_shape=(28, 28, 1))
    layer.build((28, 28, 1))
    with pytest.raises(ShapeError, match=r"channel axis is missing: use x\[\.\.\., None\]"):
        layer(np.zeros((2, 28, 28)))


def test_conv_shape_errors_name_the_likely_fix():
    layer = Conv2D(4, 3)
    layer.build((8, 8, 3))
    with pytest.raises(ShapeError, match=r"channels-first: use x.transpose\(0, 2, 3, 1\)"):
        layer(np.zeros((2, 3, 8, 8)))
    with pytest.raises(ShapeError, match=r"x.reshape\(-1, 8, 8, 3\)"):
        layer(np.zeros((2, 192)))
    with pytest.raises(ShapeError, match=r"batch axis: use x\[None\]"):
        layer(np.zeros((8, 8, 3)))
    with pytest.raises(ShapeError, match=r"x.reshape\(-1, 28, 28, 1\)"):
        Conv2D(4, 3)(np.zeros((2, 784)))
    with pytest.raises(ShapeError, match="does not fit inputs of height 3"):
        Conv2D(4, 5)(np.zeros((1, 3, 8, 1)))
    with pytest.raises(ShapeError, match=r"x\[\.\.\., None\]"):
        MaxPooling2D()(np.zeros((2, 8, 8)))


@pytest.mark.parametrize("kwargs,match", [
    (dict(filters=0, kernel_size=3), "positive whole number of filters"),
    (dict(filters=2, kernel_size=0), "kernel_size should be"),
    (dict(filters=2, kernel_size=(3, 3, 3)), "kernel_size should be"),
    (dict(filters=2, kernel_size=3, strides=1.5), "strides should be"),
    (dict(filters=2, kernel_size=3, padding="full"), "padding should be 'valid'"),
    (dict(filters=2, kernel_size=3, data_format="channels_first"), "channels-last"),
])
def test_conv_argument_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Conv2D(**kwargs)


def test_set_weights_takes_keras_shapes():
    layer = Conv2D(4, (3, 2))
    layer.build((6, 6, 3))
    with pytest.raises(ShapeError):
        layer.set_weights([np.zeros((4, 3, 2, 3)), np.zeros(4)])
    layer.set_weights([np.ones((3, 2, 3, 4)), np.ones(4)])
    y = layer(np.ones((1, 6, 6, 3), dtype=np.float32))
    np.testing.assert_allclose(y, 3 * 2 * 3 + 1)


def test_automatic_names_are_keras_names():
    first, second = Conv2D(2, 3), Conv2D(2, 3)
    assert first.name.startswith("conv2d") and second.name.startswith("conv2d_") and first.name != second.name
    assert MaxPooling2D().name.startswith("max_pooling2d")
    assert AveragePooling2D().name.startswith("average_pooling2d")
    assert Conv2D(1, 1, name="edges").name == "edges"


def test_repr():
    assert repr(Conv2D(16, 3, activation="relu")) == "Conv2D(16, (3, 3), activation='relu')"
    assert repr(Conv2D(8, (3, 2), strides=2, padding="same")) == "Conv2D(8, (3, 2), strides=(2, 2), padding='same')"
    assert repr(MaxPooling2D()) == "MaxPooling2D((2, 2))"
    assert (repr(AveragePooling2D(3, strides=1, padding="same"))
            == "AveragePooling2D((3, 3), strides=(1, 1), padding='same')")


# ------------------------------------------------------------------ Keras 3 from the same weights

@pytest.fixture(scope="module")
def keras():
    os.environ["KERAS_BACKEND"] = "torch"
    pytest.importorskip("torch", reason="the Keras comparison runs Keras on the torch backend")
    return pytest.importorskip("keras", reason="Keras 3 is not installed")


def keras_forward_backward(keras_layer, x, upstream):
    """Keras' output, and the gradients of Σ output ⊙ upstream by torch autograd:
    ``(y, dx, [d weight for weight in keras_layer.weights])``."""
    import torch

    xt = torch.tensor(x, requires_grad=True)
    y = keras_layer(xt)
    (y * torch.tensor(upstream)).sum().backward()
    return y.detach().numpy(), xt.grad.numpy(), [w.value.grad.numpy() for w in keras_layer.weights]


def assert_same_as_keras(keras_layer, ours, x):
    rng = np.random.default_rng(7)
    keras_layer.build(x.shape)
    if keras_layer.weights:
        for w in keras_layer.weights:   # random biases too, so that they matter
            w.assign(rng.uniform(-0.5, 0.5, size=w.shape).astype(np.float32))
        ours.build(x.shape[1:])
        ours.set_weights(keras_layer.get_weights())
    y_ours = ours(x, training=True)
    upstream = rng.normal(size=y_ours.shape).astype(np.float32)
    y, dx, dws = keras_forward_backward(keras_layer, x, upstream)
    assert y_ours.shape == y.shape
    np.testing.assert_allclose(y_ours, y, rtol=0, atol=1e-5)
    dx_ours = ours.backward(upstream)
    for ours_g, keras_g in zip([dx] + dws, [dx_ours] + list(ours.grads.values())):
        assert np.max(np.abs(ours_g - keras_g)) <= 1e-5 * max(1.0, np.max(np.abs(keras_g)))


@pytest.mark.keras
@pytest.mark.filterwarnings(KERAS_NOISE)
@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("strides", [1, 2])
@pytest.mark.parametrize("kernel", [3, (2, 3)])
def test_conv_matches_keras(keras, padding, strides, kernel):
    x = np.random.default_rng(0).normal(size=(3, 9, 8, 2)).astype(np.float32)
    assert_same_as_keras(keras.layers.Conv2D(4, kernel, strides=strides, padding=padding, activation="relu"),
                         Conv2D(4, kernel, strides=strides, padding=padding, activation="relu"), x)


@pytest.mark.keras
@pytest.mark.filterwarnings(KERAS_NOISE)
@pytest.mark.parametrize("pool,strides,padding", [
    (2, None, "valid"), (3, 2, "valid"), (2, 1, "valid"), (2, None, "same"), (3, 2, "same"), (2, 1, "same"),
])
def test_max_pooling_matches_keras(keras, pool, strides, padding):
    x = np.random.default_rng(0).normal(size=(3, 9, 8, 2)).astype(np.float32)
    assert_same_as_keras(keras.layers.MaxPooling2D(pool, strides, padding=padding),
                         MaxPooling2D(pool, strides, padding=padding), x)


@pytest.mark.keras
@pytest.mark.filterwarnings(KERAS_NOISE)
def test_max_pooling_ties_match_keras(keras):
    x = np.round(np.random.default_rng(0).normal(size=(3, 8, 8, 2))).astype(np.float32)  # many ties
    assert_same_as_keras(keras.layers.MaxPooling2D(2), MaxPooling2D(2), x)
    assert_same_as_keras(keras.layers.MaxPooling2D(3, 1), MaxPooling2D(3, 1), x)


@pytest.mark.keras
@pytest.mark.filterwarnings(KERAS_NOISE)
@pytest.mark.parametrize("pool,strides,padding,shape", [
    (2, None, "valid", (9, 8, 2)), (3, 2, "valid", (9, 8, 2)), (2, 1, "valid", (9, 8, 2)),
    (2, None, "same", (8, 8, 2)), (3, 2, "same", (9, 9, 2)), (3, 1, "same", (7, 8, 2)),
])
def test_average_pooling_matches_keras(keras, pool, strides, padding, shape):
    # 'same' cases with even padding only: with uneven padding Keras on torch averages replicated
    # edge pixels into the windows (see AveragePooling2D's docstring), which we do not copy.
    x = np.random.default_rng(0).normal(size=(3,) + shape).astype(np.float32)
    assert_same_as_keras(keras.layers.AveragePooling2D(pool, strides, padding=padding),
                         AveragePooling2D(pool, strides, padding=padding), x)


@pytest.mark.keras
@pytest.mark.filterwarnings(KERAS_NOISE)
def test_small_cnn_matches_keras_after_one_sgd_step(keras):
    """The benchmark's CNN, built in both, one SGD step on the same batch: same weights after."""
    from backproplab.model import Sequential
    from backproplab.optimizers import SGD

    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 8, 8, 1)).astype(np.float32)
    y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, size=16)]
    k = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(16, 3, activation="relu"),
                          keras.layers.MaxPooling2D(), keras.layers.Flatten(),
                          keras.layers.Dense(10, activation="softmax")])
    k.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="categorical_crossentropy")
    ours = Sequential([Conv2D(16, 3, activation="relu", input_shape=(8, 8, 1)), MaxPooling2D(), Flatten(),
                       Dense(10, activation="softmax")])
    ours.set_weights(k.get_weights())
    ours.compile(optimizer=SGD(learning_rate=0.1), loss="categorical_crossentropy")
    loss_k = float(k.train_on_batch(x, y))
    loss_ours = float(ours.train_on_batch(x, y))
    assert abs(loss_k - loss_ours) <= 1e-5
    for a, b in zip(ours.get_weights(), k.get_weights()):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-5)
