"""The ReNom-compatible surface: the tutorial's code runs with only its import lines changed."""
import numpy as np
import pytest

import lstm_lib as ll

matplotlib = pytest.importorskip("matplotlib", reason="the tutorial's code plots with matplotlib")
matplotlib.use("Agg")


def run_tutorial(max_epoch_setting, period_setting):
    """The tutorial's cells In [1]-[9], verbatim except: the import lines, the `%matplotlib` magic,
    the two settings passed in (max_epoch, period), and the function wrapper with its return line."""
    import numpy as np
    import matplotlib.pyplot as plt
    from copy import deepcopy
    import lstm_lib.renom as rm
    from lstm_lib.renom.optimizer import Adam
    from lstm_lib.renom.cuda import set_cuda_active
    # set True when using GPU
    set_cuda_active(False)

    # create [look_back] length array from [time-series] data.
    # e.g.) ts:{1,2,3,4,5}, lb=3 => {1,2,3},{2,3,4},{3,4,5}
    def create_dataset(ts, look_back=1):
        sub_seq, nxt = [], []
        for i in range(len(ts)-look_back):
            sub_seq.append(ts[i:i+look_back])
            nxt.append([ts[i+look_back]])
        return sub_seq, nxt

    # making a Sine curve data
    x = np.linspace(-10,10,50)
    y = np.sin(x)
    look_back = 5
    sub_seq, nxt = create_dataset(y, look_back=look_back)

    # split data into train and test set
    def split_data(X, y, train_ratio=.5):
        train_size = int(len(y)*train_ratio)
        X_train, y_train = X[:train_size], y[:train_size]
        X_test, y_test = X[train_size:], y[train_size:]
        X_train = np.array(X_train)
        X_test = np.array(X_test)
        y_train = np.array(y_train)
        y_test = np.array(y_test)
        return X_train, y_train, X_test, y_test

    X_train, y_train, X_test, y_test = split_data(sub_seq, nxt)
    train_size = X_train.shape[0]
    test_size = X_test.shape[0]
    print('train size : {}, test size : {}'.format(train_size, test_size))

    curves = []  # (added) collect what draw_pred_curve plots

    def draw_pred_curve(e_num):
        pred_curve = []
        arr_now = X_test[0]
        for _ in range(test_size):
            for t in range(look_back):
                pred = model(np.array([arr_now[t]]))
            model.truncate()
            pred_curve.append(pred[0])
            arr_now = np.delete(arr_now, 0)
            arr_now = np.append(arr_now, pred)
        plt.plot(x[:train_size+look_back], y[:train_size+look_back], color='blue')
        plt.plot(x[train_size+look_back:], pred_curve, label='epoch:'+str(e_num)+'th')
        curves.append(np.array(pred_curve, dtype=float).reshape(-1))  # (added)

    # model definition
    model = rm.Sequential([
        rm.Lstm(2),
        rm.Dense(1)
    ])

    # params
    batch_size = 5
    max_epoch = max_epoch_setting
    period = period_setting  # early stopping checking and drawing predicted curve period
    optimizer = Adam()

    i = 0
    loss_prev = np.inf
    # learning curves
    learning_curve = []
    test_curve = []
    plt.figure(figsize=(15,10))
    # train loop
    while(i < max_epoch):
        i += 1
        # perm is for getting batch randomly
        perm = np.random.permutation(train_size)
        train_loss = 0
        for j in range(train_size // batch_size):
            batch_x = X_train[perm[j*batch_size : (j+1)*batch_size]]
            batch_y = y_train[perm[j*batch_size : (j+1)*batch_size]]
            # Forward propagation
            l = 0
            z = 0
            with model.train():
                for t in range(look_back):
                    z = model(batch_x[:,t].reshape(len(batch_x),-1))
                    l = rm.mse(z, batch_y)
                model.truncate()
            l.grad().update(optimizer)
            train_loss += l.as_ndarray()
        train_loss = train_loss / (train_size // batch_size)
        learning_curve.append(train_loss)
        # test
        l = 0
        z = 0
        for t in range(look_back):
            z = model(X_test[:,t].reshape(test_size, -1))
            l = rm.mse(z, y_test)
        model.truncate()
        test_loss = l.as_ndarray()
        test_curve.append(test_loss)
        # check early stopping
        # if test loss doesn't reduce by 1% of that at period epoch before, early stopping is done.
        if i % period == 0:
            print('epoch:{}, train loss:{}, test loss:{}'.format(i, train_loss, test_loss))
            draw_pred_curve(i)
            if test_loss > loss_prev*0.99:
                print('Stop learning')
                break
            else:
                loss_prev = deepcopy(test_loss)
    # predicted curve
    plt.xlabel('x')
    plt.ylabel('y')
    plt.legend(loc='upper left', fontsize=20)
    plt.show()

    plt.figure(figsize=(15,10))
    plt.plot(learning_curve, color='blue', label='learning curve')
    plt.plot(test_curve, color='orange', label='test curve')
    plt.xlabel('epoch')
    plt.ylabel('loss')
    plt.legend(fontsize=30)
    plt.show()
    plt.close("all")  # (added)
    return model, learning_curve, test_curve, curves, (X_test, y_test)  # (added)


def test_tutorial_code_runs_and_learns(capsys):
    np.random.seed(0)
    model, learning_curve, test_curve, curves, (X_test, y_test) = run_tutorial(400, 200)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "train size : 22, test size : 23"
    assert [ln.split(",")[0] for ln in out[1:3]] == ["epoch:200", "epoch:400"]
    assert len(learning_curve) == len(test_curve) == 400
    assert len(curves) == 2 and all(c.shape == (23,) and np.all(np.isfinite(c)) for c in curves)
    test_curve = np.array(test_curve, dtype=float)
    assert np.all(np.isfinite(test_curve))
    assert test_curve[-1] < test_curve[0] / 2  # it learns
    # the tutorial's test loss is the half-MSE of the wrapped lstm_lib model on the test windows
    inner = model.model
    assert isinstance(inner, ll.Sequential)
    assert isinstance(inner.layers[0], ll.LSTM) and inner.layers[0].hidden_size == 2
    steps = None
    inner.truncate()
    for t in range(5):
        steps = inner.step(X_test[:, t].reshape(-1, 1))
    inner.truncate()
    assert test_curve[-1] == pytest.approx(ll.half_mse(ll.to_numpy(steps), y_test)[0], rel=1e-12)


def test_tutorial_code_is_repeatable_with_numpy_seed():
    np.random.seed(3)
    _, a, _, _, _ = run_tutorial(20, 10)
    np.random.seed(3)
    _, b, _, _, _ = run_tutorial(20, 10)
    np.random.seed(4)
    _, c, _, _, _ = run_tutorial(20, 10)
    assert [float(v) for v in a] == [float(v) for v in b]
    assert [float(v) for v in a] != [float(v) for v in c]


def test_rm_mse_is_half_mse():
    import lstm_lib.renom as rm

    np.random.seed(1)
    model = rm.Sequential([rm.Lstm(3), rm.Dense(2)])
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(4, 1)), rng.normal(size=(4, 2))
    z = model(x)
    assert np.asarray(z).shape == (4, 2)
    value = float(np.asarray(rm.mse(z, y).as_ndarray()))
    expected = ll.half_mse(np.asarray(z, dtype=float), y)[0]
    assert value == pytest.approx(expected, rel=1e-14)
    assert value == pytest.approx(np.sum((np.asarray(z) - y) ** 2) / (2 * 4), rel=1e-14)


def test_one_value_call_of_draw_pred_curve():
    """``model(np.array([v]))``: a 1-D array holding one value is one sample with one feature."""
    import lstm_lib.renom as rm

    np.random.seed(2)
    model = rm.Sequential([rm.Lstm(2), rm.Dense(1)])
    batch = model(np.array([[0.25]]))
    model.truncate()
    single = model(np.array([0.25]))
    model.truncate()
    assert np.asarray(single).shape == (1, 1)
    np.testing.assert_array_equal(np.asarray(single), np.asarray(batch))


def test_renom_grad_update_matches_library_step():
    """loss.grad().update(opt) is exactly one lstm_lib backward + optimizer step on the wrapped model."""
    import lstm_lib.renom as rm
    from lstm_lib.renom.optimizer import Adam

    np.random.seed(5)
    model = rm.Sequential([rm.Lstm(2), rm.Dense(1)])
    rng = np.random.default_rng(1)
    xb, yb = rng.normal(size=(5, 4, 1)), rng.normal(size=(5, 1))
    model(xb[:, 0])
    model.truncate()
    inner = model.model
    ref = ll.Sequential([ll.LSTM(1, 2), ll.LastStep(), ll.Dense(2, 1)])
    ref.theta[...] = inner.theta
    pred = ref.forward(xb)
    _, dpred = ll.half_mse(pred, yb)
    ref.backward(dpred)
    ref_opt = ll.Adam()
    ref_opt.update(ref)

    with model.train():
        for t in range(4):
            z = model(xb[:, t])
            loss = rm.mse(z, yb)
        model.truncate()
    loss.grad().update(Adam())
    np.testing.assert_allclose(inner.theta, ref.theta, rtol=1e-12, atol=1e-15)
